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
