/**
 * `serve --workers N` under load: req/s of api-load.ts's query (b) (20 images → refs →
 * sentences + category) against the real command with 1 and with 2 workers.
 *
 *   npm run build && node dist/bench/workers-load.js --data-root bench/data/full [--pair refcoco/unc] [--duration 10] [--connections 10]
 *
 * autocannon runs in this process, on the same machine: with 2 cores, 2 workers and the
 * load generator share them, so the gain from a second worker is bounded by that.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, scratchCache } from './serve-process';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: 'bench/data/full' },
    pair: { type: 'string', default: 'refcoco/unc' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
  },
});
const [dataset, splitBy] = values.pair!.split('/');
const QUERY = JSON.stringify({
  query: `{ dataset(name: "${dataset}", splitBy: "${splitBy}") { images(first: 20) { edges { node { imageId refs { refId sentences { sent } category { name } } } } } } }`,
});
const CLI = join(__dirname, '../src/cli.js');
/** A server that does not answer within this is broken, not slow. */
const HANG_MS = 120_000;

async function untilAnswered(url: string, child: ChildProcess): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`);
    if (Date.now() - t0 > HANG_MS) throw new Error(`no answer within ${HANG_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const load = (url: string, duration: number) =>
  autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY, connections: Number(values.connections), duration });

async function measure(workers: number): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const cacheDir = scratchCache(values['data-root']!, values.pair!);
  const child = spawn(process.execPath, [CLI, 'serve', '--data-root', values['data-root']!, '--datasets', values.pair!, '--cache-dir', cacheDir, '--port', String(port), '--workers', String(workers)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await untilAnswered(url, child);
    await load(url, 2); // warm-up: graphql-jit loaded and compiled in every worker
    const r = await load(url, Number(values.duration));
    return `--workers ${workers}: ${Math.round(r.requests.average)} req/s (median ${r.requests.p50}), latency p50 ${r.latency.p50} ms p99 ${r.latency.p99} ms, ${r.non2xx} non-2xx, ${r.errors} errors`;
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.stdout.write(`query (b) on ${values.pair} from ${values['data-root']}, ${values.connections} connections, ${values.duration} s, load average ${loadavg()[0].toFixed(1)}\n`);
  for (const workers of [1, 2]) process.stdout.write(`  ${await measure(workers)}\n`);
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
