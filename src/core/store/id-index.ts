/**
 * id → row lookups, first occurrence winning, as in the readers.
 *
 * Integer ids (all of REFER's but RefClef's annotation ids) go into an open-addressing
 * hash table in two typed arrays: it builds several times faster than a Map of 200k
 * entries, which matters at every server start. Fibonacci hashing spreads sequential ids
 * perfectly, but ids can be chosen to collide under it (200k such ids took 46 s): so a
 * build that needs more than a few probes per id starts over with a multiplier drawn at
 * random, and if that too collides, the index is a sorted array with binary search,
 * whose worst case is O(log n) per lookup. A build is thus never quadratic. Other numbers use
 * that sorted array too (a Map hashes numbers without a seed); strings use a Map, whose
 * string hashes V8 seeds per process.
 */
import { getRandomValues } from 'node:crypto';

interface RowLookup {
  get(id: number | string): number | undefined;
}

/** Probes allowed while building, per id (at half load, about 1.5 on average). */
const PROBES_PER_ID = 4;
const FIBONACCI = 0x9e3779b1 | 0;

class IntHashTable implements RowLookup {
  private readonly keys: Int32Array;
  private readonly rows: Int32Array;
  private readonly shift: number;

  /** Throws TooManyProbes when the ids collide too much for a hash table. */
  constructor(
    ids: ArrayLike<number>,
    private readonly multiplier: number,
  ) {
    const bits = Math.max(4, Math.ceil(Math.log2(ids.length * 2 + 1)));
    this.shift = 32 - bits;
    this.keys = new Int32Array(1 << bits);
    this.rows = new Int32Array(1 << bits).fill(-1);
    const mask = (1 << bits) - 1;
    let probesLeft = PROBES_PER_ID * ids.length + 64;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      let slot = Math.imul(id, this.multiplier) >>> this.shift;
      while (this.rows[slot] !== -1 && this.keys[slot] !== id) {
        slot = (slot + 1) & mask;
        if (--probesLeft < 0) throw new TooManyProbes();
      }
      if (this.rows[slot] === -1) {
        this.keys[slot] = id;
        this.rows[slot] = i;
      }
    }
  }

  get(id: number | string): number | undefined {
    if (typeof id !== 'number' || id !== (id | 0)) return undefined;
    const { keys, rows } = this;
    const mask = rows.length - 1;
    for (let slot = Math.imul(id, this.multiplier) >>> this.shift; rows[slot] !== -1; slot = (slot + 1) & mask) {
      if (keys[slot] === id) return rows[slot];
    }
    return undefined;
  }
}

class TooManyProbes extends Error {}

class SortedNumbers implements RowLookup {
  private readonly keys: Float64Array;
  private readonly rows: Int32Array;

  constructor(ids: ArrayLike<number>) {
    const order: number[] = [];
    for (let i = 0; i < ids.length; i++) if (!Number.isNaN(ids[i])) order.push(i);
    order.sort((a, b) => ids[a] - ids[b] || a - b);
    // Keep the first row of each id: the first of its run, rows being ascending there.
    const firsts = order.filter((row, k) => k === 0 || ids[order[k - 1]] !== ids[row]);
    this.keys = Float64Array.from(firsts, (row) => ids[row]);
    this.rows = Int32Array.from(firsts);
  }

  get(id: number | string): number | undefined {
    if (typeof id !== 'number') return undefined;
    const { keys } = this;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo < keys.length && keys[lo] === id ? this.rows[lo] : undefined;
  }
}

class StringMap implements RowLookup {
  private readonly map = new Map<number | string, number>();

  constructor(ids: ArrayLike<number | string>) {
    for (let i = 0; i < ids.length; i++) if (!this.map.has(ids[i])) this.map.set(ids[i], i);
  }

  get(id: number | string): number | undefined {
    return this.map.get(id);
  }
}

/** The hash table for int32 ids, or undefined when they collide too much for one. */
function intHashTable(ids: ArrayLike<number | string>): IntHashTable | undefined {
  for (let i = 0; i < ids.length; i++) if (ids[i] !== ((ids[i] as number) | 0)) return undefined;
  for (const multiplier of [FIBONACCI, getRandomValues(new Uint32Array(1))[0] | 1]) {
    try {
      return new IntHashTable(ids as ArrayLike<number>, multiplier);
    } catch (e) {
      if (!(e instanceof TooManyProbes)) throw e;
    }
  }
  return undefined;
}

export class IdIndex<K extends number | string> {
  // The hash table is a field of its own, not behind the interface: its lookups are the
  // hot path of every join and stay one monomorphic, inlinable call.
  private readonly table?: IntHashTable;
  private readonly other?: RowLookup;

  constructor(ids: ArrayLike<K>) {
    this.table = intHashTable(ids);
    if (this.table) return;
    let allNumbers = true;
    for (let i = 0; i < ids.length && allNumbers; i++) allNumbers = typeof ids[i] === 'number';
    this.other = allNumbers ? new SortedNumbers(ids as ArrayLike<number>) : new StringMap(ids);
  }

  get(id: K): number | undefined {
    return this.table ? this.table.get(id) : this.other!.get(id);
  }

  has(id: K): boolean {
    return this.get(id) !== undefined;
  }
}
