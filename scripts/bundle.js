#!/usr/bin/env node
// The fast start (issue 8 §2): the CLI and server bundled into one file, and a V8 code
// cache of it written by one training start. `npm run build` runs this after tsc;
// bin/refer-graphql.js loads the result.
//
//   node scripts/bundle.js [--out dist/bundle]
//
// One file instead of ~600 modules: no module resolution, no stat/read of each file, one
// compile. The cache then spares most of that compile too (bin/load-with-code-cache.js).
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { createServer } = require('node:net');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');
const esbuild = require('esbuild');
const { codeCachePath, WRITE_ENV } = require('../bin/load-with-code-cache');

const ROOT = join(__dirname, '..');
/** A training start that takes longer than this is broken, not slow. */
const TRAINING_HANG_MS = 120_000;

/**
 * msgpackr tries its optional native string extractor at load: ~25 ms of every start,
 * for a speed-up of large string-heavy messages that the compiled index's few-kB
 * manifest never has. The bundle gets a module in its place that throws, which msgpackr
 * takes as "not installed" (it falls back to its JavaScript decoder, same values).
 */
const withoutNativeMsgpackr = {
  name: 'without-native-msgpackr',
  setup(build) {
    build.onResolve({ filter: /^msgpackr-extract$/ }, () => ({ path: 'msgpackr-extract', namespace: 'left-out' }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({ contents: "throw new Error('msgpackr-extract is left out of the bundle');", loader: 'js' }));
  },
};

/** Writes <out>/cli.js and <out>/refs-worker.js (the worker thread's script, found beside the bundle). */
async function bundle(out) {
  await esbuild.build({
    entryPoints: { cli: join(ROOT, 'src/cli.ts'), 'refs-worker': join(ROOT, 'src/core/read/refs-worker.ts') },
    outdir: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // GraphiQL's page (9 MB) stays a separate require, made on the first browser visit.
    external: ['@graphql-yoga/render-graphiql'],
    plugins: [withoutNativeMsgpackr],
    logLevel: 'warning',
    minifyWhitespace: true,
    minifySyntax: true,
    // ASCII only (non-ASCII characters as escapes), so that the loader reads it as latin1.
    charset: 'ascii',
  });
}

function freePort() {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

/** Is a real query answered on this port? */
async function answered(port) {
  const query = '{ dataset(name: "refcoco", splitBy: "unc") { refs(split: "testA", first: 1) { edges { node { refId sentences { sent } } } } } }';
  try {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = await res.json();
    return (body.data?.dataset?.refs?.edges?.length ?? 0) > 0;
  } catch {
    return false; // not listening yet
  }
}

/**
 * Starts the bundled server on the sample data from a compiled index (the path a real
 * start takes), waits for one answered query, stops it: on exit it writes the code cache
 * of everything compiled until then. --no-jit keeps graphql-jit (loaded after the first
 * response, off the start-up path) out of the cache, which V8 deserializes whole at every start.
 */
async function trainCodeCache(out) {
  const file = join(out, 'cli.js');
  rmSync(codeCachePath(file), { force: true });
  const loader = `require(${JSON.stringify(join(ROOT, 'bin/load-with-code-cache.js'))}).loadWithCodeCache(${JSON.stringify(file)}).exports.main(process.argv)`;
  const cacheDir = mkdtempSync(join(tmpdir(), 'refer-bundle-training-'));
  const data = ['--data-root', join(ROOT, 'data'), '--datasets', 'refcoco/unc', '--cache-dir', cacheDir];
  try {
    const indexed = spawnSync(process.execPath, ['-e', loader, 'refer-graphql', 'build-index', ...data], { encoding: 'utf8' });
    if (indexed.status !== 0) throw new Error(`training start of ${file}: build-index exited with ${indexed.status}:\n${indexed.stderr}`);
    await answerOnce(file, [process.execPath, '-e', loader, 'refer-graphql', 'serve', ...data, '--no-jit']);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  if (!existsSync(codeCachePath(file))) throw new Error(`training start of ${file}: exited without writing ${codeCachePath(file)}`);
}

/** Runs `serve` (with the cache written at exit) until it has answered one query. */
async function answerOnce(file, [command, ...args]) {
  const port = await freePort();
  const child = spawn(command, [...args, '--port', String(port)], {
    env: { ...process.env, [WRITE_ENV]: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((done) => child.once('exit', done));
  const started = Date.now();
  try {
    while (!(await answered(port))) {
      if (child.exitCode !== null) throw new Error(`training start of ${file}: serve exited with ${child.exitCode} before answering`);
      if (Date.now() - started > TRAINING_HANG_MS) throw new Error(`training start of ${file}: no answer on port ${port} within ${TRAINING_HANG_MS} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'dist/bundle') } } });
  const out = resolve(values.out);
  await bundle(out);
  await trainCodeCache(out);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`scripts/bundle.js: ${e.message}\n`);
    process.exitCode = 1;
  });
}

module.exports = { bundle, trainCodeCache };
