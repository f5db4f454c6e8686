/**
 * Global ids. Pothos encodes base64("<Type>:<key>"); the key of every object starts with
 * its dataset/splitBy pair, because a ref id or image id means nothing without it:
 * `Ref:refcoco/unc:123`, `Annotation:refclef/unc:23896_6`, `Dataset:refcoco/unc`.
 */
import { DataError } from '../src/core/errors';
import type { ReferStore } from '../src/core/store';
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
