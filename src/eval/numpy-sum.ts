/**
 * numpy's pairwise summation (pairwise_sum in numpy/core/src/umath/loops_utils.h), so
 * that means match np.mean bit for bit: a left-to-right loop differs in the last bits
 * for most inputs of more than a few items.
 */
const BLOCK = 128;

function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[start + i];
    return s;
  }
  if (n <= BLOCK) {
    let r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3];
    let r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7];
    const whole = n - (n % 8);
    for (let i = 8; i < whole; i += 8) {
      const p = start + i;
      r0 += a[p]; r1 += a[p + 1]; r2 += a[p + 2]; r3 += a[p + 3];
      r4 += a[p + 4]; r5 += a[p + 5]; r6 += a[p + 6]; r7 += a[p + 7];
    }
    let s = (r0 + r1 + (r2 + r3)) + (r4 + r5 + (r6 + r7));
    for (let i = whole; i < n; i++) s += a[start + i];
    return s;
  }
  let m = Math.floor(n / 2);
  m -= m % 8;
  return pairwiseSum(a, start, m) + pairwiseSum(a, start + m, n - m);
}

/** np.sum of a float64 vector. */
export function numpySum(a: ArrayLike<number>): number {
  return pairwiseSum(a, 0, a.length);
}

/** np.mean of a float64 vector; NaN for none, as numpy gives (with a warning). */
export function numpyMean(a: ArrayLike<number>): number {
  return numpySum(a) / a.length;
}
