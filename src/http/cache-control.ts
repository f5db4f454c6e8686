/**
 * HTTP caching of /graphql.
 *
 * GET queries: the answer is a function of the loaded data, the code and the request
 * (URL query string and Accept), so the ETag is computed from those before anything runs,
 * and a matching If-None-Match is answered 304 without parsing or executing. Answers with
 * errors are not cacheable (no-store): an error may be transient, and it names the request.
 *
 * GraphiQL (GET /graphql from a browser): the 9 MB page is the same for the app's life;
 * its ETag is computed once, and a matching If-None-Match is answered 304 (no 9 MB resent).
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { etagMatches } from './responses';
import { addVary } from './vary';

export interface GraphQLCachingOptions {
  /** The current fingerprint of the data and code (see dataFingerprint). */
  fingerprint: () => string;
  /** How long shared caches and browsers may reuse an answer without revalidating. */
  maxAgeSeconds: number;
  graphqlPath?: string;
}

function wantsHtml(request: Request): boolean {
  return (request.headers.get('accept') ?? '').includes('text/html');
}

export function useGraphQLGetCaching({ fingerprint, maxAgeSeconds, graphqlPath = '/graphql' }: GraphQLCachingOptions): Plugin {
  const cacheControl = `public, max-age=${maxAgeSeconds}`;
  const cacheable = new WeakMap<Request, string>();
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' || url.pathname !== graphqlPath || wantsHtml(request)) return;
      const key = `${fingerprint()}\n${request.headers.get('accept') ?? ''}\n${url.search}`;
      const etag = `"${createHash('sha1').update(key).digest('base64url')}"`;
      cacheable.set(request, etag);
      // Its headers are set in onResponse, after CORS's, which would overwrite Vary.
      if (etagMatches(request, etag)) endResponse(new fetchAPI.Response(null, { status: 304 }));
    },
    onResultProcess({ request, result }) {
      const results = Array.isArray(result) ? result : [result];
      // A stream (@defer, subscriptions) or an answer with errors is not cached.
      if (results.some((r) => !('data' in r) || ('errors' in r && r.errors?.length))) cacheable.delete(request);
    },
    onResponse({ request, response }) {
      const etag = cacheable.get(request);
      if (etag !== undefined && (response.status === 200 || response.status === 304)) {
        response.headers.set('etag', etag);
        response.headers.set('cache-control', cacheControl);
        addVary(response.headers, 'Accept');
      } else if (request.method === 'GET' && new URL(request.url).pathname === graphqlPath && !wantsHtml(request)) {
        response.headers.set('cache-control', 'no-store');
      }
    },
  };
}

export function useGraphiQLCaching(graphqlPath = '/graphql'): Plugin {
  // Yoga's GraphiQL plugin answers before any of ours can, so the page is swapped here.
  // Kept as bytes: a Response made from the 9 MB string re-encodes it each time (~120 ms).
  let page: { body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } | undefined;
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method !== 'GET' || response.status !== 200 || !response.headers.get('content-type')?.startsWith('text/html')) return;
      if (new URL(request.url).pathname !== graphqlPath) return;
      if (!page) {
        const body = new Uint8Array(await response.arrayBuffer());
        const headers = {
          'content-type': response.headers.get('content-type') ?? 'text/html; charset=utf-8',
          etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
          'cache-control': 'no-cache',
        };
        page = { body, headers };
      }
      const status = etagMatches(request, page.headers.etag) ? 304 : 200;
      setResponse(new fetchAPI.Response(status === 304 ? null : page.body, { status, headers: page.headers }));
    },
  };
}
