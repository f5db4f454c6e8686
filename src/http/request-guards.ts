/**
 * Requests to /graphql refused before any GraphQL work: bodies a cross-site HTML form can
 * send, and documents nested deeper than graphql-js's recursive parser can take.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { textResponse } from './responses';

/**
 * The media types an HTML <form> can POST without a CORS preflight (text/plain is refused
 * by Yoga already). Executing them would let any web page run queries with a visitor's
 * network position, so /graphql takes only application/json (and GET).
 */
const FORM_MEDIA_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

export function useFormPostRefusal(graphqlPath = '/graphql'): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'POST' || url.pathname !== graphqlPath) return;
      const mediaType = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (!FORM_MEDIA_TYPES.has(mediaType)) return;
      endResponse(
        textResponse(fetchAPI, 415, `POST ${graphqlPath}: Content-Type ${mediaType} is not accepted (an HTML form can send it from any site); send application/json`, {
          accept: 'application/json',
        }),
      );
    },
  };
}

/**
 * Deepest bracket nesting ({ [ ( ) of a document. graphql-js parses recursively and runs
 * out of stack at a few thousand levels, which surfaced as INTERNAL_SERVER_ERROR; the
 * field-depth limit (12) only runs after parsing. 64 is far beyond any real operation
 * (GraphiQL's introspection query nests 14) and far below the stack's reach.
 */
export const MAX_DOCUMENT_NESTING = 64;

/** The deepest bracket nesting of a GraphQL document, skipping strings and comments. */
export function documentNesting(document: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < document.length; i++) {
    const c = document[i];
    if (c === '#') {
      while (i < document.length && document[i] !== '\n' && document[i] !== '\r') i++;
    } else if (c === '"') {
      if (document.startsWith('"""', i)) {
        const end = document.indexOf('"""', i + 3);
        // Escaped \""" inside a block string does not end it.
        let close = end;
        while (close > 0 && document[close - 1] === '\\') close = document.indexOf('"""', close + 3);
        i = close < 0 ? document.length : close + 2;
      } else {
        for (i++; i < document.length && document[i] !== '"' && document[i] !== '\n'; i++) if (document[i] === '\\') i++;
      }
    } else if (c === '{' || c === '[' || c === '(') {
      deepest = Math.max(deepest, ++depth);
    } else if (c === '}' || c === ']' || c === ')') {
      depth--;
    }
  }
  return deepest;
}

export function useDocumentNestingLimit(limit = MAX_DOCUMENT_NESTING): Plugin {
  return {
    onParams({ params }) {
      if (typeof params.query !== 'string') return;
      const nesting = documentNesting(params.query);
      if (nesting > limit) {
        throw new GraphQLError(`Document nested ${nesting} levels deep (brackets { [ ( ); the limit is ${limit}`, {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      }
    },
  };
}
