/**
 * The Python client's own suite (clients/python/tests, stdlib unittest) against a real
 * server on the golden data: it replays every recorded REFER call through
 * refer_graphql.REFER. Run here so that `npm test` and CI count it.
 *
 * The interpreter: $REFER_PYTHON, else the first of /usr/bin/python3 and python3 that
 * has numpy (Debian's python3-numpy serves /usr/bin/python3, while a pyenv `python3` on
 * PATH may lack it), else any python3 (the masks then take the client's list-of-rows
 * path). No python3 at all: skipped, loudly.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GOLDEN_DATA } from './api-helpers';

const ROOT = join(__dirname, '..');

/**
 * The server on the golden data, in a Node process of its own: showRef's renders encode
 * PNGs with fast-png, an ES module that Jest's runtime cannot load before Node 24.9.
 */
const SERVER = `
const { loadCatalog } = require('./src/core/catalog');
const { startServer } = require('./src/server');
(async () => {
  const server = await startServer(loadCatalog({ dataRoot: ${JSON.stringify(GOLDEN_DATA)}, cacheDir: null }), { host: '127.0.0.1', port: 0, log: false });
  process.stdout.write(JSON.stringify({ url: server.url }) + '\\n');
  // Runs until the test closes stdin.
  process.stdin.on('end', () => server.close().then(() => process.exit(0)));
  process.stdin.resume();
})().catch((e) => { console.error(e); process.exit(1); });
`;

function startServerProcess(): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', SERVER], { cwd: ROOT });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      if (out.includes('\n')) resolve({ child, url: (JSON.parse(out.split('\n')[0]) as { url: string }).url });
    });
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before listening:\n${err}`)));
  });
}

function hasModule(python: string, module: string): boolean {
  return spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

function pickPython(): { python: string; numpy: boolean } | undefined {
  const candidates = process.env.REFER_PYTHON ? [process.env.REFER_PYTHON] : ['/usr/bin/python3', 'python3'];
  const runnable = candidates.filter((p) => spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0);
  const withNumpy = runnable.find((p) => hasModule(p, 'numpy'));
  if (withNumpy) return { python: withNumpy, numpy: true };
  return runnable[0] ? { python: runnable[0], numpy: false } : undefined;
}

const picked = pickPython();
if (!picked) console.warn('SKIPPED test/python-client.test.ts: no python3 on this machine, so the Python client is NOT tested');
else if (!picked.numpy) console.warn(`test/python-client.test.ts: ${picked.python} has no numpy; getMask is tested through the list-of-rows fallback (apt-get install python3-numpy to test the ndarray path)`);

(picked ? describe : describe.skip)('the Python client (clients/python) against the server on the golden data', () => {
  let server: { child: ChildProcessWithoutNullStreams; url: string } | undefined;
  beforeAll(async () => {
    server = await startServerProcess();
  }, 120_000);
  afterAll(async () => {
    if (!server) return;
    const exited = new Promise((resolve) => server!.child.once('exit', resolve));
    server.child.stdin.end();
    await exited;
  });

  it('passes its unittest suite: every recorded REFER call, values and types', async () => {
    const run = spawn(picked!.python, ['-m', 'unittest', 'discover', '-v', 'clients/python/tests'], {
      cwd: ROOT,
      env: { ...process.env, REFER_GRAPHQL_URL: server!.url, REFER_GOLDEN_DIR: join(GOLDEN_DATA, '..'), PYTHONDONTWRITEBYTECODE: '1' },
    });
    let output = '';
    run.stdout.on('data', (d: Buffer) => (output += d.toString()));
    run.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => run.on('close', resolve));
    if (code !== 0) console.error(`python3 -m unittest discover clients/python/tests exited ${code}:\n${output}`);
    expect(code).toBe(0);
    // The suite skips itself without a server URL: make sure it really ran.
    expect(output).toMatch(/Ran [1-9]\d* tests?/);
    expect(output).not.toMatch(/skipped/);
  }, 180_000);
});
