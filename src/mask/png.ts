// A mask as a grayscale PNG (0 -> black, 1 -> white), encoded by fast-png.

import type * as FastPng from 'fast-png';
import { rleDecode, type Rle } from './rle';

let fastPng: typeof FastPng | undefined;

// fast-png is an ES module. Node >= 20.19 require()s it, but Jest before Node 24.9 cannot,
// so it is loaded on first use: importing the codec never depends on it.
function encodePng(image: FastPng.ImageData): Uint8Array {
  fastPng ??= require('fast-png') as typeof FastPng;
  return fastPng.encode(image);
}

/**
 * numpy.packbits: 8 pixels per byte, most significant bit first, any non-zero byte a 1.
 * Without `width` the whole bitmap is packed as one sequence (np.packbits(m)); with it,
 * each row of `width` pixels starts a new byte (np.packbits(m, axis=1)), as PNG rows do.
 */
export function packBits(bitmap: Uint8Array, width = bitmap.length): Uint8Array {
  if (width === 0) return new Uint8Array(0);
  if (!Number.isInteger(width) || width < 0 || bitmap.length % width !== 0) {
    throw new RangeError(`packBits: ${bitmap.length} pixels do not form rows of ${width}`);
  }
  const rows = bitmap.length / width;
  const rowBytes = Math.ceil(width / 8);
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    const src = r * width;
    const dst = r * rowBytes;
    for (let x = 0; x < width; x++) {
      if (bitmap[src + x] !== 0) out[dst + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return out;
}

/** The mask as a 1-bit (default) or 8-bit grayscale PNG. PNG forbids empty images. */
export function maskToPng(rle: Rle, depth: 1 | 8 = 1): Uint8Array {
  const { h, w } = rle;
  if (h === 0 || w === 0) throw new RangeError(`maskToPng: a PNG cannot be ${w}x${h} pixels`);
  const bitmap = rleDecode(rle, 'row');
  if (depth === 8) {
    for (let j = 0; j < bitmap.length; j++) bitmap[j] *= 255;
    return encodePng({ width: w, height: h, data: bitmap, depth: 8, channels: 1 });
  }
  return encodePng({ width: w, height: h, data: packBits(bitmap, w), depth: 1, channels: 1 });
}
