// Renders drawn in-process: image paths and their refusals, the gray canvas, the three
// modes pixel by pixel against the image file and the mask codec, down-scaling. Every
// ref of the sample, as PNGs (fast-png cannot load under Jest), is in render-png.test.ts.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog, type Catalog } from '../src/core/catalog';
import { DataError } from '../src/core/errors';
import { groupMembers, type ReferStore } from '../src/core/store/store';
import { rleDecode, rleFromPolygon, rleFromString, rleMerge } from '../src/mask';
import { imageFilePath, imagePath, imagesFolder } from '../src/core/layout';
import { downscale, drawRef, imageMediaType, readImage, type Raster, type RenderMode } from '../src/render';

const DATA = join(__dirname, '..', 'data');
const MODES: RenderMode[] = ['SEG', 'BOX', 'MASK'];

const tmpDirs: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'refer-render-'));
  tmpDirs.push(dir);
  return dir;
}

/** A data root with the annotation files of `datasets` and no images. */
function rootWithoutImages(datasets: string[]): string {
  const root = tmp();
  for (const d of datasets) cpSync(join(DATA, d), join(root, d), { recursive: true });
  return root;
}

let catalog: Catalog;
beforeAll(() => {
  catalog = loadCatalog({ dataRoot: DATA, cacheDir: null });
});
afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

function store(pair: string): ReferStore {
  const [dataset, splitBy] = pair.split('/');
  return catalog.get(dataset, splitBy);
}

/** REFER getMask's way, from the REFER-shaped annotation: each part through the codec, then their union. */
function referUnion(s: ReferStore, refRow: number): Uint8Array {
  const ann = s.annotationAt(s.refs.annRow[refRow]);
  const img = s.imageAt(s.refs.imageRow[refRow]);
  const seg = ann.segmentation as (number[] | { counts: string; size: [number, number] })[];
  const parts = seg.map((p) => (Array.isArray(p) ? rleFromPolygon(p, img.height, img.width) : rleFromString(p.counts, p.size[0], p.size[1])));
  return rleDecode(rleMerge(parts));
}

function pixel(r: Raster, x: number, y: number): number[] {
  const p = (y * r.width + x) * r.channels;
  return Array.from(r.data.subarray(p, p + r.channels));
}

/** Pixels of the mask whose 7x7 neighbourhood is all inside it (clear of any outline). */
function interior(mask: Uint8Array, w: number, h: number): number[] {
  const out: number[] = [];
  for (let y = 3; y < h - 3; y++) {
    for (let x = 3; x < w - 3; x++) {
      let all = true;
      for (let dy = -3; dy <= 3 && all; dy++) for (let dx = -3; dx <= 3 && all; dx++) all = mask[(y + dy) * w + x + dx] === 1;
      if (all) out.push(y * w + x);
    }
  }
  return out;
}

describe('image paths', () => {
  test('follow REFER: COCO train2014 for refcoco*, SAIAPR TC-12 for refclef', () => {
    const coco = store('refcoco/unc');
    expect(imagePath(coco, 0, DATA)).toBe(join(DATA, 'images/mscoco/images/train2014', coco.imageAt(0).file_name));
    const clef = store('refclef/unc');
    expect(clef.imageAt(0).file_name).toMatch(/^\d\d\/\d+\.jpg$/);
    expect(imagePath(clef, 0, DATA)).toBe(join(DATA, 'images/saiapr_tc-12', clef.imageAt(0).file_name));
    expect(imagesFolder('refcocog', 'rel/root')).toBe(join(process.cwd(), 'rel/root/images/mscoco/images/train2014'));
  });

  test.each(['../../etc/passwd', '/etc/passwd', 'a/../../b.jpg', 'a/../COCO.jpg', './x.jpg', 'a//b.jpg', '..\\..\\x.jpg', 'C:/x.jpg', 'x\0.jpg', '', '..'])(
    'refuse the file name %j',
    (name) => {
      expect(() => imageFilePath('refcoco', name, DATA)).toThrow(DataError);
      expect(() => imageFilePath('refcoco', name, DATA)).toThrow(/not a plain relative path inside .*train2014; refusing it/);
    },
  );

  test('a crafted file name in an index is refused, naming the image, and nothing is read', () => {
    const root = rootWithoutImages(['refcoco']);
    const file = join(root, 'refcoco/instances.json');
    const text = readFileSync(file, 'utf8');
    const first = /"file_name": "(COCO_train2014_\d+\.jpg)"/.exec(text)![1];
    writeFileSync(file, text.replace(first, '../../../../../../etc/passwd'));
    const s = loadCatalog({ dataRoot: root, cacheDir: null, datasets: ['refcoco/unc'] }).get('refcoco', 'unc');
    const row = s.instances.imageRowById.get(Number(/(\d+)\.jpg/.exec(first)![1]))!;
    expect(() => imagePath(s, row, root)).toThrow(new RegExp(`refcoco/unc: image ${s.imageAt(row).id}: .*"../../../../../../etc/passwd" is not a plain relative path`));
    const refRow = groupMembers(s.refsByImage, row)[0];
    for (const mode of MODES) expect(() => drawRef(s, refRow, { mode, dataRoot: root })).toThrow(DataError);
  });

  test('media types come from the bytes', () => {
    const jpeg = readFileSync(imagePath(store('refcoco/unc'), 0, DATA));
    expect(imageMediaType(jpeg)).toBe('image/jpeg');
    expect(imageMediaType(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10))).toBe('image/png');
    expect(imageMediaType(Buffer.from('root:x:0:0'))).toBeUndefined();
  });
});

describe('drawRef', () => {
  test.each(['refcoco/unc', 'refcoco+/unc', 'refcocog/umd', 'refclef/unc'])('%s: MASK is the union of the parts from the codec, white on black', (pair) => {
    const s = store(pair);
    for (const row of [0, 1, 17, s.refCount - 1]) {
      const { raster } = drawRef(s, row, { mode: 'MASK', dataRoot: DATA });
      const union = referUnion(s, row);
      expect(Buffer.from(raster.data).equals(Buffer.from(union.map((v) => v * 255)))).toBe(true);
      expect(union.some((v) => v === 1)).toBe(true);
    }
  });

  /** Pixels of the SEG render that differ from the image, and how many are outline colours (yellow or red). */
  function segChanges(pair: string, row: number) {
    const s = store(pair);
    const image = readImage(imagePath(s, s.refs.imageRow[row], DATA))!;
    const { raster } = drawRef(s, row, { mode: 'SEG', dataRoot: DATA });
    const mask = referUnion(s, row);
    const { width: w, height: h } = raster;
    const near = dilate(mask, w, h, 3);
    let outline = 0;
    let changedFarAway = 0;
    for (let i = 0; i < w * h; i++) {
      const same = raster.data[i * 3] === image.data[i * 3] && raster.data[i * 3 + 1] === image.data[i * 3 + 1] && raster.data[i * 3 + 2] === image.data[i * 3 + 2];
      if (!same && !near[i]) changedFarAway++;
      const [r, g, b] = raster.data.subarray(i * 3, i * 3 + 3);
      if (r === 255 && b === 0 && (g === 255 || g === 0)) outline++;
    }
    return { s, image, raster, mask, w, h, outline, changedFarAway };
  }

  test('refcoco/unc: SEG outlines polygon objects only, as showRef: the inside stays the image', () => {
    const { image, raster, mask, w, h, outline, changedFarAway } = segChanges('refcoco/unc', 3);
    // Inside the polygon, 3 px from its edge (beyond the thick line), nothing is painted.
    const deepInside = interior(mask, w, h);
    expect(deepInside.length).toBeGreaterThan(50);
    const painted = deepInside.filter((i) => [0, 1, 2].some((k) => raster.data[i * 3 + k] !== image.data[i * 3 + k]));
    expect(painted).toEqual([]);
    expect(changedFarAway).toBe(0);
    expect(outline).toBeGreaterThan(20);
  });

  test('refclef/unc: SEG fills RLE masks translucent green (2, 166, 101 at 0.5) and traces their boundary', () => {
    const { image, raster, mask, w, h, outline, changedFarAway } = segChanges('refclef/unc', 3);
    const inside = interior(mask, w, h);
    const unfilled = inside.filter((i) => [2, 166, 101].some((c, k) => raster.data[i * 3 + k] !== (image.data[i * 3 + k] * 128 + c * 128) >> 8));
    expect(inside.length).toBeGreaterThan(50);
    expect(unfilled).toEqual([]);
    expect(changedFarAway).toBe(0);
    expect(outline).toBeGreaterThan(20);
  });

  test('BOX draws the ref box 3 px wide and nothing else', () => {
    const s = store('refcocog/umd');
    const row = 5;
    const image = readImage(imagePath(s, s.refs.imageRow[row], DATA))!;
    const { raster } = drawRef(s, row, { mode: 'BOX', dataRoot: DATA });
    const [x, y, bw, bh] = s.getRefBox(s.refs.refId[row]);
    const [x0, y0, x1, y1] = [Math.floor(x), Math.floor(y), Math.ceil(x + bw) - 1, Math.ceil(y + bh) - 1];
    const green = [0, 200, 0];
    for (const [px, py] of [[x0, y0], [x1, y1], [x0, Math.round((y0 + y1) / 2)], [Math.round((x0 + x1) / 2), y1]]) {
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1]]) {
        const [qx, qy] = [Math.min(px + dx, raster.width - 1), Math.min(py + dy, raster.height - 1)];
        expect(pixel(raster, qx, qy)).toEqual(green);
      }
    }
    const wrong: string[] = [];
    for (let py = 0; py < raster.height; py++) {
      for (let px = 0; px < raster.width; px++) {
        const alongX = px >= x0 - 1 && px <= x1 + 1;
        const alongY = py >= y0 - 1 && py <= y1 + 1;
        const onEdge = ((Math.abs(px - x0) <= 1 || Math.abs(px - x1) <= 1) && alongY) || ((Math.abs(py - y0) <= 1 || Math.abs(py - y1) <= 1) && alongX);
        const p = (py * raster.width + px) * 3;
        const want = onEdge ? green : image.data.subarray(p, p + 3);
        if (raster.data[p] !== want[0] || raster.data[p + 1] !== want[1] || raster.data[p + 2] !== want[2]) wrong.push(`${px},${py}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('a missing image: a neutral gray canvas of the image size, imageFound false', () => {
    const root = rootWithoutImages(['refcoco', 'refclef']);
    const local = loadCatalog({ dataRoot: root, cacheDir: null });
    for (const pair of ['refcoco/unc', 'refclef/berkeley']) {
      const [dataset, splitBy] = pair.split('/');
      const s = local.get(dataset, splitBy);
      const img = s.imageAt(s.refs.imageRow[0]);
      const near = dilate(referUnion(s, 0), img.width, img.height, 3);
      for (const mode of ['SEG', 'BOX'] as const) {
        const { raster, imageFound } = drawRef(s, 0, { mode, dataRoot: root });
        expect([raster.width, raster.height, imageFound]).toEqual([img.width, img.height, false]);
        // SEG: gray away from the object; BOX: gray or the box's green.
        const colors = new Set<number>();
        for (let i = 0; i < img.width * img.height; i++) {
          if (mode === 'BOX' || !near[i]) colors.add((raster.data[i * 3] << 16) | (raster.data[i * 3 + 1] << 8) | raster.data[i * 3 + 2]);
        }
        const gray = 0x808080;
        expect([...colors].sort()).toEqual(mode === 'SEG' ? [gray] : [0x00c800, gray]);
      }
      expect(drawRef(s, 0, { mode: 'MASK', dataRoot: root }).imageFound).toBe(false);
    }
  });

  test('an undecodable or odd image file is a missing one', () => {
    const root = rootWithoutImages(['refcoco']);
    const s = loadCatalog({ dataRoot: root, cacheDir: null, datasets: ['refcoco/unc'] }).get('refcoco', 'unc');
    const path = imagePath(s, s.refs.imageRow[0], root);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300, 7)]));
    expect(drawRef(s, 0, { mode: 'SEG', dataRoot: root }).imageFound).toBe(false);
    writeFileSync(path, 'not an image');
    expect(drawRef(s, 0, { mode: 'BOX', dataRoot: root }).imageFound).toBe(false);
    rmSync(path);
    mkdirSync(path);
    expect(drawRef(s, 0, { mode: 'SEG', dataRoot: root }).imageFound).toBe(false);
    expect(drawRef(s, 0, { mode: 'MASK', dataRoot: root }).imageFound).toBe(false);
    // RefClef's "25/25418.jpg" where 25 is a file, not a folder (ENOTDIR).
    const clefRoot = rootWithoutImages(['refclef']);
    const clef = loadCatalog({ dataRoot: clefRoot, cacheDir: null, datasets: ['refclef/unc'] }).get('refclef', 'unc');
    const clefPath = imagePath(clef, clef.refs.imageRow[0], clefRoot);
    mkdirSync(join(clefPath, '../..'), { recursive: true });
    writeFileSync(join(clefPath, '..'), 'a file');
    for (const mode of MODES) expect(drawRef(clef, 0, { mode, dataRoot: clefRoot }).imageFound).toBe(false);
  });

  test('maxSize scales the longest side down, keeps the aspect, never scales up', () => {
    const s = store('refcocog/umd');
    for (const row of [0, 9]) {
      const img = s.imageAt(s.refs.imageRow[row]);
      for (const mode of MODES) {
        const { raster } = drawRef(s, row, { mode, maxSize: 100, dataRoot: DATA });
        expect(Math.max(raster.width, raster.height)).toBe(100);
        expect(Math.abs(raster.width / raster.height - img.width / img.height)).toBeLessThan(0.02);
        expect(raster.data.length).toBe(raster.width * raster.height * raster.channels);
        const big = drawRef(s, row, { mode, maxSize: 5000, dataRoot: DATA }).raster;
        expect([big.width, big.height]).toEqual([img.width, img.height]);
      }
    }
  });

  test('bad options are data errors that say what is valid', () => {
    const s = store('refcoco/unc');
    expect(() => drawRef(s, 0, { mode: 'OUTLINE' as RenderMode, dataRoot: DATA })).toThrow(/unknown render mode "OUTLINE"; valid modes: SEG, BOX, MASK/);
    for (const maxSize of [0, -5, 1.5, NaN]) {
      expect(() => drawRef(s, 0, { mode: 'SEG', maxSize, dataRoot: DATA })).toThrow(DataError);
    }
    expect(() => drawRef(s, 0, { mode: 'SEG', maxSize: 0, dataRoot: DATA })).toThrow(/maxSize must be a whole number of pixels ≥ 1, got 0/);
  });
});

describe('downscale', () => {
  test('averages the source pixels each output pixel covers', () => {
    const gray: Raster = { width: 4, height: 2, channels: 1, data: Uint8Array.of(0, 255, 10, 20, 255, 0, 30, 40) };
    expect(Array.from(downscale(gray, 2).data)).toEqual([128, 25]);
    const rgb: Raster = { width: 3, height: 1, channels: 3, data: Uint8Array.of(0, 0, 0, 90, 90, 90, 30, 60, 90) };
    const one = downscale(rgb, 1);
    expect([one.width, one.height, ...one.data]).toEqual([1, 1, 40, 50, 60]);
    expect(downscale(rgb, 3)).toBe(rgb);
  });
});

/** 1 where a pixel is within `d` pixels (Chebyshev) of a set pixel of the mask. */
function dilate(mask: Uint8Array, w: number, h: number, d: number): Uint8Array {
  const across = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    if (!mask[i]) continue;
    const x = i % w;
    across.fill(1, i - x + Math.max(0, x - d), i - x + Math.min(w, x + d + 1));
  }
  const out = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    if (!across[i]) continue;
    const x = i % w;
    const y = (i - x) / w;
    for (let yy = Math.max(0, y - d); yy <= Math.min(h - 1, y + d); yy++) out[yy * w + x] = 1;
  }
  return out;
}
