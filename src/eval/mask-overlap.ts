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
  const counts = parts.map((p) => p.counts);
  const length = Int32Array.from(counts, (c) => c.length);
  // Per part: the index of its current run and what is left of it; runs of length 0 skipped.
  const at = new Int32Array(k);
  const left = new Float64Array(k);
  let live = 0;
  let bound = 2;
  for (let i = 0; i < k; i++) {
    let j = 0;
    while (j < length[i] && counts[i][j] === 0) j++;
    at[i] = j;
    if (j < length[i]) {
      left[i] = counts[i][j];
      live++;
    }
    bound += length[i];
  }
  // Each step ends at least one run of some part: no more output runs than runs in.
  const out = new Uint32Array(bound);
  let n = 0;
  let bit = 0;
  let run = 0;
  while (live > 0) {
    let step = Infinity;
    let covering = 0;
    for (let i = 0; i < k; i++) {
      if (at[i] >= length[i]) continue;
      if (left[i] < step) step = left[i];
      // Odd run indexes are runs of ones.
      covering += at[i] & 1;
    }
    const b = covering === 1 ? 1 : 0;
    if (b !== bit) {
      out[n++] = run;
      run = 0;
      bit = b;
    }
    run += step;
    for (let i = 0; i < k; i++) {
      if (at[i] >= length[i]) continue;
      left[i] -= step;
      if (left[i] !== 0) continue;
      const c = counts[i];
      let j = at[i] + 1;
      while (j < length[i] && c[j] === 0) j++;
      at[i] = j;
      if (j < length[i]) left[i] = c[j];
      else live--;
    }
  }
  out[n++] = run;
  return { h, w, counts: out.slice(0, n) };
}
