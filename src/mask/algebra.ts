// Set operations and measures on RLEs without decoding them: maskApi.c rleMerge,
// rleArea and rleToBbox.

import { countsTotal, type Rle } from './rle';
import { Uint32List } from './scratch';

/**
 * rleMerge: union (or intersection) of masks of one size, folded left to right exactly as
 * the C code does, so even non-canonical counts (zero-length runs) give pycocotools' output.
 * As in pycocotools, no masks give a 0x0 mask with no counts, and masks of different
 * sizes give that same 0x0 mask. Where the C loop would spin forever (one mask's runs end
 * while the other's go on: corrupt counts), this throws.
 */
export function rleMerge(rles: readonly Rle[], intersect = false): Rle {
  const n = rles.length;
  if (n === 0) return { h: 0, w: 0, counts: new Uint32Array(0) };
  const { h, w } = rles[0];
  if (n === 1) return { h, w, counts: rles[0].counts.slice() };
  let acc = rles[0].counts;
  let accLength = acc.length;
  for (let i = 1; i < n; i++) {
    const B = rles[i];
    if (B.h !== h || B.w !== w) return { h: 0, w: 0, counts: new Uint32Array(0) };
    const out = i % 2 === 1 ? mergedOdd : mergedEven;
    if (!mergePair(acc, accLength, B.counts, intersect, out)) {
      throw new RangeError(
        `rleMerge: mask ${i} covers ${countsTotal(B.counts)} pixels but masks 0..${i - 1} cover ` +
          `${countsTotal(acc.subarray(0, accLength))}; their runs cannot be walked together`,
      );
    }
    acc = out.data;
    accLength = out.length;
  }
  return { h, w, counts: acc.slice(0, accLength) };
}

// Merge results alternate between these two lists, each step reading the other's.
const mergedOdd = new Uint32List();
const mergedEven = new Uint32List();

/** One C merge loop, A's first am counts with B into out; false where C never leaves it. */
function mergePair(A: Uint32Array, am: number, B: Uint32Array, intersect: boolean, out: Uint32List): boolean {
  const bm = B.length;
  // Each step empties one side and moves it to its next count, so there are at most
  // am + bm + 1 steps and as many output counts.
  out.clear();
  out.reserve(am + bm + 1);
  const cnts = out.data;
  let m = 0;
  // An RLE without counts (the C code would dereference NULL) acts as a single empty run.
  let ca = am > 0 ? A[0] : 0;
  let cb = bm > 0 ? B[0] : 0;
  let v = 0; // 0/1 rather than booleans: cheaper in this hot loop
  let va = 0;
  let vb = 0;
  let a = 1;
  let b = 1;
  let cc = 0;
  let ct = 1;
  while (ct > 0) {
    if ((ca === 0 && a >= am && cb > 0) || (cb === 0 && b >= bm && ca > 0)) return false;
    const c = ca < cb ? ca : cb;
    cc += c;
    ca -= c;
    if (ca === 0 && a < am) { ca = A[a++]; va ^= 1; }
    cb -= c;
    if (cb === 0 && b < bm) { cb = B[b++]; vb ^= 1; }
    ct = (ca + cb) >>> 0; // uint in C
    const vp = v;
    v = intersect ? va & vb : va | vb;
    if (v !== vp || ct === 0) { cnts[m++] = cc; cc = 0; }
  }
  out.length = m;
  return true;
}

/** rleArea: the number of set pixels (a C uint, so it wraps at 2**32). */
export function rleArea(rle: Rle): number {
  const cnts = rle.counts;
  let a = 0;
  for (let j = 1; j < cnts.length; j += 2) a += cnts[j];
  return a >>> 0;
}

/**
 * rleToBbox: [x, y, width, height] of the set pixels, in whole pixels. As in C, a trailing
 * odd count is ignored, a run of ones that crosses a column boundary widens the box to the
 * full height, and a mask without runs of ones gives [0, 0, 0, 0]. With h = 0 the C code
 * divides by zero; here that gives [0, 0, 0, 0] too.
 */
export function rleToBbox(rle: Rle): [number, number, number, number] {
  const h = rle.h >>> 0;
  const w = rle.w >>> 0;
  const cnts = rle.counts;
  const m = cnts.length - (cnts.length % 2);
  if (m === 0 || h === 0) return [0, 0, 0, 0];
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xp = 0;
  for (let j = 0; j < m; j++) {
    cc = (cc + cnts[j]) >>> 0;
    const t = (cc - (j % 2)) >>> 0;
    const y = t % h;
    const x = (t - y) / h;
    if (j % 2 === 0) xp = x;
    else if (xp < x) { ys = 0; ye = h - 1; }
    if (x < xs) xs = x;
    if (x > xe) xe = x;
    if (y < ys) ys = y;
    if (y > ye) ye = y;
  }
  return [xs, ys, (xe - xs + 1) >>> 0, (ye - ys + 1) >>> 0];
}
