/**
 * Load benchmark: raw load (parse + index) and compiled-index start to a first answered
 * query, each the median of fresh processes, with peak RSS; then all seven pairs.
 *   npm run build && node dist/bench/load.js --data-root bench/data/full [--runs 5]
 * (bench/data/full: `node dist/src/cli.js generate-data --out bench/data/full --scale full`)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './timing';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: 'bench/data/full' },
    datasets: { type: 'string', default: 'refcoco/unc' },
    'all-pairs': { type: 'string', default: 'refclef/unc,refclef/berkeley,refcoco/unc,refcoco/google,refcoco+/unc,refcocog/google,refcocog/umd' },
    runs: { type: 'string', default: '5' },
  },
});
const runs = Number(values.runs);
const child = join(__dirname, 'load-child.js');
const cacheDir = mkdtempSync(join(tmpdir(), 'refer-bench-cache-'));

interface Result { inProcessMs: number; sinceProcessStartMs: number; phases: Record<string, number>; maxRssMB: number }

function run(mode: string, pairs = values.datasets!): Result & { wallMs: number } {
  const started = process.hrtime.bigint();
  const p = spawnSync(process.execPath, [child, mode, values['data-root']!, pairs, cacheDir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (p.status !== 0) throw new Error(`${mode} run failed: ${p.stderr}`);
  return { ...(JSON.parse(p.stdout) as Result), wallMs: Math.round(wallMs) };
}


function series(mode: string, pairs?: string) {
  const results = Array.from({ length: runs }, () => run(mode, pairs));
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
  const all = values['all-pairs']!;
  const allRaw = run('raw', all);
  run('warm', all);
  const allCompiled = series('compiled', all);
  const allGeometry = run('geometry', all);
  console.log(JSON.stringify({
    dataRoot: values['data-root'], datasets: values.datasets, runs, raw, compiled, rawPhasesMs: phases,
    allPairs: { pairs: all, rawOnceMs: allRaw.inProcessMs, rawPeakRssMB: allRaw.maxRssMB, compiled: allCompiled, withAllPolygons: { ms: allGeometry.inProcessMs, phases: allGeometry.phases, peakRssMB: allGeometry.maxRssMB } },
  }, null, 2));
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
