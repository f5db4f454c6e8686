/**
 * id → row lookups. For integer ids (all of REFER's but RefClef's annotation ids) an
 * open-addressing hash table in two typed arrays: it builds several times faster than a
 * Map of 200k entries, which matters at every server start. Other keys use a Map.
 */
export class IdIndex<K extends number | string> {
  private readonly keys?: Int32Array;
  private readonly rows?: Int32Array;
  private readonly shift: number = 0;
  private readonly map?: Map<K, number>;

  constructor(ids: ArrayLike<K>) {
    let allInt32 = true;
    for (let i = 0; i < ids.length && allInt32; i++) allInt32 = (ids[i] as number) === ((ids[i] as number) | 0);
    if (!allInt32) {
      this.map = new Map();
      // First occurrence wins, as in the readers.
      for (let i = 0; i < ids.length; i++) if (!this.map.has(ids[i])) this.map.set(ids[i], i);
      return;
    }
    const bits = Math.max(4, Math.ceil(Math.log2(ids.length * 2 + 1)));
    this.shift = 32 - bits;
    this.keys = new Int32Array(1 << bits);
    this.rows = new Int32Array(1 << bits).fill(-1);
    const mask = (1 << bits) - 1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      let slot = Math.imul(id, 0x9e3779b1) >>> this.shift;
      while (this.rows[slot] !== -1 && this.keys[slot] !== id) slot = (slot + 1) & mask;
      if (this.rows[slot] === -1) {
        this.keys[slot] = id;
        this.rows[slot] = i;
      }
    }
  }

  get(id: K): number | undefined {
    if (this.map) return this.map.get(id);
    if (typeof id !== 'number' || id !== (id | 0)) return undefined;
    const keys = this.keys!;
    const rows = this.rows!;
    const mask = rows.length - 1;
    for (let slot = Math.imul(id, 0x9e3779b1) >>> this.shift; rows[slot] !== -1; slot = (slot + 1) & mask) {
      if (keys[slot] === id) return rows[slot];
    }
    return undefined;
  }

  has(id: K): boolean {
    return this.get(id) !== undefined;
  }
}
