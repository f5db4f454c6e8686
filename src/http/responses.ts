/** What the GET routes beside /graphql (renders, images, masks, the explorer) answer with. */
import type { Plugin } from 'graphql-yoga';
import type { Catalog } from '../core/catalog';
import type { StaleIndexError } from '../core/errors';

export type Responses = { Response: typeof Response };

/** A plain-text error or notice that says what was wrong. */
export function textResponse(fetchAPI: Responses, status: number, message: string, headers: Record<string, string> = {}): Response {
  return new fetchAPI.Response(`${message}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
}

/** Whether the request's If-None-Match names `etag` (weak or strong) or is `*`. */
export function etagMatches(request: Request, etag: string): boolean {
  const match = request.headers.get('if-none-match');
  return match !== null && match.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag);
}

/**
 * A compiled index was rewritten under the server: the catalog reloads the pair, and
 * this request is refused rather than answered from a mix of two builds.
 */
export function staleIndexResponse(fetchAPI: Responses, catalog: Catalog, error: StaleIndexError, what: string): Response {
  catalog.staleIndexSeen(error);
  return textResponse(fetchAPI, 503, `${what}: ${error.message}; the data is being reloaded, try again shortly`, { 'retry-after': '5' });
}

/** The route's body for GET, none for HEAD (with the same headers). */
export function bodyResponse(fetchAPI: Responses, request: Request, body: Uint8Array<ArrayBuffer>, headers: Record<string, string>): Response {
  return new fetchAPI.Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { ...headers, 'content-length': String(body.byteLength) } });
}

/** A URL path segment as the name it carries; undefined when its %-escapes are broken. */
export function decodeIdSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** 405 for anything but GET and HEAD, undefined for those. */
export function refuseMethod(fetchAPI: Responses, request: Request, route: string): Response | undefined {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  return textResponse(fetchAPI, 405, `${request.method} is not allowed on ${route}: use GET`, { allow: 'GET, HEAD' });
}

/**
 * A GET/HEAD route `<prefix><id><suffix>` as a Yoga plugin: it answers such paths with
 * `respond(rawId, …)` (the id still URL-encoded), other methods there with 405 and a path
 * without an id with 404 ("no <what> at <path>: expected <usage>"); every other path is
 * left alone.
 */
export function idRoute(
  prefix: string,
  suffix: string,
  what: string,
  usage: string,
  respond: (rawId: string, request: Request, url: URL, fetchAPI: Responses) => Promise<Response>,
): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(prefix)) return;
      const refused = refuseMethod(fetchAPI, request, `${prefix}…`);
      if (refused) {
        endResponse(refused);
        return;
      }
      const path = url.pathname.slice(prefix.length);
      if (!path.endsWith(suffix) || path.length === suffix.length) {
        endResponse(textResponse(fetchAPI, 404, `no ${what} at ${url.pathname}: expected ${usage}`));
        return;
      }
      endResponse(await respond(path.slice(0, path.length - suffix.length), request, url, fetchAPI));
    },
  };
}
