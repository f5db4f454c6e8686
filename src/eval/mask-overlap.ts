/** Pixel counts of two masks of one size, from their runs: no bitmap is decoded. */
import type { Rle } from '../mask';

export function maskArea(rle: Rle): number {
  let area = 0;
  for (let j = 1; j < rle.counts.length; j += 2) area += rle.counts[j];
  return area;
}

/** Pixels set in both masks (which must cover the same number of pixels). */
export function intersectionArea(a: Rle, b: Rle): number {
  const A = a.counts;
  const B = b.counts;
  let i = 0;
  let j = 0;
  // Runs left of the current run of each mask; odd run indexes are runs of ones.
  let leftA = A.length ? A[0] : 0;
  let leftB = B.length ? B[0] : 0;
  let both = 0;
  while (i < A.length && j < B.length) {
    const step = leftA < leftB ? leftA : leftB;
    if (i & 1 && j & 1) both += step;
    leftA -= step;
    leftB -= step;
    while (leftA === 0 && ++i < A.length) leftA = A[i];
    while (leftB === 0 && ++j < B.length) leftB = B[j];
  }
  return both;
}

/**
 * The pixels covered by exactly one of `parts` (masks of one size): REFER's getMask sums
 * an object's decoded parts, and LAVT's loader keeps the pixels where that sum is 1, so
 * where polygons overlap the object has a hole. The runs of all parts are walked together.
 */
export function exactlyOneMask(parts: readonly Rle[]): Rle {
  const { h, w } = parts[0];
  const k = parts.length;
  const at = new Int32Array(k);
  const left = new Float64Array(k);
  const advance = (i: number) => {
    const c = parts[i].counts;
    while (left[i] === 0 && ++at[i] < c.length) left[i] = c[at[i]];
  };
  for (let i = 0; i < k; i++) {
    const c = parts[i].counts;
    at[i] = 0;
    left[i] = c.length ? c[0] : 0;
    if (c.length) advance(i);
  }
  const counts: number[] = [];
  let bit = 0;
  let run = 0;
  for (;;) {
    let step = Infinity;
    let covering = 0;
    for (let i = 0; i < k; i++) {
      if (at[i] >= parts[i].counts.length) continue;
      if (left[i] < step) step = left[i];
      // Odd run indexes are runs of ones.
      if (at[i] & 1) covering++;
    }
    if (step === Infinity) break;
    const b = covering === 1 ? 1 : 0;
    if (b !== bit) {
      counts.push(run);
      run = 0;
      bit = b;
    }
    run += step;
    for (let i = 0; i < k; i++) {
      if (at[i] >= parts[i].counts.length) continue;
      left[i] -= step;
      advance(i);
    }
  }
  counts.push(run);
  return { h, w, counts: Uint32Array.from(counts) };
}
