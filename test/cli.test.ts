/**
 * The refer-graphql command as users run it: a real process, real files, real signals.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataRootKey } from '../src/core/catalog';

const ROOT = join(__dirname, '..');
const GOLDEN = join(__dirname, 'fixtures/golden/data');
const CLI = ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/cli.ts')];
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'refer-cli-'));
  cpSync(GOLDEN, join(dir, 'data'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, REFER_DATA_ROOT: '', REFER_CACHE_DIR: '' } });

describe('refer-graphql build-index', () => {
  it('compiles every pair, prints counts, and says the next run used the index', () => {
    const first = run('build-index', '--data-root', join(dir, 'data'), '--cache-dir', join(dir, 'cache'));
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/refcoco\/unc\s+100 refs\s+284 sentences\s+40 images\s+394 annotations\s+\(parsed\)/);
    expect(first.stderr).toMatch(/\[11\/11\] refcocog\/refs\(umd\)\.p/); // no TTY: plain progress lines
    expect(readdirSync(join(dir, 'cache', dataRootKey(join(dir, 'data'))))).toHaveLength(11);
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
    expect(r.stderr).toMatch(/^refer-graphql: unknown dataset "refcoco\/umd"; valid: refclef\/unc, refclef\/berkeley, refcoco\/unc, refcoco\/google, refcoco\+\/unc, refcocog\/google, refcocog\/umd\n$/);
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
  });
});

async function queryThenStop(child: ReturnType<typeof spawn>, exit: Promise<number | null>): Promise<void> {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line: ${out}`)), 20000);
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
}
