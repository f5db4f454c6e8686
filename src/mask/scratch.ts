// Growable typed-array lists that the codec reuses from call to call. Allocating a typed
// array costs about as much as encoding a small polygon, so each module keeps its own
// lists and clears them on entry. Codec functions are synchronous and never call each
// other while a list is in use, so the sharing is invisible to callers.

export class Uint32List {
  data: Uint32Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Uint32Array(capacity);
  }

  clear(): void {
    this.length = 0;
  }

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = value;
  }

  /** Makes room for n values in all, keeping the first `length`. */
  reserve(n: number): void {
    if (n <= this.data.length) return;
    const grown = new Uint32Array(Math.max(n, this.data.length * 2));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }

  /** A copy of the values, owned by the caller. */
  copy(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

export class Int32List {
  data: Int32Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Int32Array(capacity);
  }

  clear(): void {
    this.length = 0;
  }

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = value;
  }

  reserve(n: number): void {
    if (n <= this.data.length) return;
    const grown = new Int32Array(Math.max(n, this.data.length * 2));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }

  /** n zeroed slots (the list's length becomes n). */
  zeroed(n: number): Int32Array {
    this.reserve(n);
    this.length = n;
    this.data.fill(0, 0, n);
    return this.data;
  }
}
