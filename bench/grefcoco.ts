/**
 * gRefCOCO through the data core, on a full-size generated root (259,859 expressions over
 * 19,994 images; written first with `--generate` if missing):
 *   (i)   reading grefcoco/grefs(unc).json with our streaming scanner and joining it to
 *         the instances (readGRefs), against JSON.parse of the same bytes;
 *   (ii)  reading grefcoco/instances.json (readInstances), once, for scale;
 *   (iii) the union masks of the first N refs (multi-target: the merge of their targets),
 *         with an empty mask cache each run.
 * Medians of --runs runs after one warm-up. Prints a markdown table.
 *
 *   npx ts-node --transpile-only bench/grefcoco.ts [--data-root bench/data/grefcoco-full] [--generate] [--refs 10000] [--runs 5]
 */
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MaskCache } from '../src/core/masks';
import { indexGRefs, refUnionMask } from '../src/core/query/grefer';
import { readGRefs } from '../src/core/read/grefs';
import { readInstances } from '../src/core/read/instances';
import { writeGRefcoco } from '../src/sample/grefcoco';
import { timeRuns } from './timing';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: 'bench/data/grefcoco-full' },
    generate: { type: 'boolean', default: false },
    refs: { type: 'string', default: '10000' },
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

  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  const rows = [
    ['| step | data | median | best |', '|---|---|---|---|'],
    [`| readGRefs (scan + join) | ${mb(refBytes.length)}, ${grefs.refId.length} refs, ${grefs.sentId.length} sentences | ${read.median.toFixed(0)} ms | ${read.best.toFixed(0)} ms |`],
    [`| JSON.parse of the same file (for comparison) | ${mb(refBytes.length)} | ${parse.median.toFixed(0)} ms | ${parse.best.toFixed(0)} ms |`],
    [`| indexGRefs (id and grouping indexes) | ${grefs.refId.length} refs | ${indexMs.toFixed(0)} ms (once) | |`],
    [`| readInstances | ${mb(instBytes.length)}, ${instances.annotations.id.length} annotations | ${instancesMs.toFixed(0)} ms (once) | |`],
    [`| union masks, empty cache | first ${n} refs (${targets} targets) | ${masks.median.toFixed(0)} ms | ${masks.best.toFixed(0)} ms |`],
  ];
  process.stdout.write(`${rows.flat().join('\n')}\n\nNode ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, ${runs} runs\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
