import { IdIndex } from '../src/core/store/id-index';

describe('IdIndex', () => {
  it('finds every integer id at its row and nothing else, like a Map', () => {
    let seed = 3;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const ids = Array.from({ length: 50000 }, () => (rand() % 4_000_000) - 1_000_000);
    const index = new IdIndex(ids);
    const firstRow = new Map<number, number>();
    ids.forEach((id, row) => firstRow.has(id) || firstRow.set(id, row));
    for (const [id, row] of firstRow) expect(index.get(id)).toBe(row);
    for (let i = 0; i < 20000; i++) {
      const probe = (rand() % 8_000_000) - 4_000_000;
      expect(index.get(probe)).toBe(firstRow.get(probe));
    }
    expect(index.get(1.5)).toBeUndefined();
    expect(index.has(ids[7])).toBe(true);
  });

  it('keeps the first row of a duplicate id, and handles 0, negatives and an empty list', () => {
    const index = new IdIndex<number>([5, 0, -3, 5]);
    expect([index.get(5), index.get(0), index.get(-3), index.get(4)]).toEqual([0, 1, 2, undefined]);
    expect(new IdIndex<number>([]).get(0)).toBeUndefined();
  });

  it('uses a Map for string ids and for numbers beyond 32 bits', () => {
    const strings = new IdIndex<string>(['23896_1', '23896_2']);
    expect([strings.get('23896_2'), strings.get('x')]).toEqual([1, undefined]);
    const big = new IdIndex<number>([2 ** 40, 7]);
    expect([big.get(2 ** 40), big.get(7), big.get(0)]).toEqual([0, 1, undefined]);
  });

  it('indexes 200k ids chosen to collide under Fibonacci hashing without a quadratic build (hang bound 30 s)', () => {
    // inverse * k multiplied by the Fibonacci constant gives k back: every id lands in
    // the first few slots of a fixed-multiplier table.
    const fib = 0x9e3779b1 | 0;
    let inverse = fib;
    for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(fib, inverse));
    expect(Math.imul(fib, inverse)).toBe(1);
    const ids = Array.from({ length: 200_000 }, (_, k) => Math.imul(k, inverse));
    const index = new IdIndex(ids);
    const misplaced = ids.filter((id, k) => index.get(id) !== k);
    expect(misplaced).toEqual([]);
    expect(index.get(Math.imul(200_001, inverse))).toBeUndefined();
  }, 30_000);

  it('falls back to a sorted array for numbers beyond 32 bits, first row winning', () => {
    const ids = [2 ** 40, 3, 2 ** 40, -(2 ** 35), 3.5, 3];
    const index = new IdIndex<number>(ids);
    expect(ids.map((id) => index.get(id))).toEqual([0, 1, 0, 3, 4, 1]);
    expect([index.get(2 ** 40 + 1), index.get(-1), index.get(NaN)]).toEqual([undefined, undefined, undefined]);
  });
});
