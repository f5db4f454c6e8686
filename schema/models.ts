/**
 * What the schema's objects are made of: a store and a row in one of its tables. Classes
 * (not plain objects) so that Pothos resolves the Node interface with `instanceof`.
 * A Dataset is the ReferStore itself.
 */
import type { ReferStore } from '../src/core/store/store';
import type { Rle } from '../src/mask';

export abstract class StoreRow {
  constructor(
    readonly store: ReferStore,
    readonly row: number,
  ) {}
}

export class RefRow extends StoreRow {}
export class SentenceRow extends StoreRow {}
export class ImageRow extends StoreRow {}
export class AnnotationRow extends StoreRow {}
export class CategoryRow extends StoreRow {}

/** One split label of a dataset/splitBy pair (e.g. refcoco/unc "testA"). */
export class SplitModel {
  constructor(
    readonly store: ReferStore,
    readonly name: string,
  ) {}
}

export class MaskModel {
  constructor(
    readonly rle: Rle,
    /** Global id of the Ref or Annotation the mask belongs to. */
    readonly ownerId: string,
  ) {}
}

/** Wraps rows from a loader or filter into model objects. */
export function rowsAs<T>(Model: new (store: ReferStore, row: number) => T, store: ReferStore, rows: ArrayLike<number>): T[] {
  const models = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) models[i] = new Model(store, rows[i]);
  return models;
}
