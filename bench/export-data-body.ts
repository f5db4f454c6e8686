// data.jsonl's body on one pair: the column writer (src/core/export/data-body.ts) against
// JSON.stringify of the store's records (how the route built it before), without and
// with segmentation. CPU and wall milliseconds, medians of --runs, and the longest single
// chunk (what one slice of the event loop costs at most).
//
//   npm run build && node dist/bench/export-data-body.js --data-root /work/fullscale --cache-dir /tmp/refer-cache [--pair refcoco/unc] [--runs 5]

import { loadCatalog } from '../src/core/catalog';
import { dataBodyChunks } from '../src/core/export/data-body';
import type { ReferStore } from '../src/core/store/store';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

/** The body as JSON.stringify of each record, one line each (the route's way before the writer). */
function* recordLines(store: ReferStore, segmentation: boolean): Generator<Buffer> {
  const c = store.bulkKeyColumns();
  const annotation = (row: number) => {
    if (segmentation) return store.annotationAt(row);
    const { segmentation: _omitted, ...rest } = store.annotationAt(row);
    return rest;
  };
  const sections = [
    { kind: 'categories', count: store.categoryCount, record: (r: number) => store.categoryAt(r), keys: undefined },
    { kind: 'images', count: store.imageCount, record: (r: number) => store.imageAt(r), keys: { id: Array.from(c.imageId) } },
    { kind: 'annotations', count: store.annotationCount, record: annotation, keys: { id: [...c.annId], image_row: Array.from(c.annImageRow) } },
    { kind: 'refs', count: store.refCount, record: (r: number) => store.refAt(r), keys: { ref_id: Array.from(c.refId), ann_row: Array.from(c.refAnnRow), image_row: Array.from(c.refImageRow), category_id: Array.from(c.refCategoryId), sent_start: Array.from(c.sentStart), sent_id: Array.from(c.sentId) } },
  ];
  yield Buffer.from(`${JSON.stringify({ dataset: store.dataset, splitBy: store.splitBy, sections: Object.fromEntries(sections.map((s) => [s.kind, s.count])) })}\n`);
  for (const { kind, count, record, keys } of sections) {
    yield Buffer.from(`${JSON.stringify({ section: kind, count, keys })}\n`);
    for (let start = 0; start < count; start += 256) {
      let text = '';
      for (let r = start; r < Math.min(count, start + 256); r++) text += `${JSON.stringify(record(r))}\n`;
      yield Buffer.from(text);
    }
  }
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
