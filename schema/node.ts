/**
 * Global ids. Pothos encodes base64("<Type>:<key>"); the key of every object starts with
 * its dataset/splitBy pair, because a ref id or image id means nothing without it:
 * `Ref:refcoco/unc:123`, `Annotation:refclef/unc:23896_6`, `Dataset:refcoco/unc`.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { DataError, NotFoundError } from '../src/core/errors';
import type { ReferStore } from '../src/core/store/store';
import type { LoaderName } from '../loaders';
import type { Context } from './context';

/** Types that have global ids and can be fetched with Query.node. */
export const NODE_TYPES = ['Dataset', 'Split', 'Ref', 'Sentence', 'Image', 'Annotation', 'Category'];

export function checkNodeType<T extends { typename: string }>(id: T): T {
  if (!NODE_TYPES.includes(id.typename)) throw new DataError(`global id of unknown type "${id.typename}"; node types: ${NODE_TYPES.join(', ')}`);
  return id;
}

export function nodeKey(store: ReferStore, key: string | number): string {
  return `${store.name}:${key}`;
}

/** The store a key names, and the rest of the key. */
export function parseNodeKey(ctx: Context, key: string): { store: ReferStore; rest: string } {
  const colon = key.indexOf(':');
  const pair = colon < 0 ? key : key.slice(0, colon);
  const [dataset, splitBy, extra] = pair.split('/');
  if (!dataset || !splitBy || extra !== undefined) throw new DataError(`malformed id "${key}": expected "<dataset>/<splitBy>:<id>"`);
  return { store: ctx.catalog.get(dataset, splitBy), rest: colon < 0 ? '' : key.slice(colon + 1) };
}

/**
 * The store and key of a global id that must name one of `accepted` types (for id
 * arguments and the HTTP routes). An id that names nothing (not a global id, an unknown
 * type, dataset or malformed key) is a NotFoundError; the id of a record of another type
 * is a DataError ending in `purpose`, e.g. "renders are drawn for Ref ids".
 */
export function decodeTypedId<T extends string>(ctx: Context, globalId: string, accepted: readonly T[], purpose: string): { typename: T; key: string; store: ReferStore; rest: string } {
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
    return { typename: typename as T, key, ...parseNodeKey(ctx, key) };
  } catch (e) {
    // A malformed key or a pair that failed to load: either way this id names nothing.
    if (e instanceof DataError && !(e instanceof NotFoundError)) throw new NotFoundError(e.message);
    throw e;
  }
}

function intKey(key: string, rest: string): number {
  if (!/^-?\d+$/.test(rest)) throw new DataError(`malformed id "${key}": "${rest}" is not an integer id`);
  return Number(rest);
}

/**
 * `loadMany` for a node type whose key ends in a record id: resolves each key through
 * the id loader (one batch per store), or to that key's error.
 */
export function loadNodesById<T>(
  ctx: Context,
  keys: readonly string[],
  loader: Extract<LoaderName, 'refById' | 'sentenceById' | 'imageById' | 'categoryById' | 'annotationById'>,
  Model: new (store: ReferStore, row: number) => T,
): Promise<T>[] {
  return keys.map(async (key) => {
    const { store, rest } = parseNodeKey(ctx, key);
    const id = loader === 'annotationById' ? rest : intKey(key, rest);
    const row = await ctx.loaders.of(store).load(loader, id as never);
    return new Model(store, row);
  });
}
