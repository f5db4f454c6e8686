/**
 * Start-up as a user feels it: spawn `refer-graphql serve`, poll until a real GraphQL
 * query is answered, stop the server; median of several runs.
 *
 *   npm run build && node dist/bench/startup.js --data-root /work/fullscale [--pair refcoco/unc] [--runs 5] [--workers 1]
 *
 * The compiled indexes are copied into a scratch cache dir first (one uncounted warm-up
 * run writes them if they are missing), so the data root is only read, and every
 * counted run starts from the compiled index with a warm page cache.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './timing';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: 'bench/data/full' },
    pair: { type: 'string', default: 'refcoco/unc' },
    runs: { type: 'string', default: '5' },
    port: { type: 'string', default: '4711' },
    workers: { type: 'string', default: '1' },
  },
});
const dataRoot = values['data-root']!;
const [dataset, splitBy] = values.pair!.split('/');
const port = Number(values.port);
const CLI = join(__dirname, '../src/cli.js');
const QUERY = JSON.stringify({ query: `{ dataset(name: "${dataset}", splitBy: "${splitBy}") { refs(split: "testA", first: 1) { edges { node { refId sentences { sent } } } } } }` });
/** A start that takes longer than this is broken, not slow. */
const HANG_MS = 60_000;

function scratchCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'refer-startup-'));
  for (const file of [`${dataset}.instances.idx`, `${dataset}_${splitBy}.refs.idx`]) {
    const cached = join(dataRoot, '.refer-cache', file);
    if (existsSync(cached)) copyFileSync(cached, join(dir, file));
  }
  return dir;
}

async function answered(): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY });
    const body = (await res.json()) as { data?: { dataset?: { refs?: { edges: unknown[] } } } };
    return (body.data?.dataset?.refs?.edges.length ?? 0) > 0;
  } catch {
    return false; // not listening yet
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Milliseconds from spawn to the first answered query. */
async function startOnce(cacheDir: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, 'serve', '--data-root', dataRoot, '--datasets', values.pair!, '--cache-dir', cacheDir, '--port', String(port), ...(values.workers === '1' ? [] : ['--workers', values.workers!])], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (await answered()) return Number(process.hrtime.bigint() - t0) / 1e6;
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode} before answering`);
      if (Number(process.hrtime.bigint() - t0) / 1e6 > HANG_MS) throw new Error(`no answer within ${HANG_MS} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  const cacheDir = scratchCache();
  try {
    const warmUp = await startOnce(cacheDir);
    const ms: number[] = [];
    for (let r = 0; r < Number(values.runs); r++) ms.push(await startOnce(cacheDir));
    process.stdout.write(
      `serve ${values.pair} from ${dataRoot} (compiled index, --workers ${values.workers}): spawn → first answered query\n` +
        `  warm-up ${warmUp.toFixed(0)} ms; runs ${ms.map((m) => m.toFixed(0)).join(', ')} ms; median ${median(ms).toFixed(0)} ms\n`,
    );
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
