/**
 * GET /masks/<dataset>/<splitBy>/<refId>.png, /masks/<dataset>/annotations/<annId>.png
 * (Mask.pngUrl) or /masks/<global id of a Ref or Annotation>.png: the PNG of the mask, for
 * `<img src>`. A global id may be URL-encoded or not (a base64 id can hold '/' and '+').
 *
 *   200 image/png, with an ETag (a hash of the mask) and Cache-Control; 304 when
 *       If-None-Match has that ETag
 *   404 an id that names nothing (not a global id, unknown dataset, ref or annotation)
 *   400 the id of a record of another type (Image, Category, …)
 *   422 an object whose segmentation cannot be made into a PNG (corrupt data), or whose
 *       image is larger than MAX_MASK_PIXELS
 *   503 the compiled index was rewritten under the server (the pair is being reloaded)
 *   405 a method other than GET or HEAD
 *
 * Errors are plain text that says what was wrong.
 */
import { createHash } from 'node:crypto';
import type { Catalog } from '../core/catalog';
import { DataError, NotFoundError, StaleIndexError } from '../core/errors';
import { annotationMask, type MaskCache, refMask } from '../core/masks';
import { MASKS_PREFIX, MASKS_SUFFIX, resolveRoutePath, type RowOfId } from '../ids';
import { rleToString } from '../mask';
import { maskToPng } from '../render';
import { bodyResponse, etagMatches, idRoute, staleIndexResponse, textResponse as text, type Responses } from './responses';

/** Masks change only when the data files do, and the ETag catches that. */
const CACHE_CONTROL = 'public, max-age=3600';
/** Part of the ETag: bump when the PNG encoding of a mask changes. */
const PNG_VERSION = 'png1';

async function maskResponse(catalog: Catalog, masks: MaskCache, request: Request, rawId: string, fetchAPI: Responses): Promise<Response> {
  let owner: RowOfId<'Ref' | 'Annotation'>;
  try {
    owner = resolveRoutePath(catalog, rawId, ['Ref', 'Annotation'] as const, 'masks belong to Ref and Annotation ids');
  } catch (e) {
    if (e instanceof NotFoundError) return text(fetchAPI, 404, `no mask: ${e.message}`);
    if (e instanceof DataError) return text(fetchAPI, 400, `no mask: ${e.message}`);
    throw e;
  }
  try {
    const rle = owner.typename === 'Ref' ? refMask(owner.store, owner.row, masks) : annotationMask(owner.store, owner.row, masks);
    const hash = createHash('sha1').update(`${PNG_VERSION}:${rle.h}x${rle.w}:${rleToString(rle)}`).digest('base64url');
    const etag = `"${hash}"`;
    const headers = { etag, 'cache-control': CACHE_CONTROL };
    if (etagMatches(request, etag)) return new fetchAPI.Response(null, { status: 304, headers });
    if (rle.h === 0 || rle.w === 0) throw new DataError(`${owner.store.name}: the mask of ${rawId} is ${rle.w}x${rle.h} pixels; a PNG needs at least one`);
    // fast-png's output is backed by a plain ArrayBuffer, as BodyInit's type wants.
    return bodyResponse(fetchAPI, request, maskToPng(rle) as Uint8Array<ArrayBuffer>, { ...headers, 'content-type': 'image/png' });
  } catch (e) {
    if (e instanceof StaleIndexError) return staleIndexResponse(fetchAPI, catalog, e, 'no mask');
    if (e instanceof DataError) return text(fetchAPI, 422, `no mask: ${e.message}`);
    throw e;
  }
}

/** The route as a Yoga plugin: it answers /masks/… itself, and leaves every other path alone. */
export function useMaskRoute(catalog: Catalog, masks: MaskCache) {
  return idRoute(MASKS_PREFIX, MASKS_SUFFIX, 'mask', `${MASKS_PREFIX}<dataset>/<splitBy>/<refId>${MASKS_SUFFIX}, ${MASKS_PREFIX}<dataset>/annotations/<annId>${MASKS_SUFFIX} or ${MASKS_PREFIX}<global id of a Ref or Annotation>${MASKS_SUFFIX}`, (rawId, request, _url, fetchAPI) =>
    maskResponse(catalog, masks, request, rawId, fetchAPI),
  );
}
