// Intersection over union: maskApi.c rleIou and bbIou.
//
// Results are indexed [dt][gt], as pycocotools returns them (the C array is filled
// gt-major and read back in Fortran order). For a crowd gt the union is the dt area alone,
// so iou(dt, crowd gt) is the fraction of dt inside gt.

import { rleArea, rleToBbox } from './algebra';
import type { Rle } from './rle';

/** bbIou on [x, y, width, height] boxes. */
export function bboxIou(dt: ArrayLike<number>[], gt: ArrayLike<number>[], iscrowd?: ArrayLike<boolean>): number[][] {
  checkCrowd('bboxIou', gt.length, iscrowd);
  const o = dt.map(() => new Array<number>(gt.length).fill(0));
  for (let g = 0; g < gt.length; g++) {
    const G = gt[g];
    const ga = G[2] * G[3];
    const crowd = iscrowd !== undefined && iscrowd[g];
    for (let d = 0; d < dt.length; d++) {
      const D = dt[d];
      const da = D[2] * D[3];
      const w = fmin(D[2] + D[0], G[2] + G[0]) - fmax(D[0], G[0]);
      if (w <= 0) continue;
      const h = fmin(D[3] + D[1], G[3] + G[1]) - fmax(D[1], G[1]);
      if (h <= 0) continue;
      const i = w * h;
      const u = crowd ? da : da + ga - i;
      o[d][g] = i / u;
    }
  }
  return o;
}

/**
 * rleIou: boxes first (pairs whose boxes do not overlap are 0 without a look at the
 * runs), then the exact pixel counts. A pair of different sizes is -1, as in C. No
 * intersection gives 0 even for a crowd gt.
 */
export function rleIou(dt: readonly Rle[], gt: readonly Rle[], iscrowd?: ArrayLike<boolean>): number[][] {
  checkCrowd('rleIou', gt.length, iscrowd);
  const o = bboxIou(dt.map(rleToBbox), gt.map(rleToBbox), iscrowd);
  for (let g = 0; g < gt.length; g++) {
    for (let d = 0; d < dt.length; d++) {
      if (!(o[d][g] > 0)) continue;
      const D = dt[d];
      const G = gt[g];
      if (D.h !== G.h || D.w !== G.w) { o[d][g] = -1; continue; }
      const both = overlap(D.counts, G.counts);
      if (both === undefined) {
        throw new RangeError(`rleIou: dt ${d} and gt ${g} are both ${D.h}x${D.w} but their runs cannot be walked together`);
      }
      const [i, union] = both;
      const u = i === 0 ? 1 : iscrowd !== undefined && iscrowd[g] ? rleArea(D) : union;
      o[d][g] = i / u;
    }
  }
  return o;
}

/**
 * The C run walk of rleIou: pixels set in both masks and in either (C uints); undefined
 * where the C loop would never end (one mask's runs end while the other's go on).
 */
function overlap(A: Uint32Array, B: Uint32Array): [number, number] | undefined {
  const ka = A.length;
  const kb = B.length;
  let ca = A[0];
  let cb = B[0];
  let va = false;
  let vb = false;
  let a = 1;
  let b = 1;
  let i = 0;
  let u = 0;
  let ct = 1;
  while (ct > 0) {
    if ((ca === 0 && a >= ka && cb > 0) || (cb === 0 && b >= kb && ca > 0)) return undefined;
    const c = ca < cb ? ca : cb;
    if (va || vb) {
      u += c;
      if (va && vb) i += c;
    }
    ca -= c;
    if (!ca && a < ka) { ca = A[a++]; va = !va; }
    cb -= c;
    if (!cb && b < kb) { cb = B[b++]; vb = !vb; }
    ct = (ca + cb) >>> 0;
  }
  return [i >>> 0, u >>> 0];
}

function checkCrowd(fn: string, n: number, iscrowd: ArrayLike<boolean> | undefined): void {
  if (iscrowd !== undefined && iscrowd.length !== n) {
    throw new RangeError(`${fn}: iscrowd has ${iscrowd.length} entries, expected one per gt (${n})`);
  }
}

// C fmin/fmax return the other operand when one is NaN; Math.min/max return NaN.
function fmin(a: number, b: number): number {
  return a < b || b !== b ? a : b;
}

function fmax(a: number, b: number): number {
  return a > b || b !== b ? a : b;
}
