/**
 * The refer-graphql command as users run it: a real process, real files, real signals.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataRootKey } from '../src/core/catalog';
import { CLI } from './cli-command';

const ROOT = join(__dirname, '..');
const GOLDEN = join(__dirname, 'fixtures/golden/data');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'refer-cli-'));
  cpSync(GOLDEN, join(dir, 'data'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, REFER_DATA_ROOT: '', REFER_CACHE_DIR: '', PORT: '' } });

describe('refer-graphql build-index', () => {
  it('compiles every pair, prints counts, and says the next run used the index', () => {
    const first = run('build-index', '--data-root', join(dir, 'data'), '--cache-dir', join(dir, 'cache'));
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/refcoco\/unc\s+100 refs\s+284 sentences\s+40 images\s+394 annotations\s+\(parsed\)/);
    expect(first.stderr).toMatch(/\[11\/11\] refcocog\/refs\(umd\)\.p/); // no TTY: plain progress lines
    const written = readdirSync(join(dir, 'cache', dataRootKey(join(dir, 'data'))));
    expect(written.filter((f) => f.endsWith('.idx'))).toHaveLength(11);
    // Beside them, the Python client's bulk-transfer body of each of the 7 REFER pairs (src/core/export/data-body-file.ts).
    expect(written.filter((f) => /\.data-omit\.[0-9a-f]{16}\.jsonl$/.test(f))).toHaveLength(7);
    const second = run('build-index', '--data-root', join(dir, 'data'), '--cache-dir', join(dir, 'cache'), '--datasets', 'refclef/unc');
    expect(second.stdout).toMatch(/refclef\/unc\s+193 refs .*\(compiled index\)/);
    expect(second.stdout).not.toMatch(/refcoco/);
    expect(second.stdout).toMatch(/compiled indexes in .*cache are up to date \(checked in \d+\.\d s\)\n$/);
    expect(first.stdout).toMatch(/compiled into .*cache in \d+\.\d s\n$/);
    expect(first.stderr).toMatch(/\[1\/11\] refclef\/instances\.json \(0\.1 MB\)/); // sizes, not just file counts
  });

  it('exits non-zero and says where it tried when it can write no compiled index', () => {
    writeFileSync(join(dir, 'not-a-dir'), 'a file where the cache dir should be');
    const r = run('build-index', '--data-root', join(dir, 'data'), '--cache-dir', join(dir, 'not-a-dir/cache'), '--datasets', 'refclef/unc');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^refer-graphql: build-index: cannot write compiled indexes to .*not-a-dir\/cache \(.*\); choose a writable directory with --cache-dir\n$/);
  });

  it('exits non-zero and names the file when a pair cannot be read', () => {
    writeFileSync(join(dir, 'data/refcoco/refs(unc).p'), Buffer.from([0x80, 2, 0x63]));
    const r = run('build-index', '--data-root', join(dir, 'data'), '--no-cache', '--datasets', 'refcoco/unc,refcoco/google');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/refcoco\/unc\s+FAILED: refcoco\/refs\(unc\)\.p: byte 2: opcode 0x63 \(GLOBAL\) is not allowed/);
    expect(r.stdout).toMatch(/refcoco\/google\s+100 refs/);
  });

  it('rejects an unknown dataset with the valid names, without a stack trace', () => {
    const r = run('build-index', '--data-root', join(dir, 'data'), '--datasets', 'refcoco/umd');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^refer-graphql: unknown dataset "refcoco\/umd"; valid: refclef\/unc, refclef\/berkeley, refcoco\/unc, refcoco\/google, refcoco\+\/unc, refcocog\/google, refcocog\/umd, grefcoco\/unc\n$/);
  });
});

describe('refer-graphql serve', () => {
  it('serves queries, then finishes cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [...CLI, 'serve', '--data-root', join(dir, 'data'), '--cache-dir', join(dir, 'cache'), '--port', '0', '--datasets', 'refcoco/unc', '--mask-cache-mb', '16'], { cwd: ROOT });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await queryThenStop(child, exit);
    } finally {
      child.kill('SIGKILL'); // no-op when it already exited; never leave a server behind
    }
  }, 120_000);
});

async function queryThenStop(child: ReturnType<typeof spawn>, exit: Promise<number | null>): Promise<void> {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    // A hang bound, generous: ts-node compiles the whole server first, on a shared machine.
    const timer = setTimeout(() => reject(new Error(`no "listening" line: ${out}`)), 90_000);
    child.stdout!.on('data', () => {
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    void exit.then(() => reject(new Error(`exited early: ${out}`)));
  });
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ dataset(name: "refcoco", splitBy: "unc") { refIds(split: "testB") } }' }),
  });
  expect(await res.json()).toEqual({ data: { dataset: { refIds: [4] } } });
  child.kill('SIGTERM');
  expect(await exit).toBe(0);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
  expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['listening', 'closed', 'SIGTERM: finishing in-flight requests, then exiting']));
  // The start-up log points people at the explorer and GraphiQL.
  expect(lines.find((l) => l.msg === 'listening')).toMatchObject({ explorer: `${url}/`, graphiql: expect.stringContaining(`${url}/graphql`) });
}

describe('refer-graphql options, checked before any data is loaded', () => {
  const stackLine = /^\s+at /m;

  it('prints its version', () => {
    const r = run('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('prints each default once in help', () => {
    const r = run('serve', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\(default: \$PORT\s+or\s+4000\)/);
    const defaultsPerOption = r.stdout.split(/\n(?=\s+-)/).map((option) => option.match(/\(default:/g)?.length ?? 0);
    expect(Math.max(...defaultsPerOption)).toBe(1);
  });

  it.each([
    [['--port', '99999'], /option '--port <n>' argument '99999' is invalid\. expected a port from 0 \(any free one\) to 65535/],
    [['--port', '4.5'], /argument '4\.5' is invalid/],
    [['--max-page-size', '0'], /option '--max-page-size <n>' argument '0' is invalid\. expected a whole number ≥ 1/],
    [['--workers', '0'], /option '--workers <n>' argument '0' is invalid/],
  ])('refuses serve %j', (args, message) => {
    const r = run('serve', '--data-root', join(dir, 'data'), '--no-cache', ...args);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toMatch(/loaded/);
  });

  it('refuses a PORT that is not a port', () => {
    const r = spawnSync(process.execPath, [...CLI, 'serve', '--data-root', join(dir, 'data'), '--no-cache'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PORT: 'http' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('refer-graphql: PORT: expected a port from 0 (any free one) to 65535, got "http"\n');
  });

  it('names an unknown dataset for generate-data without a stack trace, and writes nothing', () => {
    const r = run('generate-data', '--out', join(dir, 'out'), '--datasets', 'refcoco,refcocoz');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown dataset "refcocoz"; valid: refcoco, refcoco\+, refcocog, refclef, grefcoco/);
    expect(r.stderr).not.toMatch(stackLine);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it.each([
    ['--port', (port: number) => ({ args: ['--port', String(port)], env: {} })],
    ['PORT', (port: number) => ({ args: [], env: { PORT: String(port) } })],
  ])('says a port given by %s is in use, without a stack trace', async (_how, given) => {
    const busy = createNetServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const { args, env } = given(port);
      const r = await runAsync(['serve', '--data-root', join(dir, 'data'), '--no-cache', '--datasets', 'refcoco/unc', ...args], env);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`refer-graphql: port ${port} is in use; pass --port N or set PORT\n`);
    } finally {
      busy.close();
    }
  }, 120_000);
});

describe('refer-graphql serve --workers 2', () => {
  it('serves from two processes on one port, replaces both on SIGHUP, and drains on SIGTERM', async () => {
    const child = spawn(process.execPath, [...CLI, 'serve', '--data-root', join(dir, 'data'), '--no-cache', '--port', '0', '--datasets', 'refcoco/unc', '--workers', '2'], { cwd: ROOT });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const log = logLines(child);
      const first = await log.waitFor((lines) => lines.filter((l) => l.msg === 'listening').length === 2 && lines.some((l) => l.msg === '2 workers listening'));
      const listening = first.filter((l) => l.msg === 'listening');
      const pids = new Set(listening.map((l) => l.pid));
      expect(pids.size).toBe(2);
      expect(new Set(listening.map((l) => l.url)).size).toBe(1);
      const url = listening[0].url as string;
      expect(await refIdsOfTestB(url)).toEqual([4]);

      child.kill('SIGHUP');
      const reloaded = await log.waitFor((lines) => lines.some((l) => l.msg === 'reload done'));
      const fresh = reloaded.filter((l) => l.msg === 'listening' && !pids.has(l.pid));
      expect(fresh).toHaveLength(2);
      expect(fresh.every((l) => l.url === url)).toBe(true);
      expect(await refIdsOfTestB(url)).toEqual([4]);

      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(log.lines().filter((l) => l.msg === 'closed')).toHaveLength(4);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});

async function refIdsOfTestB(url: string): Promise<unknown> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ dataset(name: "refcoco", splitBy: "unc") { refIds(split: "testB") } }' }),
  });
  return ((await res.json()) as { data: { dataset: { refIds: unknown } } }).data.dataset.refIds;
}

type LogLine = { msg: string; [field: string]: unknown };

/** The JSON lines a server prints, and a wait for a condition on them (bounded, so a broken server fails instead of hanging). */
function logLines(child: ReturnType<typeof spawn>) {
  let out = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  });
  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
  return {
    lines,
    waitFor(done: (lines: LogLine[]) => boolean): Promise<LogLine[]> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; log so far:\n${out}`)), 90_000);
        const check = () => {
          if (!done(lines())) return;
          clearTimeout(timer);
          resolve(lines());
        };
        waiters.push(check);
        check();
      });
    },
  };
}

function runAsync(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, REFER_DATA_ROOT: '', REFER_CACHE_DIR: '', PORT: '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stdout, stderr })));
}
