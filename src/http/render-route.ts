/**
 * GET /renders/<dataset>/<splitBy>/<refId>.png?mode=SEG|BOX|MASK&maxSize=N (Ref.renderUrl;
 * e.g. /renders/refcoco/unc/3.png) or /renders/<global id of a Ref>.png?…: REFER's
 * showRef / showMask as a PNG, for `<img src>`. mode defaults to SEG; maxSize scales the
 * longest side down to N pixels. A global id may be URL-encoded or not. A prediction can be
 * drawn over the ground truth in cyan: &overlayBox=x,y,w,h (image pixels), or
 * &overlayReport=<report id>&sample=<per_sample index> for a masks report's predicted mask
 * (see render-overlay.ts).
 *
 *   200 image/png, with X-Image-Found: true|false — false when the image file is absent
 *       or undecodable and the object is drawn on a gray canvas of the image's size (for
 *       MASK, which never reads the image: whether the file exists); an ETag and
 *       Cache-Control; 304 when If-None-Match has that ETag
 *   400 an unknown mode, a maxSize that is not a whole number ≥ 1, a parameter given
 *       twice, the id of a record of another type (Image, Annotation, …), an overlayBox
 *       that is not four finite numbers, an overlay sample of another ref or a report of
 *       another task than masks
 *   404 an id that names nothing (not a global id, unknown dataset or ref), an unknown
 *       overlayReport or a sample beyond its per_sample
 *   422 a ref that cannot be drawn (corrupt segmentation, an image of 0 pixels in
 *       instances.json, a file_name that would leave the images folder)
 *   503 the compiled index was rewritten under the server (the pair is being reloaded)
 *   405 a method other than GET or HEAD
 *
 * Errors are plain text that says what was wrong.
 */
import { createHash } from 'node:crypto';
import type { Catalog } from '../core/catalog';
import { DataError, NotFoundError, StaleIndexError } from '../core/errors';
import { imagePath } from '../core/layout';
import type { MaskCache } from '../core/masks';
import type { ReferStore } from '../core/store/store';
import { RENDERS_PREFIX, RENDERS_SUFFIX, resolveRoutePath, type RowOfId } from '../ids';
import type { EvaluationReports } from '../eval/report-store';
import { type DecodedImages, fileIdentity, RENDER_MODES, renderRef, type RenderMode } from '../render';
import { overlayAsk, overlayKey, resolveOverlay, type OverlayAsk } from './render-overlay';
import { bodyResponse, etagMatches, idRoute, type Responses, staleIndexResponse, textResponse } from './responses';

/** Part of the ETag: bump when the drawing of renders changes. */
const RENDER_VERSION = 'render2';
/** A render over its image changes only with the data files, and the ETag catches that. */
const CACHE_FOUND = 'public, max-age=3600';
// A gray-canvas render is revalidated on every use, so that it is replaced as soon as
// the image file is put in place (the file's identity is part of the ETag).
const CACHE_MISSING = 'no-cache';

const USAGE = `${RENDERS_PREFIX}<dataset>/<splitBy>/<refId> or <global id of a Ref>${RENDERS_SUFFIX}?mode=${RENDER_MODES.join('|')}&maxSize=<pixels>[&overlayBox=x,y,w,h | &overlayReport=<report id>&sample=<index>]`;

type Params = { mode: RenderMode; maxSize?: number; overlay?: OverlayAsk } | { error: string };

function renderParams(query: URLSearchParams): Params {
  const modes = query.getAll('mode');
  const sizes = query.getAll('maxSize');
  if (modes.length > 1 || sizes.length > 1) return { error: `give mode and maxSize at most once each (${USAGE})` };
  const mode = modes[0] ?? 'SEG';
  if (!(RENDER_MODES as readonly string[]).includes(mode)) return { error: `unknown mode ${JSON.stringify(mode)}: use one of ${RENDER_MODES.join(', ')}` };
  const overlay = overlayAsk(query);
  if (overlay && 'error' in overlay) return { error: overlay.error };
  if (sizes.length === 0) return { mode: mode as RenderMode, overlay };
  const maxSize = Number(sizes[0]);
  if (!/^\d+$/.test(sizes[0]) || !Number.isSafeInteger(maxSize) || maxSize < 1) {
    return { error: `maxSize must be a whole number of pixels, at least 1, got ${JSON.stringify(sizes[0])}` };
  }
  return { mode: mode as RenderMode, maxSize, overlay };
}

type RenderAsk = Exclude<Params, { error: string }>;

/** Everything a render is drawn from, hashed, so that a 304 costs no drawing; and whether the image file is there. */
function renderEtag(store: ReferStore, refRow: number, { mode, maxSize, overlay }: RenderAsk, dataRoot: string): { etag: string; fileFound: boolean } {
  const imageRow = store.imageOfRef(refRow);
  const [height, width] = store.imageSize(imageRow);
  const file = fileIdentity(imagePath(store, imageRow, dataRoot));
  const hash = createHash('sha1')
    .update(`${RENDER_VERSION}\0${store.name}\0${store.refId(refRow)}\0${mode}\0${maxSize ?? ''}\0`)
    // After the fields every render has, so that a render without an overlay keeps its tag.
    .update(overlay ? `${overlayKey(overlay)}\0` : '')
    .update(`${width}x${height}\0${file ?? 'absent'}\0`);
  for (const row of store.annotationsOfRef(refRow)) hash.update(JSON.stringify(store.annotationAt(row)));
  return { etag: `"${hash.digest('base64url')}"`, fileFound: file !== undefined };
}

/** What renders are drawn with: the app's data and caches. */
export interface RenderSources {
  catalog: Catalog;
  masks: MaskCache;
  images: DecodedImages;
  /** The app's evaluation reports, whose predicted masks overlayReport draws. */
  evaluations: EvaluationReports;
}

async function renderResponse({ catalog, masks, images, evaluations }: RenderSources, request: Request, rawId: string, query: URLSearchParams, fetchAPI: Responses): Promise<Response> {
  const params = renderParams(query);
  if ('error' in params) return textResponse(fetchAPI, 400, `no render: ${params.error}`);
  let ref: RowOfId<'Ref'>;
  try {
    ref = resolveRoutePath(catalog, rawId, ['Ref'] as const, 'renders are drawn for Ref ids');
  } catch (e) {
    if (e instanceof NotFoundError) return textResponse(fetchAPI, 404, `no render: ${e.message}`);
    if (e instanceof DataError) return textResponse(fetchAPI, 400, `no render: ${e.message}`);
    throw e;
  }
  const { store, row } = ref;
  const { mode, maxSize } = params;
  const overlay = params.overlay && resolveOverlay(evaluations, params.overlay, store, row);
  if (overlay && 'error' in overlay) return textResponse(fetchAPI, overlay.status, `no render: ${overlay.error}`);
  try {
    const { etag, fileFound } = renderEtag(store, row, params, catalog.dataRoot);
    if (etagMatches(request, etag)) return new fetchAPI.Response(null, { status: 304, headers: { etag, 'cache-control': fileFound ? CACHE_FOUND : CACHE_MISSING } });
    const render = renderRef(store, row, { mode, maxSize, dataRoot: catalog.dataRoot, masks, images, overlay });
    return bodyResponse(fetchAPI, request, render.png, {
      'content-type': 'image/png',
      'x-image-found': String(render.imageFound),
      etag,
      'cache-control': render.imageFound ? CACHE_FOUND : CACHE_MISSING,
    });
  } catch (e) {
    if (e instanceof StaleIndexError) return staleIndexResponse(fetchAPI, catalog, e, 'no render');
    if (e instanceof DataError) return textResponse(fetchAPI, 422, `no render: ${e.message}`);
    throw e;
  }
}

/** The route as a Yoga plugin: it answers /renders/… itself, and leaves every other path alone. */
export function useRenderRoute(sources: RenderSources) {
  return idRoute(RENDERS_PREFIX, RENDERS_SUFFIX, 'render', USAGE, (rawId, request, url, fetchAPI) => renderResponse(sources, request, rawId, url.searchParams, fetchAPI));
}
