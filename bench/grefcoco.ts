/**
 * gRefCOCO through the data core, on a full-size generated root (259,859 expressions over
 * 19,994 images; written first with `--generate` if missing):
 *   (i)   reading grefcoco/grefs(unc).json with our streaming scanner and joining it to
 *         the instances (readGRefs), against JSON.parse of the same bytes;
 *   (ii)  reading grefcoco/instances.json (readInstances), once, for scale;
 *   (iii) the union masks of the first N refs (multi-target: the merge of their targets),
 *         with an empty mask cache each run;
 *   (iv)  the catalog's start of grefcoco/unc from the compiled index (written once first);
 *   (v)   a nested GraphQL query over the first --query-refs multi-target refs (targets,
 *         their categories and images, boxes, sentences) through the app's yoga.fetch.
 * Medians of --runs runs after one warm-up. Prints a markdown table.
 *
 *   npx ts-node --transpile-only bench/grefcoco.ts [--data-root bench/data/grefcoco-full] [--generate] [--refs 10000] [--query-refs 1000] [--runs 5]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalog } from '../src/core/catalog';
import { MaskCache } from '../src/core/masks';
import { indexGRefs, refUnionMask } from '../src/core/query/grefer';
import { readGRefs } from '../src/core/read/grefs';
import { readInstances } from '../src/core/read/instances';
import { writeGRefcoco } from '../src/sample/grefcoco';
import { createYogaApp } from '../src/server';
import { timeRuns } from './timing';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: 'bench/data/grefcoco-full' },
    generate: { type: 'boolean', default: false },
    refs: { type: 'string', default: '10000' },
    'query-refs': { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
  },
});
const runs = Number(values.runs);
const root = values['data-root']!;
const refsFile = join(root, 'grefcoco', 'grefs(unc).json');
const instancesFile = join(root, 'grefcoco', 'instances.json');

async function main(): Promise<void> {
  if (!existsSync(refsFile)) {
    if (!values.generate) throw new Error(`${refsFile} not found: run with --generate to write it`);
    const t = performance.now();
    const s = writeGRefcoco(root, 7, 1);
    process.stdout.write(`generated ${s.refs} refs, ${s.sentences} sentences, ${s.images} images in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
  const refBytes = readFileSync(refsFile);
  const instBytes = readFileSync(instancesFile);
  let t0 = performance.now();
  const instances = readInstances(instBytes, instancesFile);
  const instancesMs = performance.now() - t0;

  let grefs = readGRefs(refBytes, refsFile, instances);
  const read = await timeRuns(runs, () => (grefs = readGRefs(refBytes, refsFile, instances)));
  const parse = await timeRuns(runs, () => JSON.parse(refBytes.toString('utf8')));
  t0 = performance.now();
  const ix = indexGRefs(grefs, instances);
  const indexMs = performance.now() - t0;

  const n = Math.min(Number(values.refs), grefs.refId.length);
  let targets = 0;
  for (let r = 0; r < n; r++) targets += grefs.targetStart[r + 1] - grefs.targetStart[r];
  let cache = new MaskCache();
  const masks = await timeRuns(runs, () => {
    for (let r = 0; r < n; r++) refUnionMask(ix, r, cache);
  }, () => (cache = new MaskCache()));

  // (iv) start from the compiled index: written once, then loaded as a server starts.
  const cacheDir = mkdtempSync(join(os.tmpdir(), 'bench-grefcoco-'));
  const load = () => loadCatalog({ dataRoot: root, datasets: ['grefcoco/unc'], cacheDir, refsWorkers: 'never' });
  t0 = performance.now();
  load();
  const compileMs = performance.now() - t0;
  const start = await timeRuns(runs, () => {
    const catalog = load();
    if (catalog.origins.get('grefcoco/unc')?.refs !== 'compiled index') throw new Error('grefcoco/unc was not read from the compiled index');
  });

  // (v) a nested query over multi-target refs.
  const catalog = load();
  const multi: number[] = [];
  for (let r = 0; r < grefs.refId.length && multi.length < Number(values['query-refs']); r++) if (grefs.targetStart[r + 1] - grefs.targetStart[r] > 1) multi.push(grefs.refId[r]);
  const query = `{ dataset(name: "grefcoco", splitBy: "unc") { loadRefs(refIds: ${JSON.stringify(multi)}) {
    refId noTarget boxes categories { name } sentences { sent }
    annotations { annId area category { name } image { imageId width height } refs { refId } } } } }`;
  const yoga = createYogaApp(catalog, { log: false, limits: { maxComplexity: Number.MAX_SAFE_INTEGER } });
  let multiTargets = 0;
  const nested = await timeRuns(runs, async () => {
    const response = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await response.json()) as { errors?: { message: string }[]; data?: { dataset: { loadRefs: { annotations: unknown[] }[] } } };
    if (body.errors) throw new Error(`nested query: ${body.errors[0].message}`);
    multiTargets = body.data!.dataset.loadRefs.reduce((n, r) => n + r.annotations.length, 0);
  });
  rmSync(cacheDir, { recursive: true, force: true });

  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  const rows = [
    ['| step | data | median | best |', '|---|---|---|---|'],
    [`| readGRefs (scan + join) | ${mb(refBytes.length)}, ${grefs.refId.length} refs, ${grefs.sentId.length} sentences | ${read.median.toFixed(0)} ms | ${read.best.toFixed(0)} ms |`],
    [`| JSON.parse of the same file (for comparison) | ${mb(refBytes.length)} | ${parse.median.toFixed(0)} ms | ${parse.best.toFixed(0)} ms |`],
    [`| indexGRefs (id and grouping indexes) | ${grefs.refId.length} refs | ${indexMs.toFixed(0)} ms (once) | |`],
    [`| readInstances | ${mb(instBytes.length)}, ${instances.annotations.id.length} annotations | ${instancesMs.toFixed(0)} ms (once) | |`],
    [`| union masks, empty cache | first ${n} refs (${targets} targets) | ${masks.median.toFixed(0)} ms | ${masks.best.toFixed(0)} ms |`],
    [`| loadCatalog of grefcoco/unc, data files + writing the compiled index | ${mb(refBytes.length + instBytes.length)} | ${compileMs.toFixed(0)} ms (once) | |`],
    [`| loadCatalog of grefcoco/unc from the compiled index | ${grefs.refId.length} refs | ${start.median.toFixed(0)} ms | ${start.best.toFixed(0)} ms |`],
    [`| nested query over multi-target refs (POST /graphql) | ${multi.length} refs, ${multiTargets} targets | ${nested.median.toFixed(0)} ms | ${nested.best.toFixed(0)} ms |`],
  ];
  process.stdout.write(`${rows.flat().join('\n')}\n\nNode ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, ${runs} runs\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
