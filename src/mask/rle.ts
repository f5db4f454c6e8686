// The RLE value and its conversions to and from bitmaps, after pycocotools' maskApi.c
// (rleInit, rleEncode, rleDecode) and _mask.pyx (frUncompressedRLE).

import { Int32List, Uint32List } from './scratch';

/**
 * A binary mask of h rows and w columns as run lengths over its pixels in column-major
 * (Fortran) order, alternating zeros and ones and starting with zeros (a mask whose first
 * pixel is set starts with a zero count). Valid masks have counts summing to h*w.
 */
export interface Rle {
  h: number;
  w: number;
  counts: Uint32Array;
}

/** Pixel order of a bitmap: 'row' is numpy's default (C order), 'column' is pycocotools' own. */
export type PixelOrder = 'row' | 'column';

const UINT32_LIMIT = 0x1_0000_0000;

/**
 * h and w are C `siz` values whose product is stored in uint32 counts; newer pycocotools
 * rejects larger masks too, and a negative size cannot even reach the C code from Python.
 */
export function checkSize(fn: string, h: number, w: number): void {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 0 || w < 0) {
    throw new RangeError(`${fn}: size must be two non-negative integers, got h=${h}, w=${w}`);
  }
  if (h * w >= UINT32_LIMIT) {
    throw new RangeError(`${fn}: a mask may have at most 2**32 - 1 pixels, got h=${h}, w=${w}`);
  }
}

/** Sum of all counts, as a plain number (no uint32 wrap). */
export function countsTotal(counts: Uint32Array): number {
  let total = 0;
  for (let j = 0; j < counts.length; j++) total += counts[j];
  return total;
}

/** frUncompressedRLE: an RLE from the plain `counts` list of an uncompressed COCO RLE. */
export function rleFromCounts(counts: ArrayLike<number>, h: number, w: number): Rle {
  checkSize('rleFromCounts', h, w);
  const out = new Uint32Array(counts.length);
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j];
    // numpy would refuse or truncate these on the way to uint32; they are corrupt data.
    if (!Number.isInteger(c) || c < 0 || c >= UINT32_LIMIT) {
      throw new RangeError(`rleFromCounts: count ${j} is ${c}, expected an integer in [0, 2**32)`);
    }
    out[j] = c;
  }
  return { h, w, counts: out };
}

const runs = new Uint32List();

/**
 * rleEncode. Like the C code, a run ends wherever the byte value changes, not where
 * zero/non-zero changes: [0, 2, 1] encodes as counts [1, 1, 1] (decoding to 0 1 0). This
 * is exactly what pycocotools does with a non-binary uint8 mask such as REFER's summed one.
 */
export function rleEncode(bitmap: Uint8Array, h: number, w: number, order: PixelOrder = 'row'): Rle {
  checkSize('rleEncode', h, w);
  const a = h * w;
  if (bitmap.length !== a) {
    throw new RangeError(`rleEncode: bitmap has ${bitmap.length} bytes, expected h*w = ${h}*${w} = ${a}`);
  }
  runs.clear();
  let p = 0;
  let c = 0;
  if (order === 'column') {
    for (let j = 0; j < a; j++) {
      const t = bitmap[j];
      if (t !== p) { runs.push(c); c = 0; p = t; }
      c++;
    }
  } else {
    for (let x = 0; x < w; x++) {
      for (let j = x; j < a; j += w) {
        const t = bitmap[j];
        if (t !== p) { runs.push(c); c = 0; p = t; }
        c++;
      }
    }
  }
  runs.push(c);
  return { h, w, counts: runs.copy() };
}

/**
 * rleDecode to a uint8 0/1 bitmap, row-major unless asked otherwise. `out`, if given, is
 * reused (it must hold h*w bytes). Unlike the C code, which writes sum(counts) bytes into
 * an h*w buffer (overflowing it or leaving garbage), counts that do not sum to h*w throw.
 */
export function rleDecode(rle: Rle, order: PixelOrder = 'row', out?: Uint8Array): Uint8Array {
  const { h, w, counts } = rle;
  checkSize('rleDecode', h, w);
  const a = h * w;
  const total = countsTotal(counts);
  if (total !== a) {
    throw new RangeError(`rleDecode: counts sum to ${total}, expected h*w = ${h}*${w} = ${a}`);
  }
  let mask: Uint8Array;
  if (out === undefined) {
    mask = new Uint8Array(a);
  } else {
    if (out.length !== a) throw new RangeError(`rleDecode: out has ${out.length} bytes, expected ${a}`);
    mask = out;
    mask.fill(0);
  }
  const m = counts.length;
  let pos = 0;
  if (order === 'column') {
    for (let j = 0; j < m; j++) {
      const c = counts[j];
      if (j & 1) mask.fill(1, pos, pos + c);
      pos += c;
    }
    return mask;
  }
  decodeRows(counts, h, w, mask);
  return mask;
}

const rowEventStart = new Int32List();
const eventColumns = new Int32List();

/**
 * Row-major decoding without a write per set pixel at stride w: each column segment of a
 * run of ones becomes two events, "turns on at row y0" and "turns off at row y1", and
 * every row is the row above (one native copy over the mask's columns) with that row's
 * events applied.
 */
function decodeRows(counts: Uint32Array, h: number, w: number, mask: Uint8Array): void {
  const m = counts.length;
  const start = rowEventStart.zeroed(h + 1);
  let xMin = w;
  let xMax = -1;
  let yMin = h;
  let yMax = -1;
  let events = 0;
  let pos = 0;
  for (let pass = 0; pass < 2; pass++) {
    if (pass === 1) {
      // Counts per row to start offsets; the scatter below moves them to the row ends.
      for (let y = 0; y < h; y++) start[y + 1] += start[y];
      eventColumns.reserve(events);
    }
    const columns = eventColumns.data;
    pos = 0;
    for (let j = 0; j < m; j++) {
      const c = counts[j];
      if (j & 1 && c > 0) {
        const end = pos + c;
        let x = Math.floor(pos / h);
        let y = pos - x * h;
        let p = pos;
        while (p < end) {
          const rest = h - y;
          const n = end - p < rest ? end - p : rest;
          const y1 = y + n;
          if (pass === 0) {
            start[y + 1]++;
            events++;
            if (y1 < h) { start[y1 + 1]++; events++; }
            if (x < xMin) xMin = x;
            if (x > xMax) xMax = x;
            if (y < yMin) yMin = y;
            if (y1 - 1 > yMax) yMax = y1 - 1;
          } else {
            columns[start[y]++] = x;
            if (y1 < h) columns[start[y1]++] = x;
          }
          p += n;
          x++;
          y = 0;
        }
      }
      pos += c;
    }
  }
  const columns = eventColumns.data;
  // After the scatter, row y's events are columns[start[y-1] .. start[y]).
  let e = yMin > 0 ? start[yMin - 1] : 0;
  for (let y = yMin; y <= yMax; y++) {
    const row = y * w;
    if (y > yMin) mask.copyWithin(row + xMin, row - w + xMin, row - w + xMax + 1);
    const eEnd = start[y];
    for (; e < eEnd; e++) mask[row + columns[e]] ^= 1;
  }
}

