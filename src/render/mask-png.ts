// A mask as a grayscale PNG (0 -> black, 1 -> white), encoded by fast-png (loaded on
// first use, see raster.ts).

import { packBits, rleDecode, type Rle } from '../mask';
import { loadFastPng } from './raster';

/** The mask as a 1-bit (default) or 8-bit grayscale PNG. PNG forbids empty images. */
export function maskToPng(rle: Rle, depth: 1 | 8 = 1): Uint8Array {
  const { h, w } = rle;
  if (h === 0 || w === 0) throw new RangeError(`maskToPng: a PNG cannot be ${w}x${h} pixels`);
  const bitmap = rleDecode(rle, 'row');
  if (depth === 8) {
    for (let j = 0; j < bitmap.length; j++) bitmap[j] *= 255;
    return loadFastPng().encode({ width: w, height: h, data: bitmap, depth: 8, channels: 1 });
  }
  return loadFastPng().encode({ width: w, height: h, data: packBits(bitmap, w), depth: 1, channels: 1 });
}
