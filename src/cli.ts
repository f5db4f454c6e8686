/**
 * The `refer-graphql` command: serve the API, precompile indexes, generate data.
 */
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar } from 'cli-progress';
import { defaultCacheDirOption, defaultDataRoot, parseDatasetList } from './config';
import { loadCatalog, type Catalog, type LoadOptions, type Logger } from './core/catalog';
import { DataError } from './core/errors';
import { maskCache } from './core/masks';
import { formatWarning } from './core/problems';
import { DEFAULT_SEED, formatSummary, generateDataRoot } from './sample/generate';
import { DEFAULT_SERVER_LIMITS, jsonLinesToStdout, startServer } from './server';

interface DataFlags {
  dataRoot: string;
  datasets?: string;
  cacheDir?: string;
  cache: boolean;
}

function withDataFlags(cmd: Command): Command {
  return cmd
    .option('--data-root <dir>', 'REFER data root (folders refcoco/, refclef/, …); default: $REFER_DATA_ROOT or the bundled sample', defaultDataRoot())
    .option('--datasets <list>', 'comma-separated dataset/splitBy pairs, e.g. refcoco/unc,refclef/unc; default: all found')
    .option('--cache-dir <dir>', 'where compiled indexes are kept; default: $REFER_CACHE_DIR, <data-root>/.refer-cache, or ~/.cache/refer-graphql', defaultCacheDirOption())
    .option('--no-cache', 'parse the data files every time; never read or write compiled indexes');
}

/** Load messages go to the server's JSON log lines. */
const jsonLogger: Logger = (level, message) => jsonLinesToStdout({ time: new Date().toISOString(), level, msg: message });

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

interface ServeFlags extends DataFlags {
  port: number;
  host: string;
  maxPageSize: number;
  maskCacheMb: number;
  jit: boolean;
}

async function serve(flags: ServeFlags): Promise<void> {
  const started = performance.now();
  maskCache.maxBytes = flags.maskCacheMb * 2 ** 20;
  const catalog = loadCatalog(loadOptions(flags, jsonLogger));
  if (catalog.stores.size === 0) {
    throw new DataError(`no dataset could be loaded:\n${catalog.failures.map((f) => `  ${f.pair}: ${f.error}`).join('\n')}`);
  }
  jsonLogger('info', `loaded ${[...catalog.stores.keys()].join(', ')} from ${catalog.dataRoot} in ${Math.round(performance.now() - started)} ms`);
  // A bug in one request must not take the server down: log it and keep serving.
  process.on('unhandledRejection', (reason) => jsonLogger('error', `unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`));
  const server = await startServer(catalog, { port: flags.port, host: flags.host, jit: flags.jit, limits: { maxPageSize: flags.maxPageSize } });
  const stop = (signal: string) => {
    jsonLogger('info', `${signal}: finishing in-flight requests, then exiting`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

function loadOptions(flags: DataFlags, log: Logger): LoadOptions {
  return {
    dataRoot: flags.dataRoot,
    datasets: parseDatasetList(flags.datasets),
    cacheDir: flags.cache ? flags.cacheDir : null,
    log,
  };
}

function summarize(catalog: Catalog): string {
  const lines = [...catalog.stores].map(([pair, s]) => {
    const origin = catalog.origins.get(pair);
    return `${pair.padEnd(17)} ${String(s.refCount).padStart(7)} refs ${String(s.refs.sentId.length).padStart(7)} sentences ${String(s.instances.tables.images.id.length).padStart(6)} images ${String(s.instances.annotationCount).padStart(7)} annotations  (${origin?.refs === 'compiled index' ? 'compiled index' : 'parsed'})`;
  });
  for (const f of catalog.failures) lines.push(`${f.pair.padEnd(17)} FAILED: ${f.error}`);
  for (const w of catalog.warnings) lines.push(`warning: ${formatWarning(w)}`);
  return lines.join('\n');
}

function buildIndex(flags: DataFlags): void {
  const started = Date.now();
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'compiling {bar} {value}/{total} {file}', hideCursor: true }) : null;
  const messages: string[] = [];
  const options = loadOptions(flags, (level, m) => messages.push(`${level}: ${m}`));
  options.onStep = ({ file, index, total }) => {
    if (!bar) process.stderr.write(`[${index + 1}/${total}] ${file}\n`);
    else if (index === 0) bar.start(total, 0, { file });
    else bar.update(index, { file });
  };
  const catalog = loadCatalog(options);
  bar?.update(bar.getTotal(), { file: 'done' });
  bar?.stop();
  for (const m of messages) process.stderr.write(`${m}\n`);
  process.stdout.write(`${summarize(catalog)}\ncompiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (catalog.failures.length > 0) process.exitCode = 1;
}

function parseScale(value: string): 'sample' | 'full' | number {
  if (value === 'sample' || value === 'full') return value;
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('use "sample", "full" or a fraction of full size in (0, 1]');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('refer-graphql').description('A GraphQL API over the REFER datasets (RefClef, RefCOCO, RefCOCO+, RefCOCOg)');

  withDataFlags(program.command('serve').description('load the data and serve the GraphQL API (GraphiQL at /graphql)'))
    .option('--port <n>', 'port to listen on; 0 picks a free one (default: $PORT or 4000)', positiveInt, Number(process.env.PORT) || 4000)
    .option('--host <host>', 'interface to bind; 0.0.0.0 serves the network', '127.0.0.1')
    .option('--max-page-size <n>', 'largest `first:` of a connection', positiveInt, DEFAULT_SERVER_LIMITS.maxPageSize)
    .option('--mask-cache-mb <n>', 'memory for computed masks (least recently used go first)', positiveInt, maskCache.maxBytes / 2 ** 20)
    .option('--no-jit', 'execute with graphql-js instead of compiling queries with graphql-jit')
    .action(serve);

  withDataFlags(program.command('build-index').description('parse the data files and write the compiled indexes, so that servers start in milliseconds')).action(buildIndex);

  program
    .command('generate-data')
    .description('write a synthetic REFER data root in the real on-disk formats (deterministic)')
    .requiredOption('--out <dir>', 'the data root to write')
    .option('--scale <scale>', 'sample, full (RefCOCO-sized), or a fraction of full', parseScale, 'sample')
    .option('--seed <n>', 'random seed', positiveInt, DEFAULT_SEED)
    .option('--datasets <list>', 'only these datasets, e.g. refcoco,grefcoco (default: all five)')
    .action(async (flags: { out: string; scale: 'sample' | 'full' | number; seed: number; datasets?: string }) => {
      const summary = await generateDataRoot({ out: flags.out, scale: flags.scale, seed: flags.seed, datasets: parseDatasetList(flags.datasets) });
      process.stdout.write(`${formatSummary(summary)}\n`);
    });

  return program;
}

export function main(argv: string[]): Promise<void> {
  return buildProgram()
    .parseAsync(argv)
    .then(() => undefined)
    .catch((e: unknown) => {
      // A data problem is the user's to fix: say it plainly, without a stack trace.
      process.stderr.write(`refer-graphql: ${e instanceof DataError ? e.message : (e as Error).stack}\n`);
      process.exitCode = 1;
    });
}

if (require.main === module) void main(process.argv);
