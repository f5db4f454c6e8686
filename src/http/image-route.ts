/**
 * GET /images/<dataset>/<imageId> (e.g. /images/refcoco/7; Image.url) or
 * /images/<global id of an Image>: the image file itself, as it lies under the data root.
 * The URL carries an id, never a path: the file is the one the index names for that
 * image, found by src/core/layout's imagePath, which refuses names that would leave the
 * images folder. A global id may be URL-encoded or not.
 *
 *   200 image/jpeg or image/png (told from the file's first bytes), with an ETag (the
 *       file's identity), Last-Modified and Cache-Control; 304 when If-None-Match has
 *       that ETag
 *   400 the id of a record of another type (Ref, Annotation, …)
 *   404 an id that names nothing, or an image whose file is not under the data root
 *   422 a file that is neither a JPEG nor a PNG, or a file_name that would leave the
 *       images folder
 *   405 a method other than GET or HEAD
 *
 * Errors are plain text that says what was wrong.
 */
import { createHash } from 'node:crypto';
import { type Stats, statSync } from 'node:fs';
import type { Catalog } from '../core/catalog';
import { DataError, NotFoundError } from '../core/errors';
import { imagePath } from '../core/layout';
import { IMAGES_PREFIX, resolveRoutePath, type RowOfId } from '../ids';
import { imageMediaType, readImageBytes } from '../render';
import { bodyResponse, etagMatches, idRoute, type Responses, textResponse } from './responses';

/** Image files change only when someone replaces them, and the ETag catches that. */
const CACHE_CONTROL = 'public, max-age=3600';

function regularFile(path: string): Stats | undefined {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat?.isFile() ? stat : undefined;
  } catch {
    // ENOTDIR (a file where a folder of the path should be), EACCES, ELOOP: no file.
    return undefined;
  }
}

async function imageResponse(catalog: Catalog, request: Request, rawId: string, fetchAPI: Responses): Promise<Response> {
  let image: RowOfId<'Image'>;
  try {
    image = resolveRoutePath(catalog, rawId, ['Image'] as const, 'image files are served for Image ids');
  } catch (e) {
    if (e instanceof NotFoundError) return textResponse(fetchAPI, 404, `no image file: ${e.message}`);
    if (e instanceof DataError) return textResponse(fetchAPI, 400, `no image file: ${e.message}`);
    throw e;
  }
  const { store, row } = image;
  const imageId = store.imageId(row);
  let path: string;
  try {
    path = imagePath(store, row, catalog.dataRoot);
  } catch (e) {
    if (e instanceof DataError) return textResponse(fetchAPI, 422, `no image file: ${e.message}`);
    throw e;
  }
  const absent = () => textResponse(fetchAPI, 404, `no image file: ${store.name}: image ${imageId} has no file under the data root (images are optional)`);
  const stat = regularFile(path);
  if (!stat) return absent();
  const etag = `"${createHash('sha1').update(`${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`).digest('base64url')}"`;
  const headers = { etag, 'cache-control': CACHE_CONTROL, 'last-modified': stat.mtime.toUTCString() };
  if (etagMatches(request, etag)) return new fetchAPI.Response(null, { status: 304, headers });
  const bytes = readImageBytes(path);
  if (bytes === undefined) return absent();
  const type = imageMediaType(bytes);
  // Whatever else lies there is not served: only pictures, with a type we can vouch for.
  if (type === undefined) return textResponse(fetchAPI, 422, `no image file: ${store.name}: the file of image ${imageId} is neither a JPEG nor a PNG`);
  return bodyResponse(fetchAPI, request, bytes, { ...headers, 'content-type': type, 'x-content-type-options': 'nosniff' });
}

/** The route as a Yoga plugin: it answers /images/… itself, and leaves every other path alone. */
export function useImageRoute(catalog: Catalog) {
  return idRoute(IMAGES_PREFIX, '', 'image file', `${IMAGES_PREFIX}<dataset>/<imageId> or ${IMAGES_PREFIX}<global id of an Image>`, (rawId, request, _url, fetchAPI) => imageResponse(catalog, request, rawId, fetchAPI));
}
