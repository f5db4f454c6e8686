// An in-memory picture and the few drawing operations a render needs: translucent mask
// fills, thick lines, box down-scaling, PNG encoding (fast-png).

import type * as FastPng from 'fast-png';

/** Pixels row by row, `channels` bytes each: 1 (gray) or 3 (RGB). */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export type Rgb = readonly [number, number, number];

export function filledRaster(width: number, height: number, color: Rgb): Raster {
  const data = new Uint8Array(width * height * 3);
  data.set(color);
  // Doubling copies: a few native calls instead of a loop over every byte.
  for (let filled = 3; filled < data.length; filled *= 2) data.copyWithin(filled, 0, Math.min(filled, data.length - filled));
  return { width, height, channels: 3, data };
}

/**
 * Blends `color` at `alpha` (0..1) into the pixels where a row-major mask of mw x mh is
 * set. A mask of another size than the raster (a file that does not match its index)
 * is laid from the top left corner and clipped.
 */
export function blendMask(r: Raster, mask: Uint8Array, mw: number, mh: number, color: Rgb, alpha: number): void {
  const a = Math.round(alpha * 256);
  const keep = 256 - a;
  const [cr, cg, cb] = [color[0] * a, color[1] * a, color[2] * a];
  const w = Math.min(mw, r.width);
  const h = Math.min(mh, r.height);
  const d = r.data;
  for (let y = 0; y < h; y++) {
    const row = y * mw;
    let p = y * r.width * 3;
    for (let x = 0; x < w; x++, p += 3) {
      if (mask[row + x] === 0) continue;
      d[p] = (d[p] * keep + cr) >> 8;
      d[p + 1] = (d[p + 1] * keep + cg) >> 8;
      d[p + 2] = (d[p + 2] * keep + cb) >> 8;
    }
  }
}

/** Mask pixels with a 4-neighbour outside the mask (the image border does not count). */
export function maskBoundary(mask: Uint8Array, w: number, h: number): Uint8Array {
  const edge = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (mask[i] === 0) continue;
      if ((x > 0 && mask[i - 1] === 0) || (x < w - 1 && mask[i + 1] === 0) || (y > 0 && mask[i - w] === 0) || (y < h - 1 && mask[i + w] === 0)) {
        edge[i] = 1;
      }
    }
  }
  return edge;
}

/** Paints a (2 * radius + 1)-pixel square centred on (x, y), clipped to the raster. */
function stamp(r: Raster, x: number, y: number, radius: number, color: Rgb): void {
  const x0 = Math.max(0, x - radius);
  const x1 = Math.min(r.width - 1, x + radius);
  const y0 = Math.max(0, y - radius);
  const y1 = Math.min(r.height - 1, y + radius);
  for (let yy = y0; yy <= y1; yy++) {
    for (let xx = x0; xx <= x1; xx++) {
      const p = (yy * r.width + xx) * 3;
      r.data[p] = color[0];
      r.data[p + 1] = color[1];
      r.data[p + 2] = color[2];
    }
  }
}

/**
 * Bresenham's line between two pixels, drawn with a square brush. The segment is first
 * clipped to the raster (plus the brush), so corrupt coordinates far outside it cost
 * nothing; a non-finite one draws nothing.
 */
export function drawLine(r: Raster, x0: number, y0: number, x1: number, y1: number, radius: number, color: Rgb): void {
  const clipped = clipSegment(x0, y0, x1, y1, -radius, -radius, r.width - 1 + radius, r.height - 1 + radius);
  if (!clipped) return;
  [x0, y0, x1, y1] = clipped;
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    stamp(r, x0, y0, radius, color);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) { err += dy; x0 += sx; }
    if (e2 <= dx) { err += dx; y0 += sy; }
  }
}

/** Liang-Barsky: the part of a segment inside a rectangle, endpoints rounded; null if none. */
function clipSegment(x0: number, y0: number, x1: number, y1: number, xMin: number, yMin: number, xMax: number, yMax: number): [number, number, number, number] | null {
  if (![x0, y0, x1, y1].every(Number.isFinite)) return null;
  const dx = x1 - x0;
  const dy = y1 - y0;
  let t0 = 0;
  let t1 = 1;
  for (const [p, q] of [[-dx, x0 - xMin], [dx, xMax - x0], [-dy, y0 - yMin], [dy, yMax - y0]]) {
    if (p === 0) {
      if (q < 0) return null;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
    }
  }
  if (t0 > t1) return null;
  return [Math.round(x0 + t0 * dx), Math.round(y0 + t0 * dy), Math.round(x0 + t1 * dx), Math.round(y0 + t1 * dy)];
}

/** Paints every set pixel of a row-major mask (clipped like blendMask) with a square brush. */
export function drawMaskPixels(r: Raster, mask: Uint8Array, mw: number, mh: number, radius: number, color: Rgb): void {
  const w = Math.min(mw, r.width);
  const h = Math.min(mh, r.height);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if (mask[y * mw + x] !== 0) stamp(r, x, y, radius, color);
  }
}

/**
 * Scales the raster down so that its longest side is `maxSize`, each output pixel the
 * mean of the source pixels it covers (a box filter: no aliasing on thin outlines).
 */
export function downscale(r: Raster, maxSize: number): Raster {
  const longest = Math.max(r.width, r.height);
  if (longest <= maxSize) return r;
  const width = Math.max(1, Math.round((r.width * maxSize) / longest));
  const height = Math.max(1, Math.round((r.height * maxSize) / longest));
  const c = r.channels;
  const columns = spans(r.width, width);
  const rows = spans(r.height, height);
  // Rows first: source rows of `width` averaged pixels, then columns of them.
  const across = new Float32Array(r.height * width * c);
  for (let y = 0; y < r.height; y++) {
    for (let X = 0; X < width; X++) {
      const x0 = columns[X];
      const x1 = columns[X + 1];
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let x = x0; x < x1; x++) sum += r.data[(y * r.width + x) * c + k];
        across[(y * width + X) * c + k] = sum / (x1 - x0);
      }
    }
  }
  const data = new Uint8Array(width * height * c);
  const rowLength = width * c;
  for (let Y = 0; Y < height; Y++) {
    const y0 = rows[Y];
    const y1 = rows[Y + 1];
    for (let i = 0; i < rowLength; i++) {
      let sum = 0;
      for (let y = y0; y < y1; y++) sum += across[y * rowLength + i];
      data[Y * rowLength + i] = Math.round(sum / (y1 - y0));
    }
  }
  return { width, height, channels: c, data };
}

/** Boundaries of `to` equal spans over `from` pixels (from >= to). */
function spans(from: number, to: number): Int32Array {
  const edges = new Int32Array(to + 1);
  for (let i = 0; i <= to; i++) edges[i] = Math.floor((i * from) / to);
  return edges;
}

let fastPng: typeof FastPng | undefined;

/**
 * fast-png is an ES module: Node >= 20.19 require()s it, Jest before Node 24.9 cannot,
 * so it is loaded on first use (as the mask codec does) and drawing never depends on it.
 */
export function loadFastPng(): typeof FastPng {
  return (fastPng ??= require('fast-png') as typeof FastPng);
}

/**
 * An 8-bit PNG at zlib level 3 (fast-png's default, pinned because it is a choice: on a
 * 640x480 render level 6 takes 1.6 times as long for a file 1% smaller).
 */
export function rasterToPng(r: Raster): Uint8Array<ArrayBuffer> {
  const png = loadFastPng().encode({ width: r.width, height: r.height, data: r.data, depth: 8, channels: r.channels }, { zlib: { level: 3 } });
  // Typed on a plain ArrayBuffer, as a fetch Response body must be (a copy of ~50 kB).
  return new Uint8Array(png);
}
