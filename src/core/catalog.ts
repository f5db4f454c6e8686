/**
 * Finds the dataset/splitBy pairs under a REFER data root and loads them, through the
 * compiled index when it is current. Every splitBy of a dataset shares one loaded
 * instances.json.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fingerprintFile, readCompiledIndex, writeCompiledIndex } from './read/compiled-index';
import { DataError, NotFoundError } from './errors';
import { readInstances } from './read/instances';
import { formatWarning, type LoadWarning } from './problems';
import { joinRefs, parseRefs } from './read/refs';
import { parseRefsInWorker, WORKER_MIN_INSTANCES_BYTES, type PendingRefs } from './read/refs-in-worker';
import { InstancesIndex, ReferStore } from './store/store';
import type { InstancesTables, RefTables } from './store/tables';

/** Every published dataset and its splitBys. */
export const KNOWN_PAIRS: Record<string, string[]> = {
  refclef: ['unc', 'berkeley'],
  refcoco: ['unc', 'google'],
  'refcoco+': ['unc'],
  refcocog: ['google', 'umd'],
};

export const ALL_PAIR_NAMES = Object.entries(KNOWN_PAIRS).flatMap(([d, splits]) => splits.map((s) => `${d}/${s}`));

export type LogLevel = 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string) => void;

export interface LoadOptions {
  dataRoot: string;
  /** "dataset/splitBy" names; default: every pair found under dataRoot. */
  datasets?: readonly string[];
  /** Where compiled indexes live; default: see defaultCacheDir. null: no cache. */
  cacheDir?: string | null;
  log?: Logger;
  /**
   * Parse refs pickles in worker threads while instances.json is read: 'auto' (default)
   * when there are two cores and instances.json is big enough for it to pay.
   */
  refsWorkers?: 'auto' | 'always' | 'never';
  /** Called before each file is read or compiled, for progress display. */
  onStep?: (step: { pair: string; file: string; index: number; total: number }) => void;
}

export interface PairFailure {
  pair: string;
  error: string;
}

export function refsFileName(splitBy: string): string {
  return `refs(${splitBy}).p`;
}

/** Splits "refcoco/unc" and checks it is a published pair. */
export function parsePairName(name: string): [string, string] {
  const [dataset, splitBy, extra] = name.split('/');
  if (extra !== undefined || !KNOWN_PAIRS[dataset]?.includes(splitBy ?? '')) {
    throw new NotFoundError(`unknown dataset "${name}"; valid: ${ALL_PAIR_NAMES.join(', ')}`);
  }
  return [dataset, splitBy];
}

/** Pairs whose instances.json and refs file both exist under dataRoot. */
export function findPairs(dataRoot: string): string[] {
  return ALL_PAIR_NAMES.filter((name) => {
    const [dataset, splitBy] = name.split('/');
    return existsSync(join(dataRoot, dataset, 'instances.json')) && existsSync(join(dataRoot, dataset, refsFileName(splitBy)));
  });
}

function isWritableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `<dataRoot>/.refer-cache`, or under the user's cache dir when the data is read-only. */
export function defaultCacheDir(dataRoot: string): string {
  const beside = join(resolve(dataRoot), '.refer-cache');
  if (isWritableDir(beside)) return beside;
  const userCache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const key = createHash('sha1').update(resolve(dataRoot)).digest('hex').slice(0, 12);
  return join(userCache, 'refer-graphql', key);
}

/** All loaded pairs of one data root. */
export class Catalog {
  constructor(
    readonly dataRoot: string,
    readonly stores: ReadonlyMap<string, ReferStore>,
    readonly failures: readonly PairFailure[],
    /** Per pair, whether each file was read from the compiled index or parsed. */
    readonly origins: ReadonlyMap<string, { instances: Origin; refs: Origin }> = new Map(),
  ) {}

  get(dataset: string, splitBy: string): ReferStore {
    const store = this.stores.get(`${dataset}/${splitBy}`);
    if (!store) {
      const failure = this.failures.find((f) => f.pair === `${dataset}/${splitBy}`);
      if (failure) throw new DataError(`${dataset}/${splitBy} failed to load: ${failure.error}`);
      throw new NotFoundError(`no dataset ${dataset}/${splitBy} is loaded; loaded: ${[...this.stores.keys()].join(', ') || 'none'}`);
    }
    return store;
  }

  get warnings(): LoadWarning[] {
    return [...this.stores.values()].flatMap((s) => s.warnings);
  }
}

/** Where a file's tables came from on this start. */
export type Origin = 'compiled index' | 'data file';

function valueAt(tree: unknown, keyPath: string[]): unknown {
  return keyPath.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], tree);
}

/** Loads one file's tables through the compiled index. */
function compiled<T>(opts: LoadOptions, cachePath: string | null, kind: string, fingerprint: string, build: () => T): [T, Origin] {
  const log = opts.log ?? (() => {});
  const buildAndWrite = (): T => {
    const tables = build();
    if (cachePath) {
      try {
        writeCompiledIndex(cachePath, kind, fingerprint, tables);
      } catch (e) {
        log('warn', `could not write compiled index ${cachePath}: ${(e as Error).message}; continuing without it`);
      }
    }
    return tables;
  };
  if (cachePath) {
    // A large section read on first use can still turn out damaged: then rebuild (once)
    // and take that part from the fresh tables, whose rows are the same.
    let rebuilt: T | undefined;
    const onLazyFailure = (keyPath: string[], detail: string) => {
      if (!rebuilt) {
        log('warn', `compiled index ${cachePath} is corrupt (${detail}); rebuilding it from the data files`);
        rebuilt = buildAndWrite();
      }
      return valueAt(rebuilt, keyPath);
    };
    const read = readCompiledIndex<T>(cachePath, kind, fingerprint, onLazyFailure);
    if (read.ok) return [read.tree, 'compiled index'];
    if (read.reason === 'corrupt') log('warn', `compiled index ${cachePath} is corrupt (${read.detail}); rebuilding it from the data files`);
    else if (read.reason === 'stale') log('info', `compiled index ${cachePath} is out of date (${read.detail}); rebuilding`);
  }
  return [buildAndWrite(), 'data file'];
}

export function loadCatalog(opts: LoadOptions): Catalog {
  const dataRoot = resolve(opts.dataRoot);
  if (!existsSync(dataRoot)) throw new DataError(`data root ${dataRoot} does not exist`);
  const names = opts.datasets?.length ? opts.datasets.map((n) => parsePairName(n).join('/')) : findPairs(dataRoot);
  if (names.length === 0) {
    throw new DataError(`no REFER data found under ${dataRoot}: expected <dataset>/instances.json and <dataset>/refs(<splitBy>).p for one of ${ALL_PAIR_NAMES.join(', ')}`);
  }
  const cacheDir = opts.cacheDir === null ? null : (opts.cacheDir ?? defaultCacheDir(dataRoot));
  const log = opts.log ?? (() => {});
  const instancesByDataset = new Map<string, { index: InstancesIndex; fingerprint: string; origin: Origin } | Error>();
  const stores = new Map<string, ReferStore>();
  const failures: PairFailure[] = [];
  const origins = new Map<string, { instances: Origin; refs: Origin }>();
  const steps = names.length + new Set(names.map((n) => n.split('/')[0])).size;
  let step = 0;
  // Refs pickles parsed in worker threads while their instances.json is read.
  const pendingRefs = new Map<string, PendingRefs>();
  const startRefsWorkers = (dataset: string, instancesBytes: number) => {
    const mode = opts.refsWorkers ?? 'auto';
    if (mode === 'never' || (mode === 'auto' && (availableParallelism() < 2 || instancesBytes < WORKER_MIN_INSTANCES_BYTES))) return;
    for (const pair of names.filter((n) => n.startsWith(`${dataset}/`))) {
      const file = join(dataRoot, dataset, refsFileName(pair.split('/')[1]));
      if (existsSync(file)) pendingRefs.set(pair, parseRefsInWorker(file, `${dataset}/${refsFileName(pair.split('/')[1])}`));
    }
  };

  const instancesOf = (dataset: string, pair: string) => {
    let entry = instancesByDataset.get(dataset);
    if (!entry) {
      const file = join(dataRoot, dataset, 'instances.json');
      const label = `${dataset}/instances.json`;
      opts.onStep?.({ pair, file: label, index: step++, total: steps });
      try {
        if (!existsSync(file)) throw new DataError(`${label} not found under ${dataRoot}`);
        // Fingerprints only matter to compiled indexes: without a cache, skip their reads.
        const fingerprint = cacheDir ? fingerprintFile(file, false) : '';
        const [tables, origin] = compiled<InstancesTables>(opts, cacheDir && join(cacheDir, `${dataset}.instances.idx`), `instances ${dataset}`, fingerprint, () => {
          // Its refs files' compiled indexes depend on this file, so they will be rebuilt too.
          startRefsWorkers(dataset, statSync(file).size);
          return readInstances(readFileSync(file), label);
        });
        entry = { index: new InstancesIndex(tables), fingerprint, origin };
      } catch (e) {
        entry = e as Error;
      }
      instancesByDataset.set(dataset, entry);
    }
    if (entry instanceof Error) throw entry;
    return entry;
  };

  for (const pair of names) {
    const [dataset, splitBy] = pair.split('/');
    try {
      const instances = instancesOf(dataset, pair);
      const file = join(dataRoot, dataset, refsFileName(splitBy));
      const label = `${dataset}/${refsFileName(splitBy)}`;
      opts.onStep?.({ pair, file: label, index: step++, total: steps });
      if (!existsSync(file)) throw new DataError(`${label} not found under ${dataRoot}`);
      const fingerprint = cacheDir ? `${fingerprintFile(file, true)}|${instances.fingerprint}` : '';
      const { tables } = instances.index;
      const [refs, origin] = compiled<RefTables>(opts, cacheDir && join(cacheDir, `${dataset}_${splitBy}.refs.idx`), `refs ${pair}`, fingerprint, () => {
        const pending = pendingRefs.get(pair);
        pendingRefs.delete(pair);
        const parsed = pending ? pending.result() : parseRefs(readFileSync(file), label);
        return joinRefs(parsed, label, {
          annRow: (id) => instances.index.annRowById.get(id),
          imageRow: (id) => instances.index.imageRowById.get(id),
          imageOfAnn: (row) => tables.annotations.imageRow[row],
          categoryExists: (id) => instances.index.categoryRowById.has(id),
        });
      });
      const store = new ReferStore(dataset, splitBy, instances.index, refs);
      origins.set(pair, { instances: instances.origin, refs: origin });
      for (const w of refs.warnings) log('warn', formatWarning(w));
      stores.set(pair, store);
    } catch (e) {
      // Data problems and file-system errors (unreadable file, a directory in its place)
      // fail this pair only; anything else is a bug and propagates.
      if (!(e instanceof DataError) && !(e as NodeJS.ErrnoException).code) throw e;
      failures.push({ pair, error: (e as Error).message });
      log('error', `${pair}: ${(e as Error).message}`);
    }
  }
  for (const pending of pendingRefs.values()) pending.cancel();
  for (const [, entry] of instancesByDataset) {
    if (!(entry instanceof Error)) for (const w of entry.index.tables.warnings) log('warn', formatWarning(w));
  }
  return new Catalog(dataRoot, stores, failures, origins);
}
