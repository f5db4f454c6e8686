/**
 * The fast start (scripts/bundle.js, bin/load-with-code-cache.js): the bundled CLI, loaded
 * with its code cache, is the same program as the modules — it starts, finds the files it
 * looks up beside itself, and answers as the modules do.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { createYogaApp } from '../src/server';

const ROOT = join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle, trainCodeCache } = require('../scripts/bundle.js') as { bundle(out: string): Promise<void>; trainCodeCache(out: string): Promise<void> };
const LOADER = join(ROOT, 'bin/load-with-code-cache.js');
const QUERY = '{ dataset(name: "refcoco", splitBy: "unc") { refs(split: "testA", first: 3) { edges { node { refId sentences { sent } } } } } }';
/** A hang bound, generous: esbuild, a training start and a real start on a shared machine. */
jest.setTimeout(180_000);

let out: string;
beforeAll(async () => {
  // Inside the package (dist/ is ignored): the bundle finds package.json, explorer/ and the
  // persisted operations by walking up from itself, as dist/bundle does.
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  out = mkdtempSync(join(ROOT, 'dist', 'bundle-test-'));
  await bundle(out);
  await trainCodeCache(out);
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** `node -e` running the bundle through the loader, telling on stderr whether V8 took the cache. */
function bundledArgs(...args: string[]): string[] {
  const script = `const r = require(${JSON.stringify(LOADER)}).loadWithCodeCache(${JSON.stringify(join(out, 'cli.js'))}); process.stderr.write('cache rejected: ' + r.cacheRejected + '\\n'); r.exports.main(process.argv);`;
  return ['-e', script, 'refer-graphql', ...args];
}

it('prints the package version from a start whose code cache V8 accepts', () => {
  const run = spawnSync(process.execPath, bundledArgs('--version'), { encoding: 'utf8' });
  expect(run.stderr).toContain('cache rejected: false');
  expect(run.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  expect(run.status).toBe(0);
});

it('ignores a damaged code cache and still runs', () => {
  const cache = join(out, 'cli.js.v8cache');
  const good = readFileSync(cache);
  try {
    writeFileSync(cache, Buffer.from('not a code cache'));
    const run = spawnSync(process.execPath, bundledArgs('--version'), { encoding: 'utf8' });
    expect(run.stderr).toContain('cache rejected: true');
    expect(run.status).toBe(0);
  } finally {
    writeFileSync(cache, good);
  }
});

it('serves data/: the same answer as the modules, and the explorer found beside it', async () => {
  const child = spawn(process.execPath, bundledArgs('serve', '--data-root', join(ROOT, 'data'), '--no-cache', '--port', '0', '--datasets', 'refcoco/unc'), { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const listening = /"msg":"listening".*?"url":"([^"]+)"/.exec(seen);
        if (listening) resolve(listening[1]);
      });
      void exit.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${seen}`)));
    });
    const answer = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
    const body = (await answer.json()) as { data?: { dataset: { refs: { edges: unknown[] } } } };
    expect(body.data?.dataset.refs.edges).toHaveLength(3);

    const modules = createYogaApp(loadCatalog({ dataRoot: join(ROOT, 'data'), datasets: ['refcoco/unc'], cacheDir: null }), { log: false });
    const expected = await (await modules.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) })).json();
    expect(body).toEqual(expected);

    const explorer = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(explorer.status).toBe(200);
    expect(await explorer.text()).toBe(readFileSync(join(ROOT, 'explorer', 'index.html'), 'utf8'));
  } finally {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }
});
