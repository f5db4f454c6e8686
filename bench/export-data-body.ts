// data.jsonl's body on one pair: the column writer (src/core/export/data-body.ts) against
// JSON.stringify of the store's records (how the route built it before), without and
// with segmentation. CPU and wall milliseconds, medians of --runs, and the longest single
// chunk (what one slice of the event loop costs at most).
//
//   npm run build && node dist/bench/export-data-body.js --data-root /work/fullscale --cache-dir /tmp/refer-cache [--pair refcoco/unc] [--runs 5]

import { loadCatalog } from '../src/core/catalog';
import { dataBodyChunks } from '../src/core/export/data-body';
import { recordLines } from './record-data-body';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

interface Run {
  cpuMs: number;
  wallMs: number;
  longestChunkMs: number;
  bytes: number;
}

function measure(chunks: () => Iterator<Buffer>): Run {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let longestChunkMs = 0;
  let bytes = 0;
  const it = chunks();
  for (;;) {
    const before = performance.now();
    const next = it.next();
    longestChunkMs = Math.max(longestChunkMs, performance.now() - before);
    if (next.done) break;
    bytes += next.value.byteLength;
  }
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - start, longestChunkMs, bytes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  const [dataset, splitBy] = flag('pair', 'refcoco/unc').split('/');
  const runs = Number(flag('runs', '5'));
  const catalog = loadCatalog({ dataRoot: flag('data-root', 'bench/data/full'), cacheDir: flag('cache-dir', '/tmp/refer-cache'), datasets: [`${dataset}/${splitBy}`] });
  const store = catalog.get(dataset, splitBy);
  // The first pass reads the compiled index's lazy sections; measure after it.
  measure(() => dataBodyChunks(store, { segmentation: true }));
  console.log(`${store.name}: ${store.refCount} refs, ${store.annotationCount} annotations, ${store.imageCount} images; load average ${require('node:os').loadavg().map((l: number) => l.toFixed(2)).join(' ')}`);
  console.log('| body | builder | CPU ms | wall ms | longest chunk ms | MB |');
  console.log('|---|---|---|---|---|---|');
  for (const segmentation of [false, true]) {
    for (const [name, chunks] of [['column writer', () => dataBodyChunks(store, { segmentation })], ['JSON.stringify of records', () => recordLines(store, segmentation)]] as const) {
      const results = Array.from({ length: runs }, () => measure(chunks));
      const m = (key: keyof Run) => median(results.map((r) => r[key])).toFixed(0);
      console.log(`| ${segmentation ? 'data.jsonl' : 'data.jsonl?segmentation=omit'} | ${name} | ${m('cpuMs')} | ${m('wallMs')} | ${m('longestChunkMs')} | ${(results[0].bytes / 1e6).toFixed(1)} |`);
    }
  }
}

main();
