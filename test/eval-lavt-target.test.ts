/**
 * LAVT's literal target: the pixels where REFER's getMask sum of the object's parts is
 * exactly 1. Checked pixel by pixel against that sum on random overlapping parts
 * (including parts that start with a set pixel, cover everything, or are empty).
 */
import { rleDecode, rleEncode, type Rle } from '../src/mask';
import { exactlyOneMask } from '../src/eval/mask-overlap';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const H = 7;
const W = 9;

/** A bitmap of blobs: runs of set pixels with random starts and lengths. */
function randomPart(random: () => number, kind: number): Uint8Array {
  const bits = new Uint8Array(H * W);
  if (kind === 1) return bits.fill(1);
  if (kind === 2) return bits;
  for (let blob = 0; blob < 3; blob++) {
    const start = Math.floor(random() * H * W);
    const length = Math.floor(random() * 20);
    for (let i = start; i < Math.min(H * W, start + length); i++) bits[i] = 1;
  }
  if (kind === 3) bits[0] = 1;
  return bits;
}

test.each(Array.from({ length: 40 }, (_, seed) => seed))('seed %i: exactly-one of 2-4 parts is the pixels whose part sum is 1', (seed) => {
  const random = lcg(seed + 1);
  const k = 2 + (seed % 3);
  const bitmaps = Array.from({ length: k }, (_, i) => randomPart(random, (seed + i) % 5));
  const parts: Rle[] = bitmaps.map((b) => rleEncode(b, H, W));
  const expected = new Uint8Array(H * W);
  for (let i = 0; i < H * W; i++) expected[i] = bitmaps.reduce((sum, b) => sum + b[i], 0) === 1 ? 1 : 0;
  const target = exactlyOneMask(parts);
  expect([target.h, target.w]).toEqual([H, W]);
  expect(Array.from(rleDecode(target))).toEqual(Array.from(expected));
});
