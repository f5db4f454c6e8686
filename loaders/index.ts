/**
 * Per-request DataLoaders over the stores: every relation of the graph (image → refs,
 * ref → sentences, ref → category, …), every id lookup and every mask goes through one
 * of these, so a query over N images costs one batch call per relation level instead of
 * N calls. Each answer is one store method call (or, for masks, one call of the mask
 * module with the app's cache).
 *
 * One RequestLoaders per request: DataLoader caches per instance, and a cache that
 * outlived the request would only hold rows that never change anyway — the point of a
 * fresh one is that its batches line up with one query's execution levels. Batch
 * functions answer with rows (array positions in the store) or masks, never GraphQL
 * objects: this layer knows the store, not the schema.
 */
import { stat } from 'node:fs/promises';
import DataLoader from 'dataloader';
import type { Catalog } from '../src/core/catalog';
import { DataError, NotFoundError } from '../src/core/errors';
import { imagePath } from '../src/core/layout';
import { annotationMasks, type MaskCache } from '../src/core/masks';
import type { ReferStore } from '../src/core/store/store';
import type { AnnId } from '../src/core/store/tables';
import type { Rle } from '../src/mask';

/**
 * What each loader answers for one key, from the store. All are synchronous lookups; a
 * thrown error becomes that key's error.
 */
const relations = {
  refById: (s: ReferStore, refId: number) => s.refRow(refId),
  sentenceById: (s: ReferStore, sentId: number) => s.sentRow(sentId),
  imageById: (s: ReferStore, imageId: number) => s.imageRow(imageId),
  annotationById: (s: ReferStore, annId: AnnId) => s.annotationRow(annId),
  categoryById: (s: ReferStore, categoryId: number) => s.categoryRow(categoryId),

  refsOfImage: (s: ReferStore, imageRow: number): ArrayLike<number> => s.refsOfImage(imageRow),
  annotationsOfImage: (s: ReferStore, imageRow: number): ArrayLike<number> => s.annotationsOfImage(imageRow),
  refsOfAnnotation: (s: ReferStore, annotationRow: number): ArrayLike<number> => s.refsOfAnnotation(annotationRow),
  refsOfCategory: (s: ReferStore, categoryRow: number): ArrayLike<number> => s.refsOfCategory(categoryRow),
  sentencesOfRef: (s: ReferStore, refRow: number): ArrayLike<number> => s.sentencesOfRef(refRow),
  imageOfRef: (s: ReferStore, refRow: number) => s.imageOfRef(refRow),
  annotationsOfRef: (s: ReferStore, refRow: number): ArrayLike<number> => s.annotationsOfRef(refRow),
  categoriesOfRef: (s: ReferStore, refRow: number): ArrayLike<number> => s.categoriesOfRef(refRow),
  categoryOfRef: (s: ReferStore, refRow: number) => s.categoryOfRef(refRow),
  refOfSentence: (s: ReferStore, sentRow: number) => s.refOfSentenceRow(sentRow),
  imageOfAnnotation: (s: ReferStore, annotationRow: number) => s.imageOfAnnotation(annotationRow),
  categoryOfAnnotation: (s: ReferStore, annotationRow: number) => s.categoryOfAnnotation(annotationRow),
};

type Relations = typeof relations;
type IdLoaderName = 'refById' | 'sentenceById' | 'imageById' | 'annotationById' | 'categoryById';
const ID_LOADERS: ReadonlySet<LoaderName> = new Set<IdLoaderName>(['refById', 'sentenceById', 'imageById', 'annotationById', 'categoryById']);

/**
 * The error of the first id of a list that names nothing, or undefined when all do. A
 * list lookup stops there: reporting every unknown id of a long list would make errors
 * cost more than hits.
 */
function firstUnknownId(store: ReferStore, lookup: (s: ReferStore, key: unknown) => number, keys: readonly unknown[]): Error | undefined {
  for (let i = 0; i < keys.length; i++) {
    try {
      lookup(store, keys[i]);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      return new NotFoundError(`${e.message}; it is id ${i + 1} of the ${keys.length} given (the lookup stops at the first unknown id)`);
    }
  }
  return undefined;
}
/** Loaders whose batch is not a per-key store lookup: file checks and masks. */
interface BatchedLoaders {
  fileExists: [imageRow: number, exists: boolean];
  maskOfAnnotation: [annotationRow: number, mask: Rle];
}
export type LoaderName = keyof Relations | keyof BatchedLoaders;
type KeyOf<N extends LoaderName> = N extends keyof Relations ? Parameters<Relations[N]>[1] : N extends keyof BatchedLoaders ? BatchedLoaders[N][0] : never;
type ValueOf<N extends LoaderName> = N extends keyof Relations ? ReturnType<Relations[N]> : N extends keyof BatchedLoaders ? BatchedLoaders[N][1] : never;

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

/** What the loaders of a request share with the app: the data root and the mask cache. */
export interface LoaderEnvironment {
  dataRoot: string;
  masks: MaskCache;
  observe?: BatchObserver;
}

/** The loaders of one request for one store, created on first use. */
export class StoreLoaders {
  private readonly loaders = new Map<LoaderName, DataLoader<unknown, unknown>>();

  constructor(
    readonly store: ReferStore,
    private readonly env: LoaderEnvironment,
  ) {}

  load<N extends LoaderName>(name: N, key: KeyOf<N>): Promise<ValueOf<N>> {
    return this.loader(name).load(key) as Promise<ValueOf<N>>;
  }

  loadMany<N extends LoaderName>(name: N, keys: readonly KeyOf<N>[]): Promise<ValueOf<N>[]> {
    // Unlike DataLoader.loadMany, fail as a whole: callers want all rows or the error.
    if (ID_LOADERS.has(name)) {
      const unknown = firstUnknownId(this.store, relations[name as IdLoaderName] as (s: ReferStore, key: unknown) => number, keys);
      if (unknown) return Promise.reject(unknown);
    }
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
    this.env.observe?.(name, this.store.name, keys.length);
    if (name === 'fileExists') return Promise.all(keys.map((row) => this.fileExists(row as number)));
    if (name === 'maskOfAnnotation') return annotationMasks(this.store, keys as number[], this.env.masks);
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
      path = imagePath(this.store, imageRow, this.env.dataRoot);
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
  private readonly env: LoaderEnvironment;

  constructor(catalog: Catalog, masks: MaskCache, observe?: BatchObserver) {
    this.env = { dataRoot: catalog.dataRoot, masks, observe };
  }

  of(store: ReferStore): StoreLoaders {
    let loaders = this.byStore.get(store);
    if (!loaders) {
      loaders = new StoreLoaders(store, this.env);
      this.byStore.set(store, loaders);
    }
    return loaders;
  }
}
