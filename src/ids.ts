/**
 * Global ids and the readable URLs that carry them, for the schema and the GET routes
 * alike. A global id is base64 of "<Type>:<key>" (Pothos' encoding, so that Query.node
 * reads the same ids); the key of every object starts with its dataset/splitBy pair,
 * because a ref id or image id means nothing without it: `Ref:refcoco/unc:123`,
 * `Annotation:refclef/unc:23896_6`, `Dataset:refcoco/unc`.
 */
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import type { Catalog } from './core/catalog';
import { DataError, NotFoundError } from './core/errors';
import type { ReferStore } from './core/store/store';

/** Types that have global ids and can be fetched with Query.node. */
export const NODE_TYPES = ['Dataset', 'Split', 'Ref', 'Sentence', 'Image', 'Annotation', 'Category'];

export function checkNodeType<T extends { typename: string }>(id: T): T {
  if (!NODE_TYPES.includes(id.typename)) throw new DataError(`global id of unknown type "${id.typename}"; node types: ${NODE_TYPES.join(', ')}`);
  return id;
}

/** The key of a record of a store: "<dataset>/<splitBy>:<id>". */
export function nodeKey(store: ReferStore, id: string | number): string {
  return `${store.name}:${id}`;
}

export function refGlobalId(store: ReferStore, refRow: number): string {
  return encodeGlobalID('Ref', nodeKey(store, store.refId(refRow)));
}

export function imageGlobalId(store: ReferStore, imageRow: number): string {
  return encodeGlobalID('Image', nodeKey(store, store.imageId(imageRow)));
}

export function annotationGlobalId(store: ReferStore, annotationRow: number): string {
  return encodeGlobalID('Annotation', nodeKey(store, store.annId(annotationRow)));
}

/** The store a key names, and the rest of the key. */
export function storeOfKey(catalog: Catalog, key: string): { store: ReferStore; rest: string } {
  const colon = key.indexOf(':');
  const pair = colon < 0 ? key : key.slice(0, colon);
  const [dataset, splitBy, extra] = pair.split('/');
  if (!dataset || !splitBy || extra !== undefined) throw new DataError(`malformed id "${key}": expected "<dataset>/<splitBy>:<id>"`);
  return { store: catalog.get(dataset, splitBy), rest: colon < 0 ? '' : key.slice(colon + 1) };
}

/** The integer id at the end of a key; a DataError when it is not one. */
export function integerOfKey(key: string, rest: string): number {
  if (!/^-?\d+$/.test(rest)) throw new DataError(`malformed id "${key}": "${rest}" is not an integer id`);
  return Number(rest);
}

/**
 * The store and key of a global id that must name one of `accepted` types (for id
 * arguments and the HTTP routes). An id that names nothing (not a global id, an unknown
 * type, dataset or malformed key) is a NotFoundError; the id of a record of another type
 * is a DataError ending in `purpose`, e.g. "renders are drawn for Ref ids".
 */
export function decodeTypedId<T extends string>(catalog: Catalog, globalId: string, accepted: readonly T[], purpose: string): { typename: T; key: string; store: ReferStore; rest: string } {
  let typename: string;
  let key: string;
  try {
    ({ typename, id: key } = decodeGlobalID(globalId));
  } catch {
    const article = (t: string) => (/^[AEIOU]/.test(t) ? 'an' : 'a');
    throw new NotFoundError(`"${globalId}" is not a global id: expected base64 of "<Type>:<dataset>/<splitBy>:<id>", the \`id\` of ${accepted.map((t) => `${article(t)} ${t}`).join(' or ')}`);
  }
  if (!(accepted as readonly string[]).includes(typename)) {
    if (NODE_TYPES.includes(typename)) throw new DataError(`"${globalId}" names an object of type ${typename} (${typename}:${key}); ${purpose}`);
    throw new NotFoundError(`"${globalId}" is not a global id of this API: it decodes to unknown type "${typename}"`);
  }
  try {
    return { typename: typename as T, key, ...storeOfKey(catalog, key) };
  } catch (e) {
    // A malformed key or a pair that failed to load: either way this id names nothing.
    if (e instanceof DataError && !(e instanceof NotFoundError)) throw new NotFoundError(e.message);
    throw e;
  }
}

/** Record types whose global ids the GET routes resolve to a row. */
export type RowType = 'Ref' | 'Image' | 'Annotation';

/** What a Ref, Image or Annotation global id names: a row of a store. */
export interface RowOfId<T extends RowType> {
  typename: T;
  store: ReferStore;
  row: number;
}

const RECORD_NAMES: Record<RowType, string> = { Ref: 'ref', Image: 'image', Annotation: 'annotation' };

/**
 * The row a global id of one of `accepted` types names, straight from the store (no
 * GraphQL context). Errors as decodeTypedId's; an unknown record is a NotFoundError.
 */
export function resolveRowId<T extends RowType>(catalog: Catalog, globalId: string, accepted: readonly T[], purpose: string): RowOfId<T> {
  const { typename, key, store, rest } = decodeTypedId(catalog, globalId, accepted, purpose);
  if (typename === 'Annotation') return { typename, store, row: store.annotationRow(rest) };
  if (!/^-?\d+$/.test(rest)) throw new NotFoundError(`malformed id "${key}": "${rest}" is not an integer ${RECORD_NAMES[typename]} id`);
  const row = typename === 'Ref' ? store.refRow(Number(rest)) : store.imageRow(Number(rest));
  return { typename, store, row };
}

// ---- readable URLs of the GET routes (src/http/) --------------------------------------
//
// Each route takes a global id or a readable path that names the same record:
//   /renders/<dataset>/<splitBy>/<refId>.png     /renders/<global id of a Ref>.png
//   /masks/<dataset>/<splitBy>/<refId>.png       /masks/<global id of a Ref>.png
//   /masks/<dataset>/annotations/<annId>.png     /masks/<global id of an Annotation>.png
//   /images/<dataset>/<imageId>                  /images/<global id of an Image>
// Images and annotations belong to a dataset's instances.json, shared by its splitBys.
// The two forms cannot be confused: a global id of a record starts with an upper-case
// letter (base64 of "Ref:", "Image:", "Annotation:" starts with Q to W), a dataset name
// with a lower-case one.

export const MASKS_PREFIX = '/masks/';
export const MASKS_SUFFIX = '.png';
export const RENDERS_PREFIX = '/renders/';
export const RENDERS_SUFFIX = '.png';
export const IMAGES_PREFIX = '/images/';
/** The segment of /masks/<dataset>/annotations/<annId>.png. */
export const ANNOTATIONS_SEGMENT = 'annotations';

/** Whether a route's path (after its prefix, before its suffix) is a readable one rather than a global id. */
export function isReadablePath(rawPath: string): boolean {
  return /^[a-z]/.test(rawPath);
}

/** A path segment: URL-encoded, but '+' (refcoco+) kept as it is, which paths allow. */
function segment(value: string | number): string {
  return encodeURIComponent(String(value)).replace(/%2B/g, '+');
}

/** The decoded segments of a readable path; undefined when a %-escape is broken. */
function segmentsOf(rawPath: string): string[] | undefined {
  try {
    return rawPath.split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** A loaded store of `dataset` (any splitBy: they share instances.json). */
function storeOfDataset(catalog: Catalog, dataset: string): ReferStore {
  for (const store of catalog.stores.values()) if (store.dataset === dataset) return store;
  const loaded = [...new Set([...catalog.stores.values()].map((s) => s.dataset))];
  throw new NotFoundError(`no dataset "${dataset}" is loaded; loaded: ${loaded.join(', ') || 'none'}`);
}

function storeOfPair(catalog: Catalog, dataset: string, splitBy: string): ReferStore {
  try {
    return catalog.get(dataset, splitBy);
  } catch (e) {
    // A pair that failed to load names nothing here either.
    if (e instanceof DataError && !(e instanceof NotFoundError)) throw new NotFoundError(e.message);
    throw e;
  }
}

function integerSegment(path: string, value: string, what: string): number {
  if (!/^-?\d+$/.test(value)) throw new NotFoundError(`"${path}": "${value}" is not an integer ${what}`);
  return Number(value);
}

/**
 * The row a readable path names: `<dataset>/<splitBy>/<refId>` for a Ref,
 * `<dataset>/annotations/<annId>` for an Annotation (if accepted), `<dataset>/<imageId>`
 * for an Image. Anything else, or an unknown dataset or record, is a NotFoundError whose
 * message says what was expected.
 */
export function resolveReadablePath<T extends RowType>(catalog: Catalog, rawPath: string, accepted: readonly T[]): RowOfId<T> {
  const parts = segmentsOf(rawPath);
  const forms = accepted.map((t) => READABLE_FORMS[t]).join(' or ');
  if (parts === undefined || parts.some((p) => p === '')) throw new NotFoundError(`"${rawPath}" names nothing: expected ${forms}, or a global id`);
  const accepts = (t: RowType) => (accepted as readonly RowType[]).includes(t);
  const path = parts.join('/');
  if (parts.length === 3 && parts[1] === ANNOTATIONS_SEGMENT && accepts('Annotation')) {
    const store = storeOfDataset(catalog, parts[0]);
    return { typename: 'Annotation' as T, store, row: store.annotationRow(parts[2]) };
  }
  if (parts.length === 3 && accepts('Ref')) {
    const store = storeOfPair(catalog, parts[0], parts[1]);
    return { typename: 'Ref' as T, store, row: store.refRow(integerSegment(path, parts[2], 'ref id')) };
  }
  if (parts.length === 2 && accepts('Image')) {
    const store = storeOfDataset(catalog, parts[0]);
    return { typename: 'Image' as T, store, row: store.imageRow(integerSegment(path, parts[1], 'image id')) };
  }
  throw new NotFoundError(`"${path}" names nothing: expected ${forms}, or a global id`);
}

const READABLE_FORMS: Record<RowType, string> = {
  Ref: '<dataset>/<splitBy>/<refId>',
  Annotation: `<dataset>/${ANNOTATIONS_SEGMENT}/<annId>`,
  Image: '<dataset>/<imageId>',
};

/** The "<dataset>/<splitBy>" and record id of a global id's key. */
function keyParts(globalId: string): { typename: string; dataset: string; splitBy: string; id: string } {
  const { typename, id: key } = decodeGlobalID(globalId);
  const colon = key.indexOf(':');
  const [dataset, splitBy] = key.slice(0, colon).split('/');
  return { typename, dataset, splitBy, id: key.slice(colon + 1) };
}

/** Where GET serves the PNG of a Ref's or Annotation's mask, relative to the server: its readable path. */
export function maskPngPath(globalId: string): string {
  const { typename, dataset, splitBy, id } = keyParts(globalId);
  const path = typename === 'Annotation' ? [dataset, ANNOTATIONS_SEGMENT, id] : [dataset, splitBy, id];
  return `${MASKS_PREFIX}${path.map(segment).join('/')}${MASKS_SUFFIX}`;
}

/** GET path of a ref's render (readable); maxSize left out draws at the image's own size. */
export function renderPath(refGlobalId: string, mode: string, maxSize?: number | null): string {
  const { dataset, splitBy, id } = keyParts(refGlobalId);
  const query = new URLSearchParams({ mode });
  if (maxSize != null) query.set('maxSize', String(maxSize));
  return `${RENDERS_PREFIX}${[dataset, splitBy, id].map(segment).join('/')}${RENDERS_SUFFIX}?${query}`;
}

/** GET path of an image's file (readable). */
export function imageFileUrlPath(imageGlobalId: string): string {
  const { dataset, id } = keyParts(imageGlobalId);
  return `${IMAGES_PREFIX}${segment(dataset)}/${segment(id)}`;
}

/**
 * The row a GET route's path names, given as a readable path or a (URL-encoded or not)
 * global id. Errors as resolveRowId's: NotFoundError when it names nothing, DataError
 * for the id of a record of another type.
 */
export function resolveRoutePath<T extends RowType>(catalog: Catalog, rawPath: string, accepted: readonly T[], purpose: string): RowOfId<T> {
  if (isReadablePath(rawPath)) return resolveReadablePath(catalog, rawPath, accepted);
  let globalId: string;
  try {
    globalId = decodeURIComponent(rawPath);
  } catch {
    throw new NotFoundError(`"${rawPath}" is not a valid URL-encoded id`);
  }
  return resolveRowId(catalog, globalId, accepted, purpose);
}
