/**
 * Start-up as a user feels it: spawn `refer-graphql serve`, poll until a real GraphQL
 * query is answered, stop the server; median of several runs.
 *
 *   npm run build && node dist/bench/startup.js --data-root bench/data/full [--pair refcoco/unc] [--runs 5] [--workers 1] [--entry bin|modules] [--cli other/cli.js] [--steps]
 *
 * --entry bin (the default) starts bin/refer-graphql.js, what `refer-graphql` and `npm start`
 * run: the bundle with its V8 code cache; --entry modules starts dist/src/cli.js, tsc's
 * output required module by module, to compare.
 *
 * The compiled indexes are copied into a scratch cache dir first (one uncounted warm-up
 * run writes them if they are missing), so the data root is only read, and every
 * counted run starts from the compiled index with a warm page cache.
 *
 * --steps (with --entry bin) also reports where the server's CPU went: bin/refer-graphql.js
 * then prints the process's CPU so far at each step (bin/startup-trace.js), and the
 * median of each step over the runs is shown.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, scratchCache } from './serve-process';
import { median } from './timing';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: 'bench/data/full' },
    pair: { type: 'string', default: 'refcoco/unc' },
    runs: { type: 'string', default: '5' },
    workers: { type: 'string', default: '1' },
    entry: { type: 'string', default: 'bin' },
    /** Another build's CLI script, to compare (e.g. ../other-checkout/dist/src/cli.js). */
    cli: { type: 'string' },
    steps: { type: 'boolean', default: false },
  },
});
const dataRoot = values['data-root']!;
const [dataset, splitBy] = values.pair!.split('/');
let port = 0;
const ENTRIES: Record<string, string> = { bin: join(__dirname, '../../bin/refer-graphql.js'), modules: join(__dirname, '../src/cli.js') };
if (!values.cli && !ENTRIES[values.entry!]) throw new Error(`--entry ${values.entry}: expected bin or modules`);
const CLI = values.cli ?? ENTRIES[values.entry!];
const QUERY = JSON.stringify({ query: `{ dataset(name: "${dataset}", splitBy: "${splitBy}") { refs(split: "testA", first: 1) { edges { node { refId sentences { sent } } } } } }` });
/** A start that takes longer than this is broken, not slow. */
const HANG_MS = 60_000;

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

/** CPU milliseconds (user + system) a process has used so far; Linux's /proc, else NaN. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return Number.NaN;
  }
}

interface Start {
  /** Spawn → first answered query, wall clock: what a user waits. */
  wallMs: number;
  /** CPU the server used until then: what the start costs, less sensitive to a busy machine. */
  cpuMs: number;
  /** --steps: the server's own CPU and its time since its start at each step, in the order reached. */
  steps: [step: string, cpuMs: number, wallMs: number][];
}

/** Collects `startup-trace <step> <cpu ms> <wall ms>` lines from the server's stderr; passes the rest on. */
function traceSteps(child: ChildProcess): Start['steps'] {
  const steps: Start['steps'] = [];
  let pending = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const m = /^startup-trace (\S+) ([\d.]+) ([\d.]+)$/.exec(line);
      if (m) steps.push([m[1], Number(m[2]), Number(m[3])]);
      else process.stderr.write(`${line}\n`);
    }
  });
  return steps;
}

/** One start: spawn, poll until the first answered query, stop. */
async function startOnce(cacheDir: string): Promise<Start> {
  if (await answered()) throw new Error(`something already answers on port ${port}`);
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, 'serve', '--data-root', dataRoot, '--datasets', values.pair!, '--cache-dir', cacheDir, '--port', String(port), ...(values.workers === '1' ? [] : ['--workers', values.workers!])], {
    stdio: ['ignore', 'ignore', values.steps ? 'pipe' : 'inherit'],
    env: values.steps ? { ...process.env, REFER_GRAPHQL_STARTUP_TRACE: '1' } : process.env,
  });
  const steps = values.steps ? traceSteps(child) : [];
  try {
    for (;;) {
      if (await answered()) return { wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: cpuMs(child.pid!), steps };
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode} before answering`);
      if (Number(process.hrtime.bigint() - t0) / 1e6 > HANG_MS) throw new Error(`no answer within ${HANG_MS} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await stop(child);
  }
}

/** Median CPU at each step (cumulative, as traced) with the step's own share, and the
 * median time since the server process started. */
function formatSteps(starts: Start[]): string {
  const names = starts[0].steps.map(([step]) => step).filter((step, i, all) => all.indexOf(step) === i);
  let previous = 0;
  const rows = names.map((step) => {
    const at = (field: 1 | 2) => median(starts.map((s) => s.steps.find(([name]) => name === step)?.[field] ?? Number.NaN));
    const cpu = at(1);
    const row = `  ${step.padEnd(16)} ${cpu.toFixed(0).padStart(6)} ms CPU (+${(cpu - previous).toFixed(0)})  ${at(2).toFixed(0).padStart(6)} ms since the process started`;
    previous = cpu;
    return row;
  });
  return `  server at each step, median of ${starts.length} (CPU cumulative, +own):\n${rows.join('\n')}\n`;
}

async function main(): Promise<void> {
  const cacheDir = scratchCache(dataRoot, values.pair!);
  port = await freePort();
  try {
    const warmUp = await startOnce(cacheDir);
    const starts: Start[] = [];
    for (let r = 0; r < Number(values.runs); r++) starts.push(await startOnce(cacheDir));
    const wall = starts.map((s) => s.wallMs);
    const cpu = starts.map((s) => s.cpuMs);
    process.stdout.write(
      `serve ${values.pair} from ${dataRoot} (${CLI}, compiled index, --workers ${values.workers}), load average ${loadavg()[0].toFixed(1)}: spawn → first answered query\n` +
        `  wall: warm-up ${warmUp.wallMs.toFixed(0)} ms; runs ${wall.map((m) => m.toFixed(0)).join(', ')} ms; median ${median(wall).toFixed(0)} ms\n` +
        `  server CPU: runs ${cpu.map((m) => m.toFixed(0)).join(', ')} ms; median ${median(cpu).toFixed(0)} ms\n`,
    );
    if (values.steps) process.stdout.write(formatSteps(starts));
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
