/**
 * The explorer page: GET / (from a browser, Accept: text/html) serves explorer/index.html,
 * and GET /explorer/<file> the page's scripts and styles. The files are plain HTML, CSS
 * and JavaScript modules served as they are (no build step), and the page talks to the
 * server through POST /graphql only.
 *
 * The files served are those of the explorer folder, read once on first request: a URL
 * names an entry of that list, never a path on disk. They are revalidated on every use
 * (no-cache + ETag), so an upgraded page is seen at once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { Plugin } from 'graphql-yoga';
import { bodyResponse, etagMatches, refuseMethod, textResponse } from './responses';

export const EXPLORER_ASSETS_PREFIX = '/explorer/';

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// Everything the page needs comes from this server: no CDN, works offline, and nothing
// injected into a sentence of the data could load or send anything elsewhere.
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

/** The explorer folder of the package: beside src/ in a checkout, above dist/ after the build. */
function explorerFolder(): string | undefined {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'explorer', 'index.html'))) return join(dir, 'explorer');
  }
  return undefined;
}

function readAssets(folder: string | undefined): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (folder === undefined) return assets;
  for (const name of readdirSync(folder).sort()) {
    const type = MEDIA_TYPES[extname(name)];
    if (!type || !statSync(join(folder, name)).isFile()) continue;
    const body = new Uint8Array(readFileSync(join(folder, name)));
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    const headers: Record<string, string> = { 'content-type': type, etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };
    if (name.endsWith('.html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
    assets.set(name, { body, headers });
  }
  return assets;
}

function wantsHtml(request: Request): boolean {
  return (request.headers.get('accept') ?? '').includes('text/html');
}

/** The page as a Yoga plugin: `/` for browsers, `/explorer/…` for its files; other paths are left alone. */
export function useExplorerRoute(folder?: string): Plugin {
  let assets: Map<string, Asset> | undefined;
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      const { pathname } = url;
      let name: string;
      if (pathname === '/' && wantsHtml(request)) name = 'index.html';
      else if (pathname.startsWith(EXPLORER_ASSETS_PREFIX)) name = pathname.slice(EXPLORER_ASSETS_PREFIX.length);
      else return;
      const refused = refuseMethod(fetchAPI, request, pathname);
      if (refused) {
        endResponse(refused);
        return;
      }
      assets ??= readAssets(folder ?? explorerFolder());
      const asset = assets.get(name);
      if (!asset) {
        endResponse(textResponse(fetchAPI, 404, `no explorer file at ${pathname}; the explorer is at /`));
        return;
      }
      if (etagMatches(request, asset.headers.etag)) {
        endResponse(new fetchAPI.Response(null, { status: 304, headers: asset.headers }));
        return;
      }
      endResponse(bodyResponse(fetchAPI, request, asset.body, asset.headers));
    },
  };
}
