/**
 * The node boilerplate of the record types (Ref, Sentence, Image, Annotation, Category):
 * their global id is "<Type>:<dataset>/<splitBy>:<record id>" (see src/ids.ts), and
 * Query.node loads them through the id loaders, one batch per store.
 */
import type { LoaderName } from '../loaders';
import type { ReferStore } from '../src/core/store/store';
import { integerOfKey, nodeKey, storeOfKey } from '../src/ids';
import type { Context } from './context';
import type { StoreRow } from './models';

type IdLoader = Extract<LoaderName, 'refById' | 'sentenceById' | 'imageById' | 'categoryById' | 'annotationById'>;

/**
 * `loadMany` for a node type whose key ends in a record id: resolves each key through
 * the id loader (one batch per store), or to that key's error.
 */
function loadNodesById<T>(ctx: Context, keys: readonly string[], loader: IdLoader, Model: new (store: ReferStore, row: number) => T): Promise<T>[] {
  return keys.map(async (key) => {
    const { store, rest } = storeOfKey(ctx.catalog, key);
    const id = loader === 'annotationById' ? rest : integerOfKey(key, rest);
    const row = await ctx.loaders.of(store).load(loader, id as never);
    return new Model(store, row);
  });
}

/** isTypeOf, id and loadMany of a record node type, for builder.node's options. */
export function rowNode<T extends StoreRow>(Model: new (store: ReferStore, row: number) => T, loader: IdLoader, recordId: (store: ReferStore, row: number) => string | number) {
  return {
    isTypeOf: (value: unknown) => value instanceof Model,
    id: { resolve: (r: T) => nodeKey(r.store, recordId(r.store, r.row)) },
    loadMany: (keys: string[], ctx: Context) => loadNodesById(ctx, keys, loader, Model),
  };
}
