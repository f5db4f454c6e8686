// Mask PNGs and bit packing. fast-png is an ES module: Node >= 20.19 require()s it, but
// Jest's module loader cannot before Node 24.9. So the PNGs are made and read back in a
// plain Node process, which also proves maskToPng works where the server runs it.

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { packBits, rleDecode, rleFromPolygon } from '../src/mask';

interface DecodedPng {
  width: number;
  height: number;
  depth: number;
  channels: number;
  data: number[];
  signature: number[];
}

/** Runs maskToPng and fast-png's decoder on the polygon's mask in a child Node process. */
function pngsInNode(): { png1: DecodedPng; png8: DecodedPng; emptyError: string } {
  const script = `
    const { rleFromPolygon, rleFromCounts } = require('./src/mask');
    const { maskToPng } = require('./src/render/mask-png');
    const { decode } = require('fast-png');
    const rle = rleFromPolygon(${JSON.stringify(polygon)}, 12, 19);
    const read = (bytes) => {
      const png = decode(bytes);
      return { width: png.width, height: png.height, depth: png.depth, channels: png.channels,
        data: Array.from(png.data), signature: Array.from(bytes.subarray(0, 8)) };
    };
    let emptyError = '';
    try { maskToPng(rleFromCounts([0], 0, 4)); } catch (e) { emptyError = e.message; }
    process.stdout.write(JSON.stringify({ png1: read(maskToPng(rle)), png8: read(maskToPng(rle, 8)), emptyError }));
  `;
  const out = execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', script], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
  });
  return JSON.parse(out) as ReturnType<typeof pngsInNode>;
}

const polygon = [2.2, 1.5, 17.8, 3.1, 12.4, 10.9];

describe('packBits', () => {
  it('packs like numpy.packbits: most significant bit first, non-zero is 1', () => {
    expect(Array.from(packBits(Uint8Array.of(1, 0, 1, 1, 0, 0, 0, 0, 1)))).toEqual([0b1011_0000, 0b1000_0000]); // numpy: [176, 128]
    expect(Array.from(packBits(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 255)))).toEqual([1]);
    expect(packBits(new Uint8Array(0))).toHaveLength(0);
  });

  it('starts every row on a byte with a width, like numpy.packbits(m, axis=1)', () => {
    const m = Uint8Array.of(1, 1, 1, 0, 0, 1, 1, 0, 1, 0);
    expect(Array.from(packBits(m, 5))).toEqual([0b1110_0000, 0b1101_0000]); // numpy: [[224], [208]]
    expect(() => packBits(m, 3)).toThrow(/do not form rows of 3/);
  });
});

describe('maskToPng', () => {
  const bitmap = rleDecode(rleFromPolygon(polygon, 12, 19));
  const { png1, png8, emptyError } = pngsInNode();

  it('writes a 1-bit grayscale PNG of the mask', () => {
    expect([png1.width, png1.height, png1.depth, png1.channels]).toEqual([19, 12, 1, 1]);
    expect(png1.data).toEqual(Array.from(packBits(bitmap, 19)));
    expect(bitmap.reduce((s, v) => s + v, 0)).toBeGreaterThan(30);
  });

  it('writes an 8-bit grayscale PNG with 0 and 255', () => {
    expect([png8.width, png8.height, png8.depth, png8.channels]).toEqual([19, 12, 8, 1]);
    expect(png8.data).toEqual(Array.from(bitmap, (v) => v * 255));
  });

  it('starts with the PNG signature and refuses empty images', () => {
    expect(png1.signature).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(emptyError).toMatch(/cannot be 4x0 pixels/);
  });
});
