// The compressed COCO RLE string: maskApi.c rleToString / rleFrString.
//
// Each count is written as signed 5-bit groups, least significant first, one character
// ('0' + group, plus 0x20 when more groups follow) per group. From the fourth count on
// (index > 2, not > 1: a quirk every COCO file depends on) the count two places back is
// subtracted first, so the difference may be negative.

import { checkSize, type Rle } from './rle';

const ascii = new TextDecoder();

/** rleToString. */
export function rleToString(rle: Rle): string {
  const cnts = rle.counts;
  const m = cnts.length;
  // A uint32 difference needs at most 7 groups of 5 bits (the C code allocates only 6).
  const s = new Uint8Array(m * 7);
  let p = 0;
  for (let i = 0; i < m; i++) {
    // C uses a 64-bit long here: the difference of two uint32 counts fits a double exactly.
    let x = cnts[i];
    if (i > 2) x -= cnts[i - 2];
    let more = true;
    while (more) {
      // x & 0x1f and the arithmetic x >>= 5 of a 64-bit value, valid beyond int32 range.
      const low = x - Math.floor(x / 32) * 32;
      x = (x - low) / 32;
      more = low & 0x10 ? x !== -1 : x !== 0;
      s[p++] = (more ? low | 0x20 : low) + 48;
    }
  }
  return ascii.decode(s.subarray(0, p));
}

/**
 * rleFrString. Only the low 32 bits of the C `long` accumulator reach the uint32 count,
 * so int32 arithmetic here is exact, including the C `int` shift `(c & 0x1f) << 5*k`,
 * which for counts of 2**29 and more wraps as x86-64 does (the shift count taken mod 32),
 * and JS `<<` does the same. Characters outside '0'..'o' and a string ending inside a
 * count throw: the C code would read past the end of the string.
 */
export function rleFromString(s: string, h: number, w: number): Rle {
  checkSize('rleFromString', h, w);
  const n = s.length;
  const cnts = new Uint32Array(n);
  let m = 0;
  let p = 0;
  while (p < n) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= n) {
        throw new RangeError(`rleFromString: string of ${n} characters ends inside count ${m}`);
      }
      const code = s.charCodeAt(p);
      if (code < 48 || code > 111) {
        throw new RangeError(
          `rleFromString: character ${JSON.stringify(s[p])} at ${p} is outside the RLE alphabet '0'..'o'`,
        );
      }
      const c = code - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (m > 2) x += cnts[m - 2];
    cnts[m++] = x >>> 0;
  }
  return { h, w, counts: cnts.slice(0, m) };
}
