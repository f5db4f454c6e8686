/**
 * Load benchmark: raw load (parse + index) and compiled-index start, each the median of
 * fresh processes, with peak RSS.
 *   npm run build && node dist/bench/load.js --data-root bench/data/full --datasets refcoco/unc [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: 'bench/data/full' },
    datasets: { type: 'string', default: 'refcoco/unc' },
    runs: { type: 'string', default: '5' },
  },
});
const runs = Number(values.runs);
const child = join(__dirname, 'load-child.js');
const cacheDir = mkdtempSync(join(tmpdir(), 'refer-bench-cache-'));

interface Result { inProcessMs: number; sinceProcessStartMs: number; phases: Record<string, number>; maxRssMB: number }

function run(mode: string): Result & { wallMs: number } {
  const started = process.hrtime.bigint();
  const p = spawnSync(process.execPath, [child, mode, values['data-root']!, values.datasets!, cacheDir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (p.status !== 0) throw new Error(`${mode} run failed: ${p.stderr}`);
  return { ...(JSON.parse(p.stdout) as Result), wallMs: Math.round(wallMs) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function series(mode: string) {
  const results = Array.from({ length: runs }, () => run(mode));
  return {
    mode,
    medianInProcessMs: median(results.map((r) => r.inProcessMs)),
    medianWallMs: median(results.map((r) => r.wallMs)),
    maxRssMB: Math.max(...results.map((r) => r.maxRssMB)),
    runsMs: results.map((r) => r.inProcessMs),
  };
}

try {
  const raw = series('raw');
  run('warm'); // writes the compiled index
  const compiled = series('compiled');
  const phases = run('phases').phases;
  console.log(JSON.stringify({ dataRoot: values['data-root'], datasets: values.datasets, runs, raw, compiled, rawPhasesMs: phases }, null, 2));
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
