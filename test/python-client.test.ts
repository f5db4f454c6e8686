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
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GOLDEN_DATA } from './api-helpers';
import { type ServeProcess, startServeProcess } from './serve-process';

const ROOT = join(__dirname, '..');

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
  // The golden data's server in a process of its own: showRef's renders need fast-png.
  let server: ServeProcess | undefined;
  beforeAll(async () => {
    server = await startServeProcess(GOLDEN_DATA);
  }, 120_000);
  afterAll(() => server?.stop());

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
