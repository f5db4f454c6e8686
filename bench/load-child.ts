/**
 * One fresh process of the load benchmark (run by bench/load.ts): loads a data root the
 * way the server does and answers a first query, then prints timings as JSON.
 *   node dist/bench/load-child.js <raw|warm|compiled|phases> <dataRoot> <pairs> <cacheDir>
 * (warm: load through the cache dir, writing the compiled index if it is missing;
 * geometry: like compiled, then also read every dataset's polygons, the worst case for RSS)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadCatalog } from '../src/core/catalog';
import { readInstances } from '../src/core/read/instances';
import { readPickle } from '../src/core/read/pickle';
import { readRefs } from '../src/core/read/refs';
import { InstancesIndex, ReferStore } from '../src/core/store/store';

const [mode, dataRoot, pairList, cacheDir] = process.argv.slice(2);
const pairs = pairList.split(',');
const t0 = performance.now();
const phases: Record<string, number> = {};
const lap = (name: string, since: number) => {
  phases[name] = Math.round((performance.now() - since) * 10) / 10;
  return performance.now();
};

let firstAnswer: number[] = [];
if (mode === 'phases') {
  // Where the raw-load time goes, file by file.
  const [dataset, splitBy] = pairs[0].split('/');
  let t = performance.now();
  const text = readFileSync(join(dataRoot, dataset, 'instances.json'));
  t = lap('read instances.json', t);
  JSON.parse(text.toString('utf8'));
  t = lap('utf8 decode + JSON.parse alone (for comparison)', t);
  const tables = readInstances(text, 'instances.json');
  t = lap('scan + columns (readInstances)', t);
  const index = new InstancesIndex(tables);
  t = lap('instances indexes', t);
  const bytes = readFileSync(join(dataRoot, dataset, `refs(${splitBy}).p`));
  readPickle(bytes, 'refs');
  t = lap('pickle parse alone', t);
  const refs = readRefs(bytes, 'refs', {
    annRow: (id) => index.annRowById.get(id),
    imageRow: (id) => index.imageRowById.get(id),
    imageOfAnn: (row) => tables.annotations.imageRow[row],
    categoryExists: (id) => index.categoryRowById.has(id),
  });
  t = lap('pickle + columns (readRefs)', t);
  const store = new ReferStore(dataset, splitBy, index, refs);
  t = lap('ref indexes', t);
  firstAnswer = store.getRefIds({ split: 'testA' });
} else {
  const catalog = loadCatalog({ dataRoot, datasets: pairs, cacheDir: mode === 'raw' ? null : cacheDir });
  let t = lap('load', t0);
  const [dataset, splitBy] = pairs[0].split('/');
  firstAnswer = catalog.get(dataset, splitBy).getRefIds({ split: 'testA' });
  t = lap('first query', t);
  if (mode === 'geometry') {
    let coords = 0;
    for (const store of catalog.stores.values()) coords += store.instances.tables.annotations.segmentation.coords.length;
    lap(`read all polygons (${coords} numbers)`, t);
  }
  for (const [pair, origin] of mode === 'warm' ? [] : catalog.origins) {
    const expected = mode === 'raw' ? 'data file' : 'compiled index';
    if (origin.instances !== expected || origin.refs !== expected) throw new Error(`${pair} was not loaded from the ${expected}`);
  }
}
process.stdout.write(
  `${JSON.stringify({
    mode,
    inProcessMs: Math.round(performance.now() - t0),
    sinceProcessStartMs: Math.round(performance.now()),
    phases,
    answered: firstAnswer.length,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
