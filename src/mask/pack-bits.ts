// Bitmaps packed 8 pixels to a byte, as numpy.packbits does (Mask.bitmap, 1-bit PNG rows).

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
