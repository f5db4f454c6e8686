/**
 * The `refer-graphql` command: serve the API, precompile indexes, generate data.
 */
import type { Cluster } from 'node:cluster';
import { mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultCacheDirOption, defaultDataRoot, packageVersion, parseDatasetList } from './config';
import { defaultCacheDir, loadCatalog, type Catalog, type LoadOptions, type Logger } from './core/catalog';
import { findPairs, parsePairName, refsFileName } from './core/layout';
import { DATASETS } from './sample/datasets';
import { DataError } from './core/errors';
import { DEFAULT_MASK_CACHE_BYTES, MaskCache } from './core/masks';
import { formatWarning } from './core/problems';
import { DEFAULT_LIMITS } from '../schema/context';
import { defaultPort, parseNonNegative, parsePort, parsePositive, parseWorkers, UsageError } from './startup/options';
import { withLazyGlobalCrypto } from './startup/lazy-web-globals';
// The server (graphql-yoga, the schema), cli-progress and the data generator are required
// only by the commands that use them: `--help` or `build-index` need none of the server.
// So is node:cluster (with child_process): only `serve --workers N` needs it before listen();
// and the export bodies' file code, which only build-index writes at start.
type ServerModule = typeof import('./server');
type ClusterModule = typeof import('./startup/cluster');
type DataBodyFileModule = typeof import('./core/export/data-body-file');

interface DataFlags {
  dataRoot: string;
  datasets?: string;
  cacheDir?: string;
  cache: boolean;
}

function withDataFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data-root <dir>', 'REFER data root (folders refcoco/, refclef/, …)').default(defaultDataRoot(), '$REFER_DATA_ROOT or the bundled sample'))
    .addOption(new Option('--datasets <list>', 'comma-separated dataset/splitBy pairs, e.g. refcoco/unc,refclef/unc (default: all found)'))
    .option('--cache-dir <dir>', 'where compiled indexes are kept (default: $REFER_CACHE_DIR, <data-root>/.refer-cache, or ~/.cache/refer-graphql)')
    .option('--no-cache', 'parse the data files every time; never read or write compiled indexes');
}

/** Load messages go to the server's JSON log lines (the same shape as server.ts's). */
const jsonLogger: Logger = (level, message) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message })}\n`);

/** --cors-origin, repeatable: each value must be an origin exactly (scheme://host[:port]). */
function addOrigin(value: string, previous: string[]): string[] {
  let origin: string | undefined;
  try {
    origin = new URL(value).origin;
  } catch {
    origin = undefined;
  }
  if (origin !== value) throw new InvalidArgumentError('expected an origin such as https://example.org (no path, no trailing slash)');
  return [...previous, value];
}

interface ServeFlags extends DataFlags {
  port: number;
  host: string;
  maxPageSize: number;
  maskCacheMb: number;
  jit: boolean;
  corsOrigin: string[];
  workers: number;
}

async function serve(flags: ServeFlags): Promise<void> {
  // A cluster's workers run with the primary's arguments, --workers N included.
  const cluster = flags.workers > 1 ? (require('node:cluster') as Cluster) : undefined;
  if (cluster?.isPrimary) return (require('./startup/cluster') as ClusterModule).runPrimary(flags.workers, jsonLogger);
  const started = performance.now();
  const catalog = loadCatalog(loadOptions(flags, jsonLogger));
  if (catalog.stores.size === 0) {
    throw new DataError(`no dataset could be loaded:\n${catalog.failures.map((f) => `  ${f.pair}: ${f.error}`).join('\n')}`);
  }
  jsonLogger('info', `loaded ${[...catalog.stores.keys()].join(', ')} from ${catalog.dataRoot} in ${Math.round(performance.now() - started)} ms`);
  // A bug in one request must not take the server down: log it and keep serving.
  process.on('unhandledRejection', (reason) => jsonLogger('error', `unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`));
  const { startServer } = withLazyGlobalCrypto(() => require('./server') as ServerModule);
  const server = await startServer(catalog, {
    port: flags.port,
    host: flags.host,
    jit: flags.jit && 'after-first-response',
    corsOrigins: flags.corsOrigin,
    limits: { maxPageSize: flags.maxPageSize },
    masks: new MaskCache(flags.maskCacheMb * 2 ** 20),
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE') throw new UsageError(`port ${flags.port} is in use; pass --port N or set PORT`);
    if (e.code === 'EACCES') throw new UsageError(`port ${flags.port} needs privileges on this machine; pass --port N (≥ 1024) or set PORT`);
    if (e.code === 'EADDRNOTAVAIL') throw new UsageError(`--host ${flags.host} is not an address of this machine`);
    throw e;
  });
  const stop = (signal: string) => {
    jsonLogger('info', `${signal}: finishing in-flight requests, then exiting`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  // Ctrl-C reaches every process of the terminal's group; in a cluster the primary then
  // asks each worker to drain, and a worker that left on its own would be replaced.
  if (cluster?.isWorker) process.on('SIGINT', () => {});
  else process.once('SIGINT', () => stop('SIGINT'));
}

function loadOptions(flags: DataFlags, log: Logger): LoadOptions {
  return {
    dataRoot: flags.dataRoot,
    datasets: parseDatasetList(flags.datasets),
    cacheDir: flags.cache ? (flags.cacheDir ?? defaultCacheDirOption()) : null,
    log,
  };
}

function summarize(catalog: Catalog): string {
  const lines = [...catalog.stores].map(([pair, s]) => {
    const origin = catalog.origins.get(pair);
    return `${pair.padEnd(17)} ${String(s.refCount).padStart(7)} refs ${String(s.sentenceCount).padStart(7)} sentences ${String(s.imageCount).padStart(6)} images ${String(s.annotationCount).padStart(7)} annotations  (${origin?.refs === 'compiled index' ? 'compiled index' : 'parsed'})`;
  });
  for (const f of catalog.failures) lines.push(`${f.pair.padEnd(17)} FAILED: ${f.error}`);
  for (const w of catalog.warnings) lines.push(`warning: ${formatWarning(w)}`);
  return lines.join('\n');
}

/** The files build-index reads, in the catalog's order, with their sizes (0 if unknown). */
function inputFiles(flags: DataFlags): Map<string, number> {
  const root = resolve(flags.dataRoot);
  const sizes = new Map<string, number>();
  const size = (label: string) => {
    try {
      return statSync(join(root, label)).size;
    } catch {
      return 0; // missing: the catalog reports it
    }
  };
  try {
    for (const pair of parseDatasetList(flags.datasets) ?? findPairs(root)) {
      const [dataset, splitBy] = parsePairName(pair);
      for (const label of [`${dataset}/instances.json`, `${dataset}/${refsFileName(splitBy, dataset)}`]) if (!sizes.has(label)) sizes.set(label, size(label));
    }
  } catch {
    // A bad --datasets value: loadCatalog says what is wrong with it.
  }
  return sizes;
}

/** Fails unless compiled indexes can be written to `dir`: build-index exists to write them. */
function checkWritableCacheDir(dir: string): void {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    throw new DataError(`build-index: cannot write compiled indexes to ${dir} (${(e as Error).message}); choose a writable directory with --cache-dir`);
  }
}

const MB = 2 ** 20;

function buildIndex(flags: DataFlags): void {
  const started = Date.now();
  const cacheDir = flags.cache ? (flags.cacheDir ?? defaultCacheDirOption() ?? defaultCacheDir(resolve(flags.dataRoot))) : null;
  if (cacheDir) checkWritableCacheDir(cacheDir);
  const sizes = inputFiles(flags);
  const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  // Progress in bytes: one instances.json is most of the work, so a count of files would
  // sit still through it. The readers report the bytes parsed within each file.
  const { SingleBar } = require('cli-progress') as typeof import('cli-progress');
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: 'compiling {bar} {percentage}% {doneMb}/{totalMb} MB, {rate} MB/s, ETA {eta_formatted} {file}', hideCursor: true })
    : null;
  const messages: string[] = [];
  const options = loadOptions(flags, (level, m) => messages.push(`${level}: ${m}`));
  /** Bytes of the files before the current one, and of the current one so far. */
  let doneBytes = 0;
  let currentBytes = 0;
  let previous: string | undefined;
  const payload = (file: string) => ({
    file,
    doneMb: ((doneBytes + currentBytes) / MB).toFixed(1),
    totalMb: (totalBytes / MB).toFixed(1),
    rate: ((doneBytes + currentBytes) / MB / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
  });
  options.onStep = ({ file, index, total }) => {
    if (previous !== undefined) doneBytes += sizes.get(previous) ?? 0;
    previous = file;
    currentBytes = 0;
    if (!bar) process.stderr.write(`[${index + 1}/${total}] ${file} (${((sizes.get(file) ?? 0) / MB).toFixed(1)} MB)\n`);
    else if (index === 0) bar.start(Math.max(1, totalBytes), 0, payload(file));
    else bar.update(doneBytes, payload(file));
  };
  options.onBytes = (file, bytesDone) => {
    // A file that is no step's (a reload's) would move the bar back: it has none here.
    if (file !== previous) return;
    currentBytes = Math.min(bytesDone, sizes.get(file) ?? bytesDone);
    bar?.update(doneBytes + currentBytes, payload(file));
  };
  const catalog = loadCatalog(options);
  // The Python client's bulk transfer, beside the indexes: a fresh server sends it at once.
  if (cacheDir) (require('./core/export/data-body-file') as DataBodyFileModule).writeDataBodyFiles(catalog, (m) => messages.push(`warn: ${m}`));
  doneBytes = totalBytes;
  currentBytes = 0;
  bar?.update(Math.max(1, totalBytes), payload('done'));
  bar?.stop();
  for (const m of messages) process.stderr.write(`${m}\n`);
  const unwritten = messages.filter((m) => m.includes('could not write compiled index'));
  process.stdout.write(`${summarize(catalog)}\n${buildResult(catalog, cacheDir, unwritten.length, (Date.now() - started) / 1000)}\n`);
  if (catalog.failures.length > 0 || unwritten.length > 0) process.exitCode = 1;
}

/** The last line of build-index: what was written where, or why nothing was. */
function buildResult(catalog: Catalog, cacheDir: string | null, unwritten: number, seconds: number): string {
  const time = `${seconds.toFixed(1)} s`;
  if (!cacheDir) return `checked in ${time}; --no-cache: no compiled index written`;
  if (unwritten > 0) return `${unwritten} compiled index(es) could not be written to ${cacheDir} (see the warnings above)`;
  const origins = [...catalog.origins.values()].flatMap((o) => [o.instances, o.refs]);
  if (origins.length > 0 && origins.every((o) => o === 'compiled index')) return `compiled indexes in ${cacheDir} are up to date (checked in ${time})`;
  return `compiled into ${cacheDir} in ${time}`;
}

/** --thresholds 0.5,0.75: numbers in [0, 1]. */
function parseThresholds(value: string): number[] {
  return value.split(',').map((t) => {
    const n = Number(t);
    if (t.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError(`expected comma-separated numbers in [0, 1], got "${t}"`);
    return n;
  });
}

/** A progress bar on a terminal, for files large enough to wait for. */
const PROGRESS_FROM_PREDICTIONS = 20_000;

interface EvaluateFlags {
  dataRoot: string;
  dataset: string;
  split: string;
  task: string;
  json?: boolean;
  iou?: string;
  boxFormat?: string;
  boxScale?: string;
  thresholds?: number[];
  cacheDir?: string;
  cache: boolean;
}

async function evaluate(file: string, flags: EvaluateFlags): Promise<void> {
  const { runEvaluateCommand } = require('./eval/command') as typeof import('./eval/command');
  const { SingleBar } = require('cli-progress') as typeof import('cli-progress');
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'evaluating {bar} {percentage}% {stage} {value}/{total}', hideCursor: true }) : null;
  let started = false;
  const out = await runEvaluateCommand({
    ...flags,
    file,
    cacheDir: flags.cache ? (flags.cacheDir ?? defaultCacheDirOption()) : null,
    onProgress: (p, predictions) => {
      if (!bar || predictions < PROGRESS_FROM_PREDICTIONS) return;
      // Each stage (reading, matching, scoring, …) counts its own total.
      if (!started) bar.start(p.total, p.done, { stage: p.stage });
      else if (bar.getTotal() !== p.total) bar.setTotal(p.total);
      started = true;
      bar.update(p.done, { stage: p.stage });
    },
  }).finally(() => bar?.stop());
  process.stdout.write(out);
}

function parseScale(value: string): 'sample' | 'full' | number {
  if (value === 'sample' || value === 'full') return value;
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('use "sample", "full" or a fraction of full size in (0, 1]');
  return n;
}

/** generate-data's dataset names, checked before anything is written. */
function parseGeneratedDatasets(value: string): string[] {
  const names = parseDatasetList(value) ?? [];
  const valid: readonly string[] = DATASETS;
  const unknown = names.find((n) => !valid.includes(n));
  if (unknown !== undefined) throw new InvalidArgumentError(`unknown dataset "${unknown}"; valid: ${valid.join(', ')}`);
  return names;
}

export function buildProgram(): Command {
  const program = new Command('refer-graphql')
    .description('A GraphQL API over the REFER datasets (RefClef, RefCOCO, RefCOCO+, RefCOCOg)')
    .version(packageVersion(), '-V, --version', 'print the version');

  withDataFlags(program.command('serve').description('load the data and serve the explorer at / and the GraphQL API at /graphql (GraphiQL in a browser)'))
    .addOption(new Option('--port <n>', 'port to listen on; 0 picks a free one (default: $PORT or 4000)').argParser(parsePort))
    .option('--host <host>', 'interface to bind; 0.0.0.0 serves the network', '127.0.0.1')
    .option('--max-page-size <n>', 'largest `first:` of a connection', parsePositive, DEFAULT_LIMITS.maxPageSize)
    .option('--mask-cache-mb <n>', 'memory for computed masks (least recently used go first)', parseNonNegative, DEFAULT_MASK_CACHE_BYTES / 2 ** 20)
    .addOption(new Option('--cors-origin <origin>', 'let only this origin read from browsers (repeatable); never with credentials').argParser(addOrigin).default([], 'any origin'))
    .option('--no-jit', 'execute with graphql-js instead of compiling queries with graphql-jit')
    .addOption(new Option('--workers <n>', 'server processes sharing the port ("auto": one per core); SIGHUP replaces them one by one').argParser(parseWorkers).default(1))
    .action((flags: Omit<ServeFlags, 'port'> & { port?: number }) => serve({ ...flags, port: flags.port ?? defaultPort() }));

  withDataFlags(program.command('build-index').description('parse the data files and write the compiled indexes, so that servers start in milliseconds')).action(buildIndex);

  program
    .command('generate-data')
    .description('write a synthetic REFER data root in the real on-disk formats (deterministic)')
    .requiredOption('--out <dir>', 'the data root to write')
    .option('--scale <scale>', 'sample, full (RefCOCO-sized), or a fraction of full', parseScale, 'sample')
    .addOption(new Option('--seed <n>', 'random seed (default: the generator\'s fixed one)').argParser(parseNonNegative))
    .addOption(new Option('--datasets <list>', `only these datasets, e.g. refcoco,grefcoco (default: all: ${DATASETS.join(', ')})`).argParser(parseGeneratedDatasets))
    .action(async (flags: { out: string; scale: 'sample' | 'full' | number; seed?: number; datasets?: string[] }) => {
      const { DEFAULT_SEED, formatSummary, generateDataRoot } = require('./sample/generate') as typeof import('./sample/generate');
      const summary = await generateDataRoot({ out: flags.out, scale: flags.scale, seed: flags.seed ?? DEFAULT_SEED, datasets: flags.datasets?.length ? flags.datasets : undefined });
      process.stdout.write(`${formatSummary(summary)}\n`);
    });

  program
    .command('evaluate')
    .description("score a predictions file on a split with the published metrics (REFER/MAttNet boxes, LAVT masks, refEvaluation's expressions)")
    .argument('<predictions>', 'a JSON array of predictions (.json, or gzip-compressed)')
    .addOption(new Option('--data-root <dir>', 'REFER data root').default(defaultDataRoot(), '$REFER_DATA_ROOT or the bundled sample'))
    .requiredOption('--dataset <pair>', 'the dataset/splitBy pair, e.g. refcoco/unc')
    .requiredOption('--split <split>', 'train, val, test, testA, testB, …')
    .option('--task <task>', 'boxes, masks or expressions', 'boxes')
    .option('--json', 'print the whole report as JSON instead of the table')
    .option('--iou <convention>', 'boxes: published (computeIoU) or continuous (torchvision box_iou)', 'published')
    .option('--box-format <format>', 'boxes: xywh or xyxy', 'xywh')
    .option('--box-scale <scale>', 'boxes: pixels, 1 (shares in [0, 1]) or 1000 (in [0, 1000])', 'pixels')
    .option('--thresholds <list>', 'boxes: accuracy thresholds besides 0.5 (default 0.25,0.5,0.75,0.9)', parseThresholds)
    .option('--cache-dir <dir>', 'where compiled indexes are kept')
    .option('--no-cache', 'parse the data files; never read or write compiled indexes')
    .action(evaluate);

  return program;
}

export function main(argv: string[]): Promise<void> {
  return buildProgram()
    .parseAsync(argv)
    .then(() => undefined)
    .catch((e: unknown) => {
      // A data problem is the user's to fix: say it plainly, without a stack trace.
      // So is a bad option or a busy port.
      process.stderr.write(`refer-graphql: ${e instanceof DataError || e instanceof UsageError ? e.message : (e as Error).stack}\n`);
      process.exitCode = 1;
    });
}

if (require.main === module) void main(process.argv);
