/**
 * Per-request DataLoaders over the stores: every relation of the graph (image → refs,
 * ref → sentences, ref → category, …) and every id lookup goes through one of these, so
 * a query over N images costs one batch call per relation level instead of N calls.
 *
 * One RequestLoaders per request: DataLoader caches per instance, and a cache that
 * outlived the request would only hold rows that never change anyway — the point of a
 * fresh one is that its batches line up with one query's execution levels. Batch
 * functions answer with rows (array positions in the store), never GraphQL objects:
 * this layer knows the store, not the schema.
 */
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import DataLoader from 'dataloader';
import type { Catalog } from '../src/core/catalog';
import { DataError } from '../src/core/errors';
import { groupMembers, type ReferStore } from '../src/core/store/store';
import type { AnnId } from '../src/core/store/tables';
import { imagePath } from '../src/render';

// src/render's imagePath is the one builder of image paths (it refuses file names that
// would leave the images folder); under a stand-in root it gives the relative path.
const ANY_ROOT = resolve('/');

/** Where an image file of a dataset lives under the data root (REFER's layout). */
export function imageFilePath(store: ReferStore, imageRow: number): string {
  return relative(ANY_ROOT, imagePath(store, imageRow, ANY_ROOT));
}

function categoryRowOf(store: ReferStore, categoryId: number): number {
  const row = store.instances.categoryRowById.get(categoryId);
  // The readers drop records whose category is unknown, so this means a broken index.
  if (row === undefined) throw new DataError(`${store.name}: category ${categoryId} is referenced but not defined in instances.json`);
  return row;
}

/**
 * What each loader answers for one key, computed from the store's indexes. All are
 * synchronous lookups except `fileExists`; a thrown error becomes that key's error.
 */
const relations = {
  refById: (s: ReferStore, refId: number) => s.refRow(refId),
  sentenceById: (s: ReferStore, sentId: number) => s.sentRow(sentId),
  imageById: (s: ReferStore, imageId: number) => s.imageRow(imageId),
  annotationById: (s: ReferStore, annId: AnnId) => s.annRow(annId),
  categoryById: (s: ReferStore, categoryId: number) => s.categoryRow(categoryId),

  refsOfImage: (s: ReferStore, imageRow: number): ArrayLike<number> => groupMembers(s.refsByImage, imageRow),
  annotationsOfImage: (s: ReferStore, imageRow: number): ArrayLike<number> => groupMembers(s.instances.annsByImage, imageRow),
  refsOfAnnotation: (s: ReferStore, annRow: number): ArrayLike<number> => groupMembers(s.refsByAnn, annRow),
  refsOfCategory: (s: ReferStore, categoryRow: number): ArrayLike<number> => groupMembers(s.refsByCategory, categoryRow),
  sentencesOfRef: (s: ReferStore, refRow: number): ArrayLike<number> => {
    const rows: number[] = [];
    for (let i = s.refs.sentStart[refRow]; i < s.refs.sentStart[refRow + 1]; i++) rows.push(i);
    return rows;
  },
  imageOfRef: (s: ReferStore, refRow: number) => s.refs.imageRow[refRow],
  annotationOfRef: (s: ReferStore, refRow: number) => s.refs.annRow[refRow],
  categoryOfRef: (s: ReferStore, refRow: number) => categoryRowOf(s, s.refs.categoryId[refRow]),
  refOfSentence: (s: ReferStore, sentRow: number) => s.refOfSentence[sentRow],
  imageOfAnnotation: (s: ReferStore, annRow: number) => s.instances.tables.annotations.imageRow[annRow],
  categoryOfAnnotation: (s: ReferStore, annRow: number) => categoryRowOf(s, s.instances.tables.annotations.categoryId[annRow]),
};

type Relations = typeof relations;
export type LoaderName = keyof Relations | 'fileExists';
type KeyOf<N extends LoaderName> = N extends keyof Relations ? Parameters<Relations[N]>[1] : number;
type ValueOf<N extends LoaderName> = N extends keyof Relations ? ReturnType<Relations[N]> : boolean;

/** Observes batch calls, e.g. to prove batching in tests or count it in the bench. */
export type BatchObserver = (loader: LoaderName, store: string, keys: number) => void;

/** A BatchObserver that tallies calls and keys per loader. */
export class BatchCounter {
  readonly calls = new Map<LoaderName, number>();
  readonly keys = new Map<LoaderName, number>();
  readonly observe: BatchObserver = (loader, _store, keys) => {
    this.calls.set(loader, (this.calls.get(loader) ?? 0) + 1);
    this.keys.set(loader, (this.keys.get(loader) ?? 0) + keys);
  };

  get totalCalls(): number {
    let n = 0;
    for (const c of this.calls.values()) n += c;
    return n;
  }

  reset(): void {
    this.calls.clear();
    this.keys.clear();
  }
}

/** The loaders of one request for one store, created on first use. */
export class StoreLoaders {
  private readonly loaders = new Map<LoaderName, DataLoader<unknown, unknown>>();

  constructor(
    readonly store: ReferStore,
    private readonly dataRoot: string,
    private readonly observe?: BatchObserver,
  ) {}

  load<N extends LoaderName>(name: N, key: KeyOf<N>): Promise<ValueOf<N>> {
    return this.loader(name).load(key) as Promise<ValueOf<N>>;
  }

  loadMany<N extends LoaderName>(name: N, keys: readonly KeyOf<N>[]): Promise<ValueOf<N>[]> {
    // Unlike DataLoader.loadMany, fail as a whole: callers want all rows or the error.
    return Promise.all(keys.map((k) => this.load(name, k)));
  }

  private loader(name: LoaderName): DataLoader<unknown, unknown> {
    let loader = this.loaders.get(name);
    if (!loader) {
      loader = new DataLoader((keys) => this.batch(name, keys));
      this.loaders.set(name, loader);
    }
    return loader;
  }

  private async batch(name: LoaderName, keys: readonly unknown[]): Promise<unknown[]> {
    this.observe?.(name, this.store.name, keys.length);
    if (name === 'fileExists') return Promise.all(keys.map((row) => this.fileExists(row as number)));
    const answer = relations[name] as (s: ReferStore, key: unknown) => unknown;
    return keys.map((key) => {
      try {
        return answer(this.store, key);
      } catch (e) {
        return e as Error;
      }
    });
  }

  private async fileExists(imageRow: number): Promise<boolean> {
    let path: string;
    try {
      path = imagePath(this.store, imageRow, this.dataRoot);
    } catch (e) {
      // A file_name that would leave the images folder names no file we would open.
      if (e instanceof DataError) return false;
      throw e;
    }
    return stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
  }
}

/** All loaders of one request. */
export class RequestLoaders {
  private readonly byStore = new Map<ReferStore, StoreLoaders>();

  constructor(
    readonly catalog: Catalog,
    private readonly observe?: BatchObserver,
  ) {}

  of(store: ReferStore): StoreLoaders {
    let loaders = this.byStore.get(store);
    if (!loaders) {
      loaders = new StoreLoaders(store, this.catalog.dataRoot, this.observe);
      this.byStore.set(store, loaders);
    }
    return loaders;
  }
}
