// Renders as PNGs. fast-png is an ES module that Jest's loader cannot require before
// Node 24.9, so the renders are made and decoded in a plain Node process (where the
// server runs them too), and checked here against the store and the mask codec.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadCatalog, type Catalog } from '../src/core/catalog';
import { findPairs } from '../src/core/layout';
import type { ReferStore } from '../src/core/store/store';
import { rleDecode, rleFromPolygon, rleFromString, rleMerge } from '../src/mask';

const ROOT = join(__dirname, '..');
const THUMB = 96;
const GOLDEN_PAIRS = ['refcoco/unc', 'refcoco+/unc', 'refcocog/umd', 'refclef/berkeley'];
const goldenRows = (refCount: number) => [0, 1, 17, refCount - 1];

interface Rendered {
  pair: string;
  refId: number;
  mode: string;
  /** What renderRef said, then what the PNG decoder read. */
  size: [number, number];
  png: [number, number, number, number];
  imageFound: boolean;
}

interface ChildResult {
  thumbs: Rendered[];
  full: Rendered[];
  golden: { pair: string; refId: number; md5: string }[];
  pngInputs: Record<string, { found: boolean; equal: boolean }>;
}

// Every ref in every mode, as thumbnails (full-size PNGs of 3,400 renders would take
// minutes to encode), ordered by image file and drawn through the server's decoded-image
// cache so that each JPEG is decoded once; a few
// refs per pair at full size; MASK PNGs of the golden refs, decoded and hashed; and
// renders over image files that are PNGs of several kinds.
const SCRIPT = `
const { createHash } = require('node:crypto');
const { mkdirSync, mkdtempSync, cpSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, dirname } = require('node:path');
const { decode, encode } = require('fast-png');
const { loadCatalog } = require('./src/core/catalog');
const { findPairs, imagePath } = require('./src/core/layout');
const { DecodedImages, decodeImage, readImage, renderRef } = require('./src/render');
const DATA = 'data';
// The REFER pairs: the sample ships no image files for gRefCOCO (its renders: grefcoco-api.test.ts).
const catalog = loadCatalog({ dataRoot: DATA, cacheDir: null, datasets: findPairs(DATA).filter((p) => !p.startsWith('grefcoco/')) });
// The server's decoded-image cache: with the jobs in file order, each JPEG is decoded once.
const images = new DecodedImages();
const record = (pair, s, row, mode, maxSize) => {
  const r = renderRef(s, row, { mode, maxSize, dataRoot: DATA, images });
  const png = decode(r.png);
  return { pair, refId: s.refs.refId[row], mode, size: [r.width, r.height], png: [png.width, png.height, png.channels, png.depth], imageFound: r.imageFound };
};
const jobs = [];
for (const [pair, s] of catalog.stores) {
  for (let row = 0; row < s.refCount; row++) jobs.push({ pair, s, row, path: imagePath(s, s.refs.imageRow[row], DATA) });
}
jobs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
const thumbs = [];
for (const j of jobs) for (const mode of ['SEG', 'BOX', 'MASK']) thumbs.push(record(j.pair, j.s, j.row, mode, ${THUMB}));
const full = [];
for (const [pair, s] of catalog.stores) for (const row of [0, 1]) for (const mode of ['SEG', 'BOX', 'MASK']) full.push(record(pair, s, row, mode));
const golden = [];
for (const pair of ${JSON.stringify(GOLDEN_PAIRS)}) {
  const s = catalog.get(...pair.split('/'));
  for (const row of [0, 1, 17, s.refCount - 1]) {
    const png = decode(renderRef(s, row, { mode: 'MASK', dataRoot: DATA }).png);
    golden.push({ pair, refId: s.refs.refId[row], md5: createHash('md5').update(png.data).digest('hex') });
  }
}

// The image of refcoco/unc's first ref, re-encoded as PNGs of several kinds.
const s = catalog.get('refcoco', 'unc');
const jpeg = readImage(imagePath(s, s.refs.imageRow[0], DATA));
const { width: w, height: h } = jpeg;
const n = w * h;
const gray = Uint8Array.from({ length: n }, (_, i) => jpeg.data[i * 3 + 1]);
const kinds = {
  rgb8: [{ data: jpeg.data, channels: 3, depth: 8 }, jpeg.data],
  gray8: [{ data: gray, channels: 1, depth: 8 }, Uint8Array.from({ length: n * 3 }, (_, i) => gray[(i / 3) | 0])],
  // 16-bit RGBA, left half transparent (laid over gray 128), right half opaque.
  rgba16: [
    { data: Uint16Array.from({ length: n * 4 }, (_, i) => (i % 4 === 3 ? ((i >> 2) % w < w / 2 ? 0 : 65535) : jpeg.data[(i >> 2) * 3 + (i % 4)] * 257)), channels: 4, depth: 16 },
    Uint8Array.from({ length: n * 3 }, (_, i) => ((((i / 3) | 0) % w) < w / 2 ? 128 : jpeg.data[i])),
  ],
  // 1-bit palette: a checkerboard of two colours.
  palette1: [
    { data: (() => { const rowBytes = Math.ceil(w / 8); const d = new Uint8Array(rowBytes * h); for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x + y) % 2) d[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7); return d; })(),
      channels: 1, depth: 1, palette: [[10, 20, 30], [200, 100, 50]] },
    Uint8Array.from({ length: n * 3 }, (_, i) => { const p = (i / 3) | 0; return ((p % w) + ((p / w) | 0)) % 2 ? [200, 100, 50][i % 3] : [10, 20, 30][i % 3]; }),
  ],
};
const pngInputs = {};
const root = mkdtempSync(join(tmpdir(), 'refer-render-png-'));
cpSync(join(DATA, 'refcoco'), join(root, 'refcoco'), { recursive: true });
const local = loadCatalog({ dataRoot: root, cacheDir: null, datasets: ['refcoco/unc'] }).get('refcoco', 'unc');
const path = imagePath(local, local.refs.imageRow[0], root);
mkdirSync(dirname(path), { recursive: true });
for (const [kind, [image, want]] of Object.entries(kinds)) {
  const bytes = encode({ width: w, height: h, ...image });
  const raster = decodeImage(bytes);
  writeFileSync(path, bytes);
  pngInputs[kind] = { found: renderRef(local, 0, { mode: 'SEG', dataRoot: root }).imageFound, equal: Buffer.from(raster.data).equals(Buffer.from(want)) };
}
require('node:fs').rmSync(root, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ thumbs, full, golden, pngInputs }));
`;

let result: ChildResult;
let catalog: Catalog;
beforeAll(() => {
  catalog = loadCatalog({ dataRoot: join(ROOT, 'data'), cacheDir: null, datasets: findPairs(join(ROOT, 'data')).filter((p) => !p.startsWith('grefcoco/')) });
  const out = execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', SCRIPT], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  result = JSON.parse(out) as ChildResult;
}, 180_000);

function store(pair: string): ReferStore {
  const [dataset, splitBy] = pair.split('/');
  return catalog.get(dataset, splitBy);
}

/** The size renderRef should give: the index's, its longest side down to maxSize. */
function expectedSize(s: ReferStore, refId: number, maxSize = Infinity): [number, number] {
  const img = s.imageAt(s.refs.imageRow[s.refRow(refId)]);
  const longest = Math.max(img.width, img.height);
  if (longest <= maxSize) return [img.width, img.height];
  return [Math.round((img.width * maxSize) / longest), Math.round((img.height * maxSize) / longest)];
}

function problems(list: Rendered[], maxSize?: number): string[] {
  return list.flatMap((r) => {
    const [w, h] = expectedSize(store(r.pair), r.refId, maxSize);
    const want = [w, h, w, h, r.mode === 'MASK' ? 1 : 3, 8, true].join();
    const got = [...r.size, ...r.png, r.imageFound].join();
    return got === want ? [] : [`${r.pair} ref ${r.refId} ${r.mode}: ${got}, expected ${want}`];
  });
}

test('every ref of the sample renders in every mode to a PNG of the right size', () => {
  const refs = [...catalog.stores.values()].reduce((t, s) => t + s.refCount, 0);
  expect(result.thumbs).toHaveLength(3 * refs);
  expect(problems(result.thumbs, THUMB)).toEqual([]);
  expect(result.full).toHaveLength(7 * 2 * 3);
  expect(problems(result.full)).toEqual([]);
});

test.each(GOLDEN_PAIRS)('%s: MASK PNGs decode pixel for pixel to the union mask of the codec', (pair) => {
  const s = store(pair);
  const got = result.golden.filter((g) => g.pair === pair);
  expect(got.map((g) => g.refId)).toEqual(goldenRows(s.refCount).map((row) => s.refs.refId[row]));
  for (const { refId, md5 } of got) {
    // REFER getMask's way: each part of the REFER-shaped annotation through the codec.
    const row = s.refRow(refId);
    const img = s.imageAt(s.refs.imageRow[row]);
    const seg = s.annotationAt(s.refs.annRow[row]).segmentation as (number[] | { counts: string; size: [number, number] })[];
    const parts = seg.map((p) => (Array.isArray(p) ? rleFromPolygon(p, img.height, img.width) : rleFromString(p.counts, p.size[0], p.size[1])));
    const union = rleDecode(rleMerge(parts)).map((v) => v * 255);
    expect(union.some((v) => v === 255)).toBe(true);
    expect([refId, md5]).toEqual([refId, createHash('md5').update(union).digest('hex')]);
  }
});

test('image files that are PNGs (RGB, gray, 16-bit with alpha, 1-bit palette) are drawn on', () => {
  expect(result.pngInputs).toEqual({
    rgb8: { found: true, equal: true },
    gray8: { found: true, equal: true },
    rgba16: { found: true, equal: true },
    palette1: { found: true, equal: true },
  });
});
