/**
 * The explorer page: GET / (from a browser, Accept: text/html) serves explorer/index.html,
 * and GET /explorer/<file> the page's scripts and styles; GET / from anything else
 * (curl, scripts) a small JSON index of the routes. The files are plain HTML, CSS
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
import { ANNOTATIONS_SEGMENT, IMAGES_PREFIX, MASKS_PREFIX, MASKS_SUFFIX, RENDERS_PREFIX, RENDERS_SUFFIX } from '../ids';
import { bodyResponse, etagMatches, refuseMethod, type Responses, textResponse } from './responses';

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
    // GET / answers this page or the JSON index of the routes by Accept: caches must tell them apart.
    if (name === 'index.html') headers.vary = 'accept';
    assets.set(name, { body, headers });
  }
  return assets;
}

function wantsHtml(request: Request): boolean {
  return (request.headers.get('accept') ?? '').includes('text/html');
}

/**
 * What GET / answers a client that does not ask for HTML (curl, scripts): the routes of
 * this server, so that a first `curl localhost:4000` shows where to go.
 */
export const ROUTE_INDEX = {
  name: 'refer-graphql',
  routes: {
    '/graphql': 'GraphQL (POST or GET; GraphiQL in a browser)',
    '/': 'the explorer, for browsers (Accept: text/html); this index otherwise',
    '/health': 'liveness',
    '/ready': 'readiness: the loaded dataset/splitBy pairs, 503 when none loaded',
    [`${RENDERS_PREFIX}<dataset>/<splitBy>/<refId>${RENDERS_SUFFIX}?mode=SEG|BOX|MASK&maxSize=N`]: "a ref drawn as REFER's showRef / showMask (Ref.renderUrl)",
    [`${MASKS_PREFIX}<dataset>/<splitBy>/<refId>${MASKS_SUFFIX}`]: "a ref's mask as a PNG (Mask.pngUrl)",
    [`${MASKS_PREFIX}<dataset>/${ANNOTATIONS_SEGMENT}/<annId>${MASKS_SUFFIX}`]: "an annotation's mask as a PNG",
    [`${IMAGES_PREFIX}<dataset>/<imageId>`]: 'an image file of the data root (Image.url)',
    [`${RENDERS_PREFIX}<dataset>/<splitBy>/<refId>${RENDERS_SUFFIX}?overlayBox=x,y,w,h | ?overlayReport=<report id>&sample=N`]:
      "the same render with a prediction drawn over the ground truth: a box, or a masks report's predicted mask",
    'POST /evaluate?dataset=D&splitBy=S&split=X&task=boxes|masks|expressions': 'score a predictions file (the body: a JSON array) with the published metrics; the report JSON',
    '/export/<dataset>/<splitBy>.jsonl?split=X&include=masks': 'one ref per line with its sentences, box, category, image and annotation (streamed)',
    '/export/<dataset>/<splitBy>/<refs|images|annotations|categories|data>.jsonl': "every record of a kind as the files hold it; data.jsonl: REFER's `data` in one request",
  },
  note: 'the picture routes also take the global `id` of a Ref, Annotation or Image in place of the readable path',
};

function routeIndex(fetchAPI: Responses, request: Request): Response {
  const body = new TextEncoder().encode(`${JSON.stringify(ROUTE_INDEX, null, 2)}\n`);
  return bodyResponse(fetchAPI, request, body, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', vary: 'accept' });
}

/** The page as a Yoga plugin: `/` for browsers, `/explorer/…` for its files; other paths are left alone. */
export function useExplorerRoute(folder?: string): Plugin {
  let assets: Map<string, Asset> | undefined;
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      const { pathname } = url;
      let name: string;
      if (pathname === '/' && !wantsHtml(request)) {
        endResponse(refuseMethod(fetchAPI, request, pathname) ?? routeIndex(fetchAPI, request));
        return;
      }
      if (pathname === '/') name = 'index.html';
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
