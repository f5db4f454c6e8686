// Mask codec throughput on 10,000 refs: polygons -> RLE -> union, the union's string,
// and decoding to uint8 bitmaps. Prints a markdown table (medians of 5 runs).
//
//   npx ts-node --transpile-only bench/mask-codec.ts [dataRoot] [--refs N] [--runs N]
//
// Without a data root the refs are generated (seeded, so every run sees the same input):
// star polygons with 20-60 vertices and 2-decimal coordinates, 1-3 parts per ref, in
// COCO image sizes. With a data root, the polygon annotations of its
// <dataRoot>/<dataset>/instances.json files are used (datasets in name order, as many as
// needed), repeated if there are fewer than N.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rleDecode, rleFromPolygon, rleMerge, rleToString, type Rle } from '../src/mask';
import { Random } from '../src/sample/random';
import { timeRuns, type Timing } from './timing';

interface RefPolygons {
  h: number;
  w: number;
  parts: number[][];
}

function mulberry32(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

const COCO_SIZES: [number, number][] = [[480, 640], [427, 640], [640, 480], [375, 500], [640, 427]];

function generatedRefs(n: number): RefPolygons[] {
  const rnd = mulberry32(20240917);
  const refs: RefPolygons[] = [];
  for (let r = 0; r < n; r++) {
    const [h, w] = COCO_SIZES[Math.floor(rnd() * COCO_SIZES.length)];
    const parts: number[][] = [];
    const nParts = 1 + Math.floor(rnd() * 3);
    for (let p = 0; p < nParts; p++) {
      const radius = 15 + rnd() * 110;
      const cx = radius * 0.5 + rnd() * (w - radius);
      const cy = radius * 0.5 + rnd() * (h - radius);
      const k = 20 + Math.floor(rnd() * 41);
      const xy: number[] = [];
      for (let j = 0; j < k; j++) {
        const angle = (2 * Math.PI * (j + rnd() * 0.5)) / k;
        const rad = radius * (j % 2 === 0 ? 1 : 0.55 + rnd() * 0.3);
        xy.push(Math.round((cx + rad * Math.cos(angle)) * 100) / 100, Math.round((cy + rad * Math.sin(angle)) * 100) / 100);
      }
      parts.push(xy);
    }
    refs.push({ h, w, parts });
  }
  return refs;
}

interface Instances {
  images: { id: number | string; height: number; width: number }[];
  annotations: { image_id: number | string; segmentation: unknown }[];
}

function isPolygonList(seg: unknown): seg is number[][] {
  return Array.isArray(seg) && seg.length > 0 && seg.every((p) => Array.isArray(p));
}

function dataRootRefs(root: string, n: number): RefPolygons[] {
  const found: RefPolygons[] = [];
  for (const dataset of fs.readdirSync(root).sort()) {
    const file = path.join(root, dataset, 'instances.json');
    if (found.length >= n || !fs.existsSync(file)) continue;
    const inst = JSON.parse(fs.readFileSync(file, 'utf8')) as Instances;
    const sizes = new Map(inst.images.map((im) => [String(im.id), [im.height, im.width] as const]));
    for (const ann of inst.annotations) {
      const size = sizes.get(String(ann.image_id));
      if (size !== undefined && isPolygonList(ann.segmentation)) {
        found.push({ h: size[0], w: size[1], parts: ann.segmentation });
      }
    }
  }
  if (found.length === 0) throw new Error(`${root}: no polygon annotations in any <dataset>/instances.json`);
  return Array.from({ length: n }, (_, i) => found[i % found.length]);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args.splice(i, 2)[1]) : fallback;
  };
  const nRefs = option('--refs', 10_000);
  const runs = option('--runs', 5);
  const root = args[0];
  const refs = root === undefined ? generatedRefs(nRefs) : dataRootRefs(root, nRefs);

  let unions: Rle[] = [];
  const tEncode = await timeRuns(runs, () => {
    unions = refs.map((ref) => rleMerge(ref.parts.map((p) => rleFromPolygon(p, ref.h, ref.w))));
  });
  let chars = 0;
  const tString = await timeRuns(runs, () => {
    chars = 0;
    for (const u of unions) chars += rleToString(u).length;
  });
  const pixels = unions.reduce((s, u) => s + u.h * u.w, 0);
  let checksum = 0;
  const tDecode = await timeRuns(runs, () => {
    checksum = 0;
    for (const u of unions) checksum += rleDecode(u)[(u.h * u.w) >> 1];
  });
  const scratch = new Uint8Array(Math.max(...unions.map((u) => u.h * u.w)));
  const tDecodeInto = await timeRuns(runs, () => {
    for (const u of unions) rleDecode(u, 'row', scratch.subarray(0, u.h * u.w));
  });
  const tDecodeColumn = await timeRuns(runs, () => {
    for (const u of unions) rleDecode(u, 'column');
  });
  // The floor under "decode to new": fresh zeroed memory for each mask, nothing else.
  const tAllocate = await timeRuns(runs, () => {
    for (const u of unions) checksum += new Uint8Array(u.h * u.w)[0];
  });

  const vertices = refs.reduce((s, r) => s + r.parts.reduce((t, p) => t + p.length / 2, 0), 0);
  const parts = refs.reduce((s, r) => s + r.parts.length, 0);
  const setPixels = unions.reduce((s, u) => s + u.counts.reduce((t, c, j) => t + (j & 1 ? c : 0), 0), 0);
  const mb = pixels / 1e6;
  const row = (what: string, t: Timing, rate: (ms: number) => string): string =>
    `| ${what} | ${(t.median / 1000).toFixed(3)} | ${(t.best / 1000).toFixed(3)} | ${rate(t.median)} |`;
  const refsPerSecond = (ms: number): string => `${((refs.length / ms) * 1000).toFixed(0)} refs/s`;
  const megabytesPerSecond = (ms: number): string => `${((mb / ms) * 1000).toFixed(0)} MB/s`;
  console.log(`Input: ${refs.length} refs (${root === undefined ? 'generated' : root}), ${parts} polygons, ` +
    `${vertices} vertices; ${mb.toFixed(0)} MB of decoded uint8 masks, ${((100 * setPixels) / pixels).toFixed(1)}% set; ` +
    `${chars} RLE string characters (checksum ${checksum}).`);
  const load = os.loadavg()[0].toFixed(1);
  console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} threads, load average ${load}, ` +
    `Node ${process.version}; ${runs} runs after one warm-up.\n`);
  console.log('| step (all refs) | median s | best s | throughput (median) |');
  console.log('|---|---:|---:|---:|');
  console.log(row('polygons -> RLE -> union (rleFromPolygon + rleMerge)', tEncode, refsPerSecond));
  console.log(row('union -> compressed string (rleToString)', tString, refsPerSecond));
  console.log(row('decode to new row-major uint8 (rleDecode)', tDecode, megabytesPerSecond));
  console.log(row('decode into a reused row-major buffer', tDecodeInto, megabytesPerSecond));
  console.log(row("decode to new column-major uint8 (pycocotools' order)", tDecodeColumn, megabytesPerSecond));
  console.log(row('(reference: only allocating the new uint8 arrays)', tAllocate, megabytesPerSecond));
}

void main();
