// Edge cases and pycocotools quirks. Expected counts marked "C:" were produced by the
// maskApi.c functions themselves (gcc 12 -O2, x86-64), not by this code.

import {
  bboxIou,
  rleArea,
  rleDecode,
  rleEncode,
  rleFromBbox,
  rleFromCounts,
  rleFromPolygon,
  rleFromString,
  rleIou,
  rleMerge,
  rleToBbox,
  rleToString,
  type Rle,
} from '../src/mask';

const counts = (rle: Rle): number[] => Array.from(rle.counts);

describe('tiny and degenerate masks', () => {
  it('encodes an empty mask as one run of zeros', () => {
    const rle = rleEncode(new Uint8Array(12), 3, 4);
    expect(counts(rle)).toEqual([12]);
    expect(rleToString(rle)).toBe('<');
    expect(rleArea(rle)).toBe(0);
    expect(rleToBbox(rle)).toEqual([0, 0, 0, 0]);
    expect(rleDecode(rle)).toEqual(new Uint8Array(12));
  });

  it('encodes a full mask with a leading zero count', () => {
    const rle = rleEncode(new Uint8Array(12).fill(1), 3, 4);
    expect(counts(rle)).toEqual([0, 12]);
    expect(rleToBbox(rle)).toEqual([0, 0, 4, 3]);
    expect(rleDecode(rle)).toEqual(new Uint8Array(12).fill(1));
  });

  it('handles single-pixel masks', () => {
    expect(counts(rleEncode(Uint8Array.of(1), 1, 1))).toEqual([0, 1]);
    expect(counts(rleEncode(Uint8Array.of(0), 1, 1))).toEqual([1]);
    expect(rleToBbox(rleFromCounts([0, 1], 1, 1))).toEqual([0, 0, 1, 1]);
    expect(counts(rleFromBbox([0, 0, 1, 1], 1, 1))).toEqual([0, 1]); // C: 0 1
  });

  it('handles masks without pixels (h or w = 0)', () => {
    for (const [h, w] of [[0, 0], [0, 5], [5, 0]]) {
      const rle = rleEncode(new Uint8Array(0), h, w);
      expect(counts(rle)).toEqual([0]);
      expect(rleDecode(rle)).toHaveLength(0);
      expect(rleToString(rle)).toBe('0');
      expect(counts(rleFromString('0', h, w))).toEqual([0]);
      expect(counts(rleFromPolygon([0, 0, 3, 0, 3, 3], h, w))).toEqual([0]);
      expect(rleToBbox(rle)).toEqual([0, 0, 0, 0]);
    }
  });

  it('rejects sizes pycocotools cannot take', () => {
    expect(() => rleEncode(new Uint8Array(0), -1, 0)).toThrow(/got h=-1, w=0/);
    expect(() => rleFromCounts([1], 2.5, 3)).toThrow(/non-negative integers/);
    expect(() => rleFromPolygon([0, 0, 1, 1, 1, 0], 65536, 65536)).toThrow(/2\*\*32 - 1 pixels/);
  });
});

describe('polygons and boxes (values from the C code)', () => {
  it('gives an empty mask for fewer than 3 vertices', () => {
    expect(counts(rleFromPolygon([], 4, 5))).toEqual([20]); // C: 20
    expect(counts(rleFromPolygon([1, 1], 4, 5))).toEqual([20]); // C: 20
    expect(counts(rleFromPolygon([1, 1, 3, 3], 4, 5))).toEqual([20]); // C: 20
  });

  it('ignores an odd trailing coordinate, as len/2 does', () => {
    expect(counts(rleFromPolygon([1, 1, 3, 1, 3, 3, 1, 3, 7], 4, 5))).toEqual([5, 2, 2, 2, 9]);
  });

  it('clips polygons at the border and ignores those outside', () => {
    expect(counts(rleFromPolygon([0, 0, 0, 4, 5, 4, 5, 0], 4, 5))).toEqual([0, 20]); // C: 0 20
    expect(counts(rleFromPolygon([0, 0, 0, 3.9, 4.9, 3.9, 4.9, 0], 4, 5))).toEqual([0, 20]); // C: 0 20
    expect(counts(rleFromPolygon([-3, -3, -3, 9, 9, 9, 9, -3], 4, 5))).toEqual([0, 20]); // C: 0 20
    expect(counts(rleFromPolygon([10, 10, 12, 10, 11, 12], 4, 5))).toEqual([20]); // C: 20
    expect(counts(rleFromBbox([-1, -1, 10, 10], 3, 3))).toEqual([0, 9]); // C: 0 9
  });

  it('turns boxes into pixels by their centres', () => {
    expect(counts(rleFromBbox([1, 1, 2, 2], 4, 5))).toEqual([5, 2, 2, 2, 9]); // C: 5 2 2 2 9
    expect(counts(rleFromBbox([0.5, 0.5, 1, 1], 4, 5))).toEqual([5, 1, 14]); // C: 5 1 14
    expect(() => rleFromBbox([1, 2, 3], 4, 5)).toThrow(/expected \[x, y, w, h\]/);
  });

  it('truncates negative scaled coordinates toward zero, as C (int) does', () => {
    // 5*-0.15+.5 = -0.25 becomes 0, like x = 0; flooring would make it -1, like x = -0.3.
    const tail = [1.43, 4.35, 2.22, 4.83, 3.75];
    expect(counts(rleFromPolygon([-0.15, ...tail], 6, 8))).toEqual([1, 1, 12, 1, 5, 1, 5, 2, 20]); // C
    expect(counts(rleFromPolygon([0, ...tail], 6, 8))).toEqual([1, 1, 12, 1, 5, 1, 5, 2, 20]); // C
    expect(counts(rleFromPolygon([-0.3, ...tail], 6, 8))).toEqual([14, 1, 5, 1, 5, 2, 20]); // C
  });

  it('rejects coordinates the C int arithmetic cannot hold', () => {
    expect(() => rleFromPolygon([0, 0, Number.NaN, 1, 1, 1], 4, 4)).toThrow(/coordinate 2 is NaN/);
    expect(() => rleFromPolygon([0, 0, 1e9, 1, 1, 1], 4, 4)).toThrow(RangeError);
  });
});

describe('compressed strings', () => {
  it('delta-codes from the fourth count on, not the third', () => {
    // counts[2] = 7 is written whole ('7'); counts[3] = 4 as 4 - counts[1] = 1 ('1').
    expect(rleToString(rleFromCounts([1, 3, 7, 4], 3, 5))).toBe('1371');
    expect(counts(rleFromString('1371', 3, 5))).toEqual([1, 3, 7, 4]);
  });

  it('writes negative differences with the sign group', () => {
    // 40 needs two groups ('X1'); 1 - 40 = -39 is 'i' then the sign group 'N'.
    expect(rleToString(rleFromCounts([0, 40, 2, 1], 43, 1))).toBe('0X12iN'); // C: 0X12iN
    expect(counts(rleFromString('0X12iN', 43, 1))).toEqual([0, 40, 2, 1]);
    expect(rleToString(rleFromCounts([5, 5, 5, 4], 19, 1))).toBe('555O'); // 4 - 5 = -1 -> 'O'
  });

  it('reproduces the x86 sign-extension overflow for differences below -2**29', () => {
    // C: rleFrString shifts an int by 35 bits, which x86 takes as 3: the count comes back
    // as 2147483645 instead of 5. The same happens in pycocotools.
    expect(rleToString(rleFromCounts([0, 2 ** 31, 0, 5], 0, 0))).toBe('0PPPPPP20UPPPPPN'); // C
    expect(counts(rleFromString('0PPPPPP20UPPPPPN', 1, 1))).toEqual([0, 2147483648, 0, 2147483645]); // C
    expect(counts(rleFromString('0PPPPP`00QPPPP@', 1, 1))).toEqual([0, 536870912, 0, 1]); // C
  });

  it('rejects characters outside the alphabet and truncated counts', () => {
    expect(() => rleFromString('12p', 1, 1)).toThrow(/character "p" at 2/);
    expect(() => rleFromString('1 2', 1, 1)).toThrow(/outside the RLE alphabet/);
    expect(() => rleFromString('1Q', 1, 1)).toThrow(/ends inside count 1/);
  });

  it('makes an RLE without counts from the empty string', () => {
    expect(counts(rleFromString('', 0, 0))).toEqual([]);
  });
});

describe('uncompressed counts and decoding checks', () => {
  it('rejects counts numpy would silently wrap', () => {
    expect(() => rleFromCounts([1, -2], 1, 1)).toThrow(/count 1 is -2/);
    expect(() => rleFromCounts([1.5], 1, 1)).toThrow(RangeError);
    expect(() => rleFromCounts([2 ** 32], 1, 1)).toThrow(RangeError);
  });

  it('refuses to decode counts that do not cover the mask', () => {
    expect(() => rleDecode(rleFromCounts([3, 2], 2, 2))).toThrow(/counts sum to 5, expected h\*w = 2\*2 = 4/);
    expect(() => rleDecode(rleFromCounts([1, 2], 2, 2))).toThrow(RangeError);
    expect(() => rleDecode(rleFromCounts([4], 2, 2), 'row', new Uint8Array(3))).toThrow(/out has 3 bytes/);
  });

  it('decodes zero-length runs as C does, in both pixel orders', () => {
    // 4x2: ones at 1 and 2 as two touching runs, then ones from 4 (column 1) to the end.
    const rle = rleFromCounts([1, 1, 0, 1, 1, 4], 4, 2);
    expect(Array.from(rleDecode(rle, 'column'))).toEqual([0, 1, 1, 0, 1, 1, 1, 1]);
    expect(Array.from(rleDecode(rle))).toEqual([0, 1, 1, 1, 1, 1, 0, 1]);
    expect(Array.from(rleDecode(rleFromCounts([0, 0, 8], 4, 2)))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(rleDecode(rleFromCounts([0, 0, 0, 8], 4, 2)))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('splits runs at every change of byte value, as C rleEncode does', () => {
    // A summed REFER mask [0, 2, 1] is three runs, so it decodes to 0 1 0.
    const rle = rleEncode(Uint8Array.of(0, 2, 1), 3, 1);
    expect(counts(rle)).toEqual([1, 1, 1]);
    expect(Array.from(rleDecode(rle))).toEqual([0, 1, 0]);
  });
});

describe('merge', () => {
  const a = rleFromCounts([1, 2, 1], 2, 2);
  const b = rleFromCounts([2, 2], 2, 2);

  it('unions and intersects', () => {
    expect(counts(rleMerge([a, b]))).toEqual([1, 3]);
    expect(counts(rleMerge([a, b], true))).toEqual([2, 1, 1]);
    expect(counts(rleMerge([a]))).toEqual([1, 2, 1]);
    expect(rleMerge([a]).counts).not.toBe(a.counts);
  });

  it('gives a 0x0 mask for no masks or masks of different sizes, as pycocotools', () => {
    expect(rleMerge([])).toEqual({ h: 0, w: 0, counts: new Uint32Array(0) });
    expect(rleMerge([a, rleFromCounts([9], 3, 3)])).toEqual({ h: 0, w: 0, counts: new Uint32Array(0) }); // C: 0 0 0
  });

  it('stops where C stops on zero-length runs', () => {
    const x = rleFromCounts([0, 11, 0, 3, 6, 22, 1, 4, 1], 6, 8);
    const y = rleFromCounts([4, 0, 0, 7, 0, 1, 1, 5, 3, 3, 0, 12, 2, 10], 6, 8);
    expect(counts(rleMerge([x, y], true))).toEqual([4, 0, 0, 7]); // C: 4 0 0 7
  });

  it('throws where the C loop would never end', () => {
    expect(() => rleMerge([a, rleFromCounts([1, 1], 2, 2)])).toThrow(/cannot be walked together/);
  });
});

describe('boxes from RLEs', () => {
  it('ignores a trailing count and widens runs that wrap a column to full height', () => {
    expect(rleToBbox(rleFromCounts([6, 0], 2, 3))).toEqual([2, 0, 2, 2]); // C: 2 0 2 2
    expect(rleToBbox(rleFromCounts([0, 5, 11], 4, 4))).toEqual([0, 0, 2, 4]); // C: 0 0 2 4
    expect(rleToBbox(rleFromCounts([2, 3, 9, 2], 4, 4))).toEqual([0, 0, 4, 4]); // C: 0 0 4 4
  });
});

describe('iou', () => {
  it('is -1 for masks of different sizes whose boxes overlap, as C', () => {
    const full2 = rleFromCounts([0, 4], 2, 2);
    expect(rleIou([full2], [rleFromCounts([0, 9], 3, 3)], [false])).toEqual([[-1]]); // C: -1
    expect(rleIou([full2], [rleFromCounts([1, 1, 2], 2, 2)], [false])).toEqual([[0.25]]); // C: 0.25
  });

  it('is indexed [dt][gt] with crowd per gt', () => {
    const d = [[0, 0, 10, 10]];
    const g = [[5, 0, 10, 10], [20, 20, 5, 5]];
    expect(bboxIou(d, g, [false, false])).toEqual([[50 / 150, 0]]);
    expect(bboxIou(d, g, [true, false])).toEqual([[0.5, 0]]);
    expect(bboxIou(d, g)).toEqual([[50 / 150, 0]]);
    expect(bboxIou(g, d)).toEqual([[50 / 150], [0]]);
  });

  it('requires one iscrowd flag per gt', () => {
    expect(() => bboxIou([[0, 0, 1, 1]], [[0, 0, 1, 1]], [false, true])).toThrow(/iscrowd has 2 entries/);
    expect(() => rleIou([], [rleFromCounts([1], 1, 1)], [])).toThrow(RangeError);
  });

  it('returns an empty row per dt when there is no gt', () => {
    expect(rleIou([rleFromCounts([1], 1, 1)], [])).toEqual([[]]);
    expect(bboxIou([], [[0, 0, 1, 1]])).toEqual([]);
  });
});
