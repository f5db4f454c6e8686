// Randomised properties of the mask codec (seeded, so every run sees the same cases):
// round trips, set algebra against plain bitmaps, and rleFromPolygon against a literal
// transcription of maskApi.c rleFrPoly.

import {
  bboxIou,
  rleArea,
  rleDecode,
  rleEncode,
  rleFromBbox,
  rleFromCounts,
  rleFromPolygon,
  rleFromString,
  rleIou,
  rleMerge,
  rleToBbox,
  rleToString,
  type Rle,
} from '../src/mask';
import { Random } from '../src/sample/random';

function mulberry32(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

const rnd = mulberry32(0x5eed);
const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

/** A row-major bitmap: noise, sparse dots or blobs of runs, so runs of every length occur. */
function randomBitmap(h: number, w: number): Uint8Array {
  const m = new Uint8Array(h * w);
  const kind = int(0, 3);
  if (kind === 0) for (let i = 0; i < m.length; i++) m[i] = rnd() < 0.5 ? 1 : 0;
  if (kind === 1) for (let i = 0; i < m.length; i++) m[i] = rnd() < 0.05 ? 1 : 0;
  if (kind === 2) {
    for (let b = int(1, 4); b > 0; b--) {
      const y0 = int(0, h), x0 = int(0, w), y1 = int(y0, h), x1 = int(x0, w);
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * w + x] = 1;
    }
  }
  if (kind === 3 && m.length > 0) m.fill(rnd() < 0.5 ? 1 : 0);
  return m;
}

function transpose(m: Uint8Array, h: number, w: number): Uint8Array {
  const t = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) t[x * h + y] = m[y * w + x];
  return t;
}

function popcount(m: Uint8Array): number {
  return m.reduce((s, v) => s + v, 0);
}

function bitmapBbox(m: Uint8Array, h: number, w: number): number[] {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (m[y * w + x]) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

const sizes: [number, number][] = Array.from({ length: 250 }, (_, i) =>
  i < 10 ? [int(0, 2), int(0, 2)] : [int(1, 40), int(1, 40)],
);

describe('encode and decode', () => {
  it.each(sizes)('round-trips a random %ix%i bitmap in both pixel orders', (h, w) => {
    const m = randomBitmap(h, w);
    const rle = rleEncode(m, h, w);
    expect(rleDecode(rle)).toEqual(m);
    const col = transpose(m, h, w);
    expect(rleEncode(col, h, w, 'column').counts).toEqual(rle.counts);
    expect(rleDecode(rle, 'column')).toEqual(col);
    // Canonical counts: they cover the mask and only the first may be zero.
    expect(rle.counts.reduce((s, c) => s + c, 0)).toBe(h * w);
    expect(Array.from(rle.counts.subarray(1)).every((c) => c > 0)).toBe(true);
    expect(rleArea(rle)).toBe(popcount(m));
    expect(rleToBbox(rle)).toEqual(bitmapBbox(m, h, w));
  });

  it('reuses an output buffer, clearing what it held', () => {
    const out = new Uint8Array(12).fill(7);
    const rle = rleFromCounts([3, 2, 7], 3, 4);
    expect(rleDecode(rle, 'row', out)).toBe(out);
    expect(Array.from(out)).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(rleDecode(rle, 'column', out))).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('compressed strings', () => {
  it.each(sizes)('round-trips the RLE of a random %ix%i bitmap', (h, w) => {
    const rle = rleEncode(randomBitmap(h, w), h, w);
    const s = rleToString(rle);
    expect(s).toMatch(/^[0-o]*$/);
    expect(rleFromString(s, h, w)).toEqual(rle);
  });

  it('round-trips arbitrary counts below 2**29', () => {
    for (let i = 0; i < 500; i++) {
      const counts = Array.from({ length: int(1, 12) }, () =>
        [int(0, 40), int(0, 2 ** 16), int(0, 2 ** 29 - 1)][int(0, 2)],
      );
      const rle = rleFromCounts(counts, 0, 0);
      expect(Array.from(rleFromString(rleToString(rle), 0, 0).counts)).toEqual(counts);
    }
  });
});

describe('merge, iou and boxes against bitmaps', () => {
  it.each(sizes.slice(10, 160))('agree on random %ix%i masks', (h, w) => {
    const bitmaps = Array.from({ length: int(2, 4) }, () => randomBitmap(h, w));
    const rles = bitmaps.map((m) => rleEncode(m, h, w));
    const or = bitmaps.reduce((acc, m) => acc.map((v, i) => v | m[i]));
    const and = bitmaps.reduce((acc, m) => acc.map((v, i) => v & m[i]));
    const union = rleMerge(rles);
    const intersection = rleMerge(rles, true);
    expect(rleDecode(union)).toEqual(or);
    expect(rleDecode(intersection)).toEqual(and);
    expect(rleArea(union)).toBe(popcount(or));
    expect(rleArea(intersection)).toBe(popcount(and));

    const [a, b] = bitmaps;
    const both = popcount(a.map((v, i) => v & b[i]));
    const either = popcount(a.map((v, i) => v | b[i]));
    const [[plain]] = rleIou([rles[0]], [rles[1]], [false]);
    const [[crowd]] = rleIou([rles[0]], [rles[1]], [true]);
    expect(plain).toBe(both === 0 ? 0 : both / either);
    expect(crowd).toBe(both === 0 ? 0 : both / popcount(a));
  });

  it('bboxIou is intersection over union of boxes, or over the dt box for crowds', () => {
    for (let i = 0; i < 200; i++) {
      const box = (): number[] => [int(0, 20), int(0, 20), int(1, 15), int(1, 15)];
      const d = box();
      const g = box();
      const iw = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
      const ih = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
      const inter = iw > 0 && ih > 0 ? iw * ih : 0;
      const [[plain, crowd]] = bboxIou([d], [g, g], [false, true]);
      expect(plain).toBe(inter === 0 ? 0 : inter / (d[2] * d[3] + g[2] * g[3] - inter));
      expect(crowd).toBe(inter === 0 ? 0 : inter / (d[2] * d[3]));
    }
  });
});

/** maskApi.c rleFrPoly as written: every walk point stored, then scanned and sorted. */
function referenceFrPoly(xy: number[], h: number, w: number): number[] {
  const cInt = (v: number): number => (Number.isNaN(v) ? -0x80000000 : Math.trunc(v));
  const k = Math.floor(xy.length / 2);
  const x: number[] = [], y: number[] = [];
  for (let j = 0; j < k; j++) x.push(cInt(5 * xy[2 * j] + 0.5));
  for (let j = 0; j < k; j++) y.push(cInt(5 * xy[2 * j + 1] + 0.5));
  x.push(x[0]);
  y.push(y[0]);
  const u: number[] = [], v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
    const dx = Math.abs(xe - xs), dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) { [xs, xe] = [xe, xs]; [ys, ye] = [ye, ys]; }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) { const t = flip ? dx - d : d; u.push(t + xs); v.push(cInt(ys + s * t + 0.5)); }
    } else {
      for (let d = 0; d <= dy; d++) { const t = flip ? dy - d : d; v.push(t + ys); u.push(cInt(xs + s * t + 0.5)); }
    }
  }
  const a: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
    xd = (xd + 0.5) / 5 - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
    yd = (yd + 0.5) / 5 - 0.5;
    yd = Math.ceil(yd < 0 ? 0 : yd > h ? h : yd);
    a.push(xd * h + yd);
  }
  a.push(h * w);
  a.sort((p, q) => p - q);
  const diffs = a.map((t, j) => t - (j > 0 ? a[j - 1] : 0));
  const b = [diffs[0]];
  for (let j = 1; j < diffs.length; ) {
    if (diffs[j] > 0) b.push(diffs[j++]);
    else if (++j < diffs.length) b[b.length - 1] += diffs[j++];
  }
  return b;
}

describe('rleFromPolygon', () => {
  // Coordinates on pixel centres and edges, in and around the image, negative ones that
  // C truncates toward zero, and repeated vertices.
  function coordinate(limit: number): number {
    const r = rnd();
    if (r < 0.3) return Math.round((rnd() * (limit + 20) - 10) * 100) / 100;
    if (r < 0.55) return int(-3, limit + 3) + [0, 0.1, 0.15, 0.3, 0.5, 0.7, -0.1, -0.15, -0.3, -0.5][int(0, 9)];
    return rnd() * (limit + 4) - 2;
  }

  it('matches the literal C algorithm on 1500 random polygons', () => {
    for (let i = 0; i < 1500; i++) {
      const h = int(1, 60), w = int(1, 60);
      const xy: number[] = [];
      for (let j = int(0, 25); j > 0; j--) {
        if (xy.length > 0 && rnd() < 0.1) xy.push(xy[xy.length - 2], xy[xy.length - 1]);
        else xy.push(coordinate(w), coordinate(h));
      }
      expect([i, Array.from(rleFromPolygon(xy, h, w).counts)]).toEqual([i, referenceFrPoly(xy, h, w)]);
    }
  });

  it('matches the literal C algorithm on large star polygons', () => {
    for (let i = 0; i < 40; i++) {
      const h = int(200, 640), w = int(200, 640);
      const cx = rnd() * w, cy = rnd() * h, radius = 20 + rnd() * 300;
      const xy: number[] = [];
      for (let j = 0, k = int(3, 60); j < k; j++) {
        const angle = (2 * Math.PI * j) / k, r = radius * (j % 2 ? 0.5 + rnd() * 0.5 : 1);
        xy.push(Math.round((cx + r * Math.cos(angle)) * 100) / 100, Math.round((cy + r * Math.sin(angle)) * 100) / 100);
      }
      expect(Array.from(rleFromPolygon(xy, h, w).counts)).toEqual(referenceFrPoly(xy, h, w));
    }
  });

  it('always covers the whole mask, wherever the polygon lies', () => {
    for (let i = 0; i < 300; i++) {
      const h = int(1, 30), w = int(1, 30);
      const xy = Array.from({ length: 2 * int(3, 12) }, (_, j) => coordinate(j % 2 ? h : w) * 3 - w);
      const rle = rleFromPolygon(xy, h, w);
      expect(rle.counts.reduce((s, c) => s + c, 0)).toBe(h * w);
      expect(rleDecode(rle)).toHaveLength(h * w);
    }
  });

  it('fills exactly the pixels of a whole-pixel box', () => {
    for (let i = 0; i < 200; i++) {
      const h = int(1, 30), w = int(1, 30);
      const box = [int(0, w - 1), int(0, h - 1)];
      box.push(int(1, w - box[0]), int(1, h - box[1]));
      const rle = rleFromBbox(box, h, w);
      expect(rleArea(rle)).toBe(box[2] * box[3]);
      expect(rleToBbox(rle)).toEqual(box);
      const expected = new Uint8Array(h * w);
      for (let y = box[1]; y < box[1] + box[3]; y++) expected.fill(1, y * w + box[0], y * w + box[0] + box[2]);
      expect(rleDecode(rle)).toEqual(expected);
    }
  });

  it('is unchanged by moving the start vertex or reversing the polygon', () => {
    const masks: Rle[] = [];
    const xy = [10.3, 4.2, 30.7, 8.9, 25.1, 28.4, 6.6, 20.05, 12.5, 12.5];
    const shifted = [...xy.slice(4), ...xy.slice(0, 4)];
    const reversed: number[] = [];
    for (let j = xy.length - 2; j >= 0; j -= 2) reversed.push(xy[j], xy[j + 1]);
    for (const p of [xy, shifted, reversed]) masks.push(rleFromPolygon(p, 32, 40));
    expect(rleArea(masks[0])).toBeGreaterThan(300);
    expect(masks[1]).toEqual(masks[0]);
    expect(masks[2]).toEqual(masks[0]);
  });
});
