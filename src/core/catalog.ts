/**
 * Loading and reloading the dataset/splitBy pairs of a REFER data root, through the
 * compiled index when it is current. Every splitBy of a dataset shares one loaded
 * instances.json. One pair that fails, for whatever reason, fails alone: the others
 * load, and the failure is logged and listed with its pair.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { readCompiledIndex, writeCompiledIndex } from './read/compiled-index';
import { stampSources, type SourceFile } from './read/compiled-index-sources';
import { DataError, NotFoundError, StaleIndexError } from './errors';
import { readInstances } from './read/instances';
import { ALL_PAIR_NAMES, findPairs, GREFCOCO, INSTANCES_FILE, parsePairName, refsFileName, refsFilePath } from './layout';
import { gRefsAsRefTables, readGRefs } from './read/grefs';
import { formatWarning, type LoadWarning } from './problems';
import { joinRefs, parseRefs } from './read/refs';
import type { PendingRefs } from './read/refs-in-worker';
import type { ByteProgress } from './read/progress';
import { readRegularFile } from './read/regular-file';
import { InstancesIndex, ReferStore } from './store/store';
import type { InstancesTables, RefTables } from './store/tables';

export type LogLevel = 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string) => void;

export interface LoadOptions {
  dataRoot: string;
  /** "dataset/splitBy" names; default: every pair found under dataRoot. */
  datasets?: readonly string[];
  /**
   * Where compiled indexes live; default: see defaultCacheDir. null: no cache. A folder
   * given here may be shared by several data roots: each gets its own subfolder in it.
   */
  cacheDir?: string | null;
  log?: Logger;
  /**
   * Parse refs pickles in worker threads while instances.json is read: 'auto' (default)
   * when there are two cores and instances.json is big enough for it to pay.
   */
  refsWorkers?: 'auto' | 'always' | 'never';
  /** Called before each file is read or compiled, for progress display. */
  onStep?: (step: { pair: string; file: string; index: number; total: number }) => void;
  /**
   * Called while a file is parsed, with the bytes of it parsed so far: increasing, the
   * last call its size. Not called for a file whose compiled index is used.
   */
  onBytes?: (file: string, bytesDone: number) => void;
}

export interface PairFailure {
  pair: string;
  error: string;
}

/** Where a file's tables came from on this start. */
export type Origin = 'compiled index' | 'data file';

export interface PairOrigins {
  instances: Origin;
  refs: Origin;
}

/** A key of a data root, for cache folders that several data roots may share. */
export function dataRootKey(dataRoot: string): string {
  return createHash('sha1').update(resolve(dataRoot)).digest('hex').slice(0, 12);
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
  return join(userCache, 'refer-graphql', dataRootKey(dataRoot));
}

/**
 * The folder of one data root's compiled indexes: the default one is already the data
 * root's own; a given one (REFER_CACHE_DIR, --cache-dir) gets a subfolder per data root,
 * so that two roots sharing it do not rebuild each other's indexes on every start.
 */
export function compiledIndexDir(dataRoot: string, cacheDir: string | null | undefined): string | null {
  if (cacheDir === null) return null;
  return cacheDir === undefined ? defaultCacheDir(dataRoot) : join(cacheDir, dataRootKey(dataRoot));
}

/** Loads one pair again from the files (used by Catalog.reload). */
export type PairLoader = (pair: string) => LoadedPair;

export interface LoadedPair {
  store: ReferStore;
  origins: PairOrigins;
  /** Identities of the compiled index files it was read from (to see them replaced). */
  indexFiles: ReadonlyMap<string, string | undefined>;
}

/** All loaded pairs of one data root. */
export class Catalog {
  private readonly live: Map<string, ReferStore>;
  private readonly liveOrigins: Map<string, PairOrigins>;
  private readonly indexFiles = new Map<string, ReadonlyMap<string, string | undefined>>();
  private readonly reloads = new Map<string, Promise<void>>();

  constructor(
    readonly dataRoot: string,
    stores: ReadonlyMap<string, ReferStore>,
    readonly failures: readonly PairFailure[],
    /** Per pair, whether each file was read from the compiled index or parsed. */
    origins: ReadonlyMap<string, PairOrigins> = new Map(),
    private readonly loadPairAgain?: PairLoader,
    private readonly log: Logger = () => {},
  ) {
    this.live = new Map(stores);
    this.liveOrigins = new Map(origins);
  }

  get stores(): ReadonlyMap<string, ReferStore> {
    return this.live;
  }

  get origins(): ReadonlyMap<string, PairOrigins> {
    return this.liveOrigins;
  }

  get(dataset: string, splitBy: string): ReferStore {
    const store = this.live.get(`${dataset}/${splitBy}`);
    if (!store) {
      const failure = this.failures.find((f) => f.pair === `${dataset}/${splitBy}`);
      if (failure) throw new DataError(`${dataset}/${splitBy} failed to load: ${failure.error}`);
      throw new NotFoundError(`no dataset ${dataset}/${splitBy} is loaded; loaded: ${[...this.live.keys()].join(', ') || 'none'}`);
    }
    return store;
  }

  get warnings(): LoadWarning[] {
    return [...this.live.values()].flatMap((s) => s.warnings);
  }

  /** The compiled index files `pair` was read from or written to, with their identities then; undefined without a cache. */
  indexFilesOf(pair: string): ReadonlyMap<string, string | undefined> | undefined {
    return this.indexFiles.get(pair);
  }

  /** Remembers which compiled index files a pair was read from. */
  noteIndexFiles(pair: string, files: ReadonlyMap<string, string | undefined>): void {
    this.indexFiles.set(pair, files);
  }

  /**
   * Loads `pair` again, whole (its instances.json too), after the current request has
   * been answered, and swaps the new store in when it is complete: until then the old one
   * keeps answering. Calls while a reload runs share it. A reload that fails is logged
   * and leaves the old store in place.
   */
  reload(pair: string): Promise<void> {
    const running = this.reloads.get(pair);
    if (running) return running;
    const reload = new Promise<void>((done) => setImmediate(done))
      .then(() => this.swapIn(pair))
      .finally(() => this.reloads.delete(pair));
    this.reloads.set(pair, reload);
    return reload;
  }

  /** Reloads started and not yet done. */
  get pendingReloads(): Promise<void> {
    return Promise.all(this.reloads.values()).then(() => {});
  }

  /**
   * A request hit a StaleIndexError: a compiled index was rewritten under us. Schedules
   * the reload of every pair whose index files are no longer the ones it was read from.
   */
  staleIndexSeen(error: StaleIndexError): void {
    for (const [pair, files] of this.indexFiles) {
      if ([...files].some(([path, identity]) => fileIdentity(path) !== identity)) {
        this.log('warn', `${pair}: ${error.message}; reloading the pair`);
        void this.reload(pair);
      }
    }
  }

  private swapIn(pair: string): void {
    if (!this.loadPairAgain) throw new DataError(`${pair}: this catalog cannot reload pairs`);
    try {
      const loaded = this.loadPairAgain(pair);
      this.live.set(pair, loaded.store);
      this.liveOrigins.set(pair, loaded.origins);
      this.indexFiles.set(pair, loaded.indexFiles);
      this.log('info', `${pair}: reloaded`);
    } catch (e) {
      this.log('error', `${pair}: reload failed, still serving the data loaded before: ${describeFailure(e)}`);
    }
  }
}

/** Device, inode, size and time of a file; undefined when there is none (or no folder for it). */
function fileIdentity(path: string): string | undefined {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat && `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** Any error as one line for the log and PairFailure.error. */
function describeFailure(e: unknown): string {
  if (e instanceof DataError || (e as NodeJS.ErrnoException)?.code) return (e as Error).message;
  // Not a data problem we know (a RangeError or stack overflow from a crafted file, a
  // bug): still this pair's failure only, named as what it is.
  return e instanceof Error ? `unexpected ${e.name}: ${e.message}` : `unexpected failure: ${String(e)}`;
}

function valueAt(tree: unknown, keyPath: string[]): unknown {
  return keyPath.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], tree);
}

/** One load of some pairs: its options, and what the pairs of a dataset share. */
class LoadRun {
  readonly dataRoot: string;
  readonly indexDir: string | null;
  readonly log: Logger;
  private readonly instancesByDataset = new Map<string, LoadedInstances | Error>();
  private readonly pendingRefs = new Map<string, PendingRefs>();
  private step = 0;

  constructor(
    readonly opts: LoadOptions,
    readonly names: readonly string[],
  ) {
    this.dataRoot = resolve(opts.dataRoot);
    this.indexDir = compiledIndexDir(this.dataRoot, opts.cacheDir);
    this.log = opts.log ?? (() => {});
  }

  get stepCount(): number {
    return this.names.length + new Set(this.names.map((n) => n.split('/')[0])).size;
  }

  nextStep(pair: string, file: string): void {
    this.opts.onStep?.({ pair, file, index: this.step++, total: this.stepCount });
  }

  /** The progress callback for parsing `file`, if anyone listens. */
  bytesProgress(file: string): ByteProgress | undefined {
    const { onBytes } = this.opts;
    return onBytes && ((bytesDone) => onBytes(file, bytesDone));
  }

  indexPath(fileName: string): string | null {
    return this.indexDir && join(this.indexDir, fileName);
  }

  /** The instances of a dataset, loaded once per run (or its error, once). */
  instancesOf(dataset: string, pair: string): LoadedInstances {
    let entry = this.instancesByDataset.get(dataset);
    if (!entry) {
      try {
        entry = loadInstances(this, dataset, pair);
      } catch (e) {
        entry = e instanceof Error ? e : new Error(String(e));
      }
      this.instancesByDataset.set(dataset, entry);
    }
    if (entry instanceof Error) throw entry;
    return entry;
  }

  /** Starts parsing the refs pickles of a dataset in worker threads, when that pays. */
  startRefsWorkers(dataset: string, instancesBytes: number): void {
    // Required here, not at start: a start from compiled indexes never parses (and
    // node:worker_threads costs a few ms to load).
    const { parseRefsInWorker, WORKER_MIN_INSTANCES_BYTES } = require('./read/refs-in-worker') as typeof import('./read/refs-in-worker');
    const mode = this.opts.refsWorkers ?? 'auto';
    if (mode === 'never' || (mode === 'auto' && (availableParallelism() < 2 || instancesBytes < WORKER_MIN_INSTANCES_BYTES))) return;
    // gRefCOCO's refs are JSON, read by the main thread.
    if (dataset === GREFCOCO) return;
    for (const pair of this.names.filter((n) => n.startsWith(`${dataset}/`))) {
      const fileName = refsFileName(pair.split('/')[1]);
      const file = join(this.dataRoot, dataset, fileName);
      if (existsSync(file)) this.pendingRefs.set(pair, parseRefsInWorker(file, `${dataset}/${fileName}`));
    }
  }

  /** The worker's parse of a pair's refs, if one was started. */
  takePendingRefs(pair: string): PendingRefs | undefined {
    const pending = this.pendingRefs.get(pair);
    this.pendingRefs.delete(pair);
    return pending;
  }

  finish(): void {
    for (const pending of this.pendingRefs.values()) pending.cancel();
    for (const entry of this.instancesByDataset.values()) {
      if (!(entry instanceof Error)) for (const w of entry.index.tables.warnings) this.log('warn', formatWarning(w));
    }
  }
}

interface LoadedInstances {
  index: InstancesIndex;
  source: SourceFile;
  origin: Origin;
  /** The compiled index file read or written, with its identity then. */
  indexFile?: [path: string, identity: string | undefined];
}

/**
 * Loads one file's tables through the compiled index at `cachePath`, or builds them;
 * with the identity of the index file they belong to (undefined without one).
 */
function compiled<T>(log: Logger, cachePath: string | null, kind: string, sources: readonly SourceFile[], build: () => T): [T, Origin, string | undefined] {
  const buildAndWrite = (): T => {
    // Stamped before they are read: a file changed during the build is then seen as changed.
    const stamps = cachePath ? stampSources(sources) : [];
    const tables = build();
    if (cachePath) {
      try {
        writeCompiledIndex(cachePath, kind, stamps, tables);
      } catch (e) {
        log('warn', `could not write compiled index ${cachePath}: ${(e as Error).message}; continuing without it`);
      }
    }
    return tables;
  };
  if (cachePath) {
    const loadedAs = fileIdentity(cachePath);
    // A large section read on first use can still turn out damaged: then rebuild (once)
    // and take that part from the fresh tables, whose rows are the same. Unless the file
    // was replaced since it was loaded: the data files may have changed with it, so its
    // rows may not be ours, and the pair must be reloaded whole (Catalog.staleIndexSeen).
    let rebuilt: T | undefined;
    const onLazyFailure = (keyPath: string[], detail: string) => {
      if (!rebuilt) {
        if (fileIdentity(cachePath) !== loadedAs) throw new StaleIndexError(`compiled index ${cachePath}: ${detail}: the file was replaced since it was loaded`);
        log('warn', `compiled index ${cachePath} is corrupt (${detail}); rebuilding it from the data files`);
        rebuilt = buildAndWrite();
      }
      return valueAt(rebuilt, keyPath);
    };
    const read = readCompiledIndex<T>(cachePath, kind, sources, onLazyFailure);
    if (read.ok) return [read.tree, 'compiled index', loadedAs];
    if (read.reason === 'corrupt') log('warn', `compiled index ${cachePath} is corrupt (${read.detail}); rebuilding it from the data files`);
    else if (read.reason === 'stale') log('info', `compiled index ${cachePath} is out of date (${read.detail}); rebuilding`);
  }
  const tables = buildAndWrite();
  return [tables, 'data file', cachePath ? fileIdentity(cachePath) : undefined];
}

/** instances.json is large: its fingerprint hashes its first and last MiB. */
function instancesSource(path: string): SourceFile {
  return { path, hashWhole: false };
}

function loadInstances(run: LoadRun, dataset: string, pair: string): LoadedInstances {
  const file = join(run.dataRoot, dataset, INSTANCES_FILE);
  const label = `${dataset}/${INSTANCES_FILE}`;
  run.nextStep(pair, label);
  if (!existsSync(file)) throw new DataError(`${label} not found under ${run.dataRoot}`);
  const indexPath = run.indexPath(`${dataset}.instances.idx`);
  const [tables, origin, identity] = compiled<InstancesTables>(run.log, indexPath, `instances ${dataset}`, [instancesSource(file)], () => {
    // Its refs files' compiled indexes depend on this file, so they will be rebuilt too.
    run.startRefsWorkers(dataset, statSync(file).size);
    return readInstances(readRegularFile(file, label), label, run.bytesProgress(label));
  });
  return { index: new InstancesIndex(tables), source: instancesSource(file), origin, indexFile: indexPath ? [indexPath, identity] : undefined };
}

function loadRefs(run: LoadRun, pair: string, instances: LoadedInstances): { refs: RefTables; origin: Origin; indexFile?: [string, string | undefined] } {
  const [dataset, splitBy] = pair.split('/');
  const file = refsFilePath(run.dataRoot, dataset, splitBy);
  const label = `${dataset}/${basename(file)}`;
  run.nextStep(pair, label);
  if (!existsSync(file)) throw new DataError(`${label} not found under ${run.dataRoot}`);
  const indexPath = run.indexPath(`${dataset}_${splitBy}.refs.idx`);
  const { index } = instances;
  // The refs' rows point into instances.json: a changed one makes them stale too.
  const sources = [{ path: file, hashWhole: true }, instances.source];
  const [refs, origin, identity] = compiled<RefTables>(run.log, indexPath, `refs ${pair}`, sources, () => {
    const progress = run.bytesProgress(label);
    if (dataset === GREFCOCO) {
      const bytes = readRegularFile(file, label);
      const tables = gRefsAsRefTables(readGRefs(bytes, label, index.tables));
      progress?.(bytes.byteLength); // read in one go: no progress within it
      return tables;
    }
    const pending = run.takePendingRefs(pair);
    // A worker's parse reports nothing while this thread reads instances.json: it is done
    // when its result is taken.
    const parsed = pending ? pending.result() : parseRefs(readRegularFile(file, label), label, progress);
    if (pending) progress?.(statSync(file).size);
    return joinRefs(parsed, label, {
      annRow: (id) => index.annRowById.get(id),
      imageRow: (id) => index.imageRowById.get(id),
      imageOfAnn: (row) => index.tables.annotations.imageRow[row],
      categoryExists: (id) => index.categoryRowById.has(id),
    });
  });
  return { refs, origin, indexFile: indexPath ? [indexPath, identity] : undefined };
}

function loadPair(run: LoadRun, pair: string): LoadedPair {
  const [dataset, splitBy] = pair.split('/');
  const instances = run.instancesOf(dataset, pair);
  const { refs, origin, indexFile } = loadRefs(run, pair, instances);
  for (const w of refs.warnings) run.log('warn', formatWarning(w));
  const indexFiles = new Map([instances.indexFile, indexFile].filter((f) => f !== undefined));
  return { store: new ReferStore(dataset, splitBy, instances.index, refs), origins: { instances: instances.origin, refs: origin }, indexFiles };
}

/** The pairs a load asks for: the given names (checked), or all found under the root. */
function pairNames(opts: LoadOptions, dataRoot: string): string[] {
  const names = opts.datasets?.length ? opts.datasets.map((n) => parsePairName(n).join('/')) : findPairs(dataRoot);
  if (names.length === 0) {
    throw new DataError(`no REFER data found under ${dataRoot}: expected <dataset>/instances.json and <dataset>/refs(<splitBy>).p (grefcoco: grefs(<splitBy>).json) for one of ${ALL_PAIR_NAMES.join(', ')}`);
  }
  return names;
}

export function loadCatalog(opts: LoadOptions): Catalog {
  const dataRoot = resolve(opts.dataRoot);
  if (!existsSync(dataRoot)) throw new DataError(`data root ${dataRoot} does not exist`);
  const run = new LoadRun(opts, pairNames(opts, dataRoot));
  const loaded = new Map<string, LoadedPair>();
  const failures: PairFailure[] = [];
  for (const pair of run.names) {
    try {
      loaded.set(pair, loadPair(run, pair));
    } catch (e) {
      const error = describeFailure(e);
      failures.push({ pair, error });
      run.log('error', `${pair}: ${error}`);
    }
  }
  run.finish();
  // A reload reads its pair afresh, instances.json included, on this thread.
  const loadAgain: PairLoader = (pair) => {
    const again = new LoadRun({ ...opts, refsWorkers: 'never', onStep: undefined }, [pair]);
    return loadPair(again, pair);
  };
  const catalog = new Catalog(
    dataRoot,
    new Map([...loaded].map(([pair, p]) => [pair, p.store])),
    failures,
    new Map([...loaded].map(([pair, p]) => [pair, p.origins])),
    loadAgain,
    run.log,
  );
  for (const [pair, p] of loaded) catalog.noteIndexFiles(pair, p.indexFiles);
  return catalog;
}
