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

export const MASKS_PREFIX = '/masks/';
export const MASKS_SUFFIX = '.png';
export const RENDERS_PREFIX = '/renders/';
export const RENDERS_SUFFIX = '.png';
export const IMAGES_PREFIX = '/images/';

/** Where GET serves the PNG of a Ref's or Annotation's mask, relative to the server. */
export function maskPngPath(globalId: string): string {
  return `${MASKS_PREFIX}${encodeURIComponent(globalId)}${MASKS_SUFFIX}`;
}

/** GET path of a ref's render; maxSize left out draws at the image's own size. */
export function renderPath(refGlobalId: string, mode: string, maxSize?: number | null): string {
  const query = new URLSearchParams({ mode });
  if (maxSize != null) query.set('maxSize', String(maxSize));
  return `${RENDERS_PREFIX}${encodeURIComponent(refGlobalId)}${RENDERS_SUFFIX}?${query}`;
}

export function imageFileUrlPath(imageGlobalId: string): string {
  return `${IMAGES_PREFIX}${encodeURIComponent(imageGlobalId)}`;
}
