/**
 * Masks through the data core and the API, on full-scale refcoco/unc:
 *   (i)   the union RLE of the first N refs (polygons -> RLE -> merge), src/core/masks.ts
 *         computeAnnotationMask, no cache;
 *   (ii)  decoding those unions to row-major uint8 bitmaps (MB/s of output);
 *   (iii) GraphQL `refs(first: 100) { edges { node { mask { counts area } } } }` through
 *         yoga.fetch, with the mask cache emptied before every run (cold) and kept (warm),
 *         beside the same page without masks.
 * Medians of --runs runs after one warm-up. Prints a markdown table.
 *
 *   npx ts-node --transpile-only bench/mask-api.ts [--data-root bench/data/full] [--cache-dir DIR] [--refs 10000] [--runs 5]
 *
 * The compiled index is built in --cache-dir on the first load (default: a directory under
 * the system temp dir, kept so that later runs start in a second).
 */
import * as os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalog } from '../src/core/catalog';
import { computeAnnotationMask, MaskCache } from '../src/core/masks';
import { rleDecode, type Rle } from '../src/mask';
import { createYogaApp } from '../src/server';
import { timeRuns, type Timing } from './timing';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: 'bench/data/full' },
    'cache-dir': { type: 'string', default: join(os.tmpdir(), 'refer-graphql-bench-cache') },
    pair: { type: 'string', default: 'refcoco/unc' },
    refs: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
  },
});
const runs = Number(values.runs);

async function main(): Promise<void> {
  const loadAverageBefore = os.loadavg();
  let t0 = performance.now();
  const catalog = loadCatalog({ dataRoot: values['data-root']!, datasets: [values.pair!], cacheDir: values['cache-dir'] });
  const loadMs = performance.now() - t0;
  const origin = catalog.origins.get(values.pair!);
  const store = catalog.get(...(values.pair!.split('/') as [string, string]));
  const n = Math.min(Number(values.refs), store.refCount);
  const annRows = Array.from({ length: n }, (_, r) => store.referredAnnotation(r));

  // The first mask reads the lazily loaded polygon coordinates: timed apart.
  t0 = performance.now();
  computeAnnotationMask(store, annRows[0]);
  const firstMaskMs = performance.now() - t0;

  let unions: Rle[] = [];
  const tUnion = await timeRuns(runs, () => {
    unions = annRows.map((row) => computeAnnotationMask(store, row));
  });
  const pixels = unions.reduce((s, u) => s + u.h * u.w, 0);
  let checksum = 0; // keeps the bitmaps observable, so that no work can be skipped
  const tDecode = await timeRuns(runs, () => {
    checksum = 0;
    for (const u of unions) checksum += rleDecode(u)[(u.h * u.w) >> 1];
  });
  const scratch = new Uint8Array(Math.max(...unions.map((u) => u.h * u.w)));
  const tDecodeInto = await timeRuns(runs, () => {
    for (const u of unions) rleDecode(u, 'row', scratch.subarray(0, u.h * u.w));
  });

  const maskCache = new MaskCache();
  const yoga = createYogaApp(catalog, { log: false, masks: maskCache });
  const DS = `dataset(name: "${store.dataset}", splitBy: "${store.splitBy}")`;
  const post = async (query: string) => {
    const response = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await response.json()) as { errors?: unknown[]; data?: { dataset: { refs: { edges: unknown[] } } } };
    if (body.errors || body.data?.dataset.refs.edges.length !== 100) throw new Error(`GraphQL page failed: ${JSON.stringify(body.errors)}`);
  };
  const maskPage = `{ ${DS} { refs(first: 100) { edges { node { mask { counts area } } } } } }`;
  const plainPage = `{ ${DS} { refs(first: 100) { edges { node { refId } } } } }`;
  const tPageCold = await timeRuns(runs, () => post(maskPage), () => maskCache.clear());
  const tPageWarm = await timeRuns(runs, () => post(maskPage));
  const tPagePlain = await timeRuns(runs, () => post(plainPage));

  const mb = pixels / 1e6;
  const row = (what: string, t: Timing, rate: string) => `| ${what} | ${t.median.toFixed(1)} | ${t.best.toFixed(1)} | ${rate} |`;
  const perRef = (t: Timing, count: number) => `${((t.median * 1000) / count).toFixed(1)} µs/ref`;
  const mbPerSecond = (t: Timing) => `${((mb / t.median) * 1000).toFixed(0)} MB/s`;
  console.log(
    `Data: ${values.pair} under ${values['data-root']} (${store.refCount} refs; instances from the ${origin?.instances}, refs from the ${origin?.refs}; ` +
      `load ${loadMs.toFixed(0)} ms; first mask ${firstMaskMs.toFixed(0)} ms, reading the polygon coordinates). ` +
      `First ${n} refs: ${mb.toFixed(0)} MB of decoded uint8 masks (checksum ${checksum}).`,
  );
  const loadAverageAfter = os.loadavg();
  console.log(
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} threads, load average ${loadAverageBefore[0].toFixed(1)} before / ${loadAverageAfter[0].toFixed(1)} after, ` +
      `Node ${process.version}; medians of ${runs} runs after one warm-up.\n`,
  );
  console.log('| step | median ms | best ms | rate (median) |');
  console.log('|---|---:|---:|---:|');
  console.log(row(`(i) union RLE of ${n} refs (computeAnnotationMask, no cache)`, tUnion, perRef(tUnion, n)));
  console.log(row(`(ii) decode the ${n} unions to new row-major uint8 bitmaps`, tDecode, mbPerSecond(tDecode)));
  console.log(row('(ii) decode into one reused buffer', tDecodeInto, mbPerSecond(tDecodeInto)));
  console.log(row('(iii) GraphQL page of 100 refs, mask { counts area }, cache emptied', tPageCold, perRef(tPageCold, 100)));
  console.log(row('(iii) the same page, masks cached', tPageWarm, perRef(tPageWarm, 100)));
  console.log(row('(iii) the same page with refId only (no masks)', tPagePlain, perRef(tPagePlain, 100)));
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exitCode = 1;
});
