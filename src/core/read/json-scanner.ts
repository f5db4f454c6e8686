/**
 * A JSON reader over raw bytes, for instances.json files of 140 MB.
 *
 * `JSON.parse` needs the whole file decoded to a string first and then builds ~20M
 * number objects in arrays that we would only copy into typed arrays; on a RefCOCO-sized
 * file the two take ~3.7 s. This scanner reads the bytes directly, lets the caller stream
 * through arrays and objects, and parses numbers straight into typed arrays. Numbers
 * with at most 15 significant digits and 22 decimals are built as mantissa / 10^k, which
 * IEEE division rounds correctly — the same double that JSON.parse gives; any other
 * number goes through Number().
 */
import { DataError } from '../errors';
import { ProgressTicker, type ByteProgress } from './progress';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/** Deeper nesting is refused: value() recurses, and no COCO file nests past 5 levels.
 * (Python's json module gives up near 1,000 too, with a RecursionError.) */
export const MAX_DEPTH = 512;

const ESCAPES: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };

/** A growable Float64Array. */
export class FloatPool {
  data: Float64Array;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.data = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = value;
  }

  grow(): void {
    const next = new Float64Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }

  /** The numbers pushed; a view (no copy) unless that would keep much unused space. */
  toArray(): Float64Array {
    return this.length >= this.data.length * 0.75 ? this.data.subarray(0, this.length) : this.data.slice(0, this.length);
  }
}

export class JsonScanner {
  pos = 0;
  private depth = 0;

  readonly bytes: Uint8Array;
  /** Told of the position after each array element (records are array elements). */
  readonly progress: ProgressTicker;

  constructor(
    bytes: Uint8Array,
    readonly fileName: string,
    onProgress?: ByteProgress,
  ) {
    // A plain Uint8Array view, not the Buffer subclass readFileSync returns: V8 optimizes
    // element reads on one receiver type in the hot loops below.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.progress = new ProgressTicker(bytes.byteLength, onProgress);
  }

  fail(problem: string, at = this.pos): never {
    const found = at >= this.bytes.length ? 'end of file' : `"${String.fromCharCode(this.bytes[at])}"`;
    throw new DataError(`${this.fileName}: not valid JSON (byte ${at}: ${problem}, found ${found})`);
  }

  /** Skips white space and returns the next byte without consuming it (-1 at the end). */
  peek(): number {
    const b = this.bytes;
    let p = this.pos;
    while (p < b.length) {
      const c = b[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
    return p < b.length ? b[p] : -1;
  }

  private expect(c: number, what: string): void {
    if (this.peek() !== c) this.fail(`expected ${what}`);
    this.pos++;
  }

  /** Calls onItem for each element; onItem must consume exactly one value. */
  array(onItem: (index: number) => void): void {
    this.expect(LBRACKET, '"["');
    if (this.peek() === RBRACKET) {
      this.pos++;
      return;
    }
    for (let i = 0; ; i++) {
      onItem(i);
      if (this.pos >= this.progress.next) this.progress.at(this.pos);
      const c = this.peek();
      this.pos++;
      if (c === RBRACKET) return;
      if (c !== COMMA) this.fail('expected "," or "]"', this.pos - 1);
    }
  }

  /** Calls onKey for each member; onKey must consume exactly one value. */
  object(onKey: (key: string) => void): void {
    this.expect(LBRACE, '"{"');
    if (this.peek() === RBRACE) {
      this.pos++;
      return;
    }
    for (;;) {
      if (this.peek() !== QUOTE) this.fail('expected a string key');
      const key = this.string();
      this.expect(COLON, '":"');
      onKey(key);
      const c = this.peek();
      this.pos++;
      if (c === RBRACE) return;
      if (c !== COMMA) this.fail('expected "," or "}"', this.pos - 1);
    }
  }

  /** Reads `{`; false when the object is empty (its `}` read too). */
  openObject(): boolean {
    this.expect(LBRACE, '"{"');
    if (this.peek() !== RBRACE) return true;
    this.pos++;
    return false;
  }

  /**
   * Reads a member's key and its ':' and returns the key's index in `keys`, or -1. Keys
   * are compared as bytes: a hot object (200k annotations) makes no key strings.
   */
  memberKey(keys: readonly Uint8Array[]): number {
    this.expect(QUOTE, 'a string key');
    const b = this.bytes;
    const start = this.pos;
    let end = start;
    while (end < b.length && b[end] !== QUOTE) end += b[end] === BACKSLASH ? 2 : 1;
    if (end >= b.length) this.fail('unterminated string', start - 1);
    this.pos = end + 1;
    this.expect(COLON, '":"');
    const length = end - start;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      if (key.length !== length) continue;
      let i = 0;
      while (i < length && b[start + i] === key[i]) i++;
      if (i === length) return k;
    }
    return -1;
  }

  /** After a member's value: true at ',' (another member follows), false at '}'. */
  nextMember(): boolean {
    const c = this.peek();
    this.pos++;
    if (c === COMMA) return true;
    if (c !== RBRACE) this.fail('expected "," or "}"', this.pos - 1);
    return false;
  }

  string(): string {
    this.expect(QUOTE, 'a string');
    const b = this.bytes;
    const start = this.pos;
    let p = start;
    let plain = true;
    while (p < b.length && b[p] !== QUOTE) {
      if (b[p] === BACKSLASH) {
        plain = false;
        p += 2;
      } else {
        if (b[p] >= 0x80) plain = false;
        p++;
      }
    }
    if (p >= b.length) this.fail('unterminated string', start - 1);
    this.pos = p + 1;
    if (plain) {
      if (p - start < 48) {
        let s = '';
        for (let i = start; i < p; i++) s += String.fromCharCode(b[i]);
        return s;
      }
      return latin1.decode(b.subarray(start, p));
    }
    return this.escapedString(start, p);
  }

  private escapedString(start: number, end: number): string {
    const b = this.bytes;
    let out = '';
    let run = start;
    const flush = (to: number) => {
      if (to > run) {
        try {
          out += utf8.decode(b.subarray(run, to));
        } catch {
          this.fail('string is not valid UTF-8', run);
        }
      }
    };
    for (let p = start; p < end; p++) {
      if (b[p] !== BACKSLASH) continue;
      flush(p);
      const e = b[p + 1];
      if (e === 0x75) {
        const hex = latin1.decode(b.subarray(p + 2, p + 6));
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape', p);
        out += String.fromCharCode(parseInt(hex, 16));
        p += 5;
      } else if (e in ESCAPES) {
        out += ESCAPES[e];
        p += 1;
      } else this.fail('bad escape', p);
      run = p + 1;
    }
    flush(end);
    return out;
  }

  number(): number {
    const b = this.bytes;
    this.peek();
    const start = this.pos;
    let p = start;
    const negative = b[p] === 0x2d;
    if (negative) p++;
    let mantissa = 0;
    let digits = 0;
    let decimals = 0;
    while (b[p] >= 0x30 && b[p] <= 0x39) {
      mantissa = mantissa * 10 + (b[p++] - 0x30);
      digits++;
    }
    if (digits === 0) this.fail('expected a number', start);
    if (b[p] === 0x2e) {
      p++;
      while (b[p] >= 0x30 && b[p] <= 0x39) {
        mantissa = mantissa * 10 + (b[p++] - 0x30);
        digits++;
        decimals++;
      }
      if (decimals === 0) this.fail('expected a digit after "."', p);
    }
    let exact = digits <= 15 && decimals <= 22;
    if (b[p] === 0x65 || b[p] === 0x45) {
      exact = false;
      p++;
      if (b[p] === 0x2b || b[p] === 0x2d) p++;
      const expStart = p;
      while (b[p] >= 0x30 && b[p] <= 0x39) p++;
      if (p === expStart) this.fail('expected exponent digits', p);
    }
    this.pos = p;
    if (!exact) return Number(latin1.decode(b.subarray(start, p)));
    const value = decimals ? mantissa / POW10[decimals] : mantissa;
    return negative ? -value : value;
  }

  /** Parses any value into plain JS values, like JSON.parse. */
  value(): Json {
    const c = this.peek();
    if (c === LBRACE || c === LBRACKET) {
      if (this.depth >= MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
      this.depth++;
      try {
        return this.container(c);
      } finally {
        this.depth--;
      }
    }
    if (c === QUOTE) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (c === word.charCodeAt(0)) {
        if (latin1.decode(this.bytes.subarray(this.pos, this.pos + word.length)) !== word) this.fail(`expected ${word}`);
        this.pos += word.length;
        return v;
      }
    }
    return this.fail('expected a value');
  }

  private container(c: number): Json {
    if (c === LBRACE) {
      const obj: { [key: string]: Json } = {};
      this.object((key) => {
        // "__proto__" becomes an own data property, as with JSON.parse.
        if (key === '__proto__') Object.defineProperty(obj, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
        else obj[key] = this.value();
      });
      return obj;
    }
    const list: Json[] = [];
    this.array(() => list.push(this.value()));
    return list;
  }

  /**
   * Skips one value without building it: a byte scan that tracks nesting and strings
   * only, so the skipped part is not checked for validity.
   */
  skip(): void {
    const b = this.bytes;
    const c = this.peek();
    if (c !== LBRACE && c !== LBRACKET) {
      this.value();
      return;
    }
    const start = this.pos;
    let depth = 0;
    let p = start;
    while (p < b.length) {
      const x = b[p++];
      if (x === QUOTE) {
        while (p < b.length && b[p] !== QUOTE) p += b[p] === BACKSLASH ? 2 : 1;
        p++;
      } else if (x === LBRACE || x === LBRACKET) depth++;
      else if ((x === RBRACE || x === RBRACKET) && --depth === 0) {
        this.pos = p;
        return;
      }
    }
    this.fail('unterminated list or object', start);
  }

  /**
   * Reads a list of numbers into `pool`. Returns false, having skipped the rest of the
   * list, if an element is not a number. This is the hot loop of a COCO file (~20M
   * polygon coordinates), so the number parse is inlined here with locals only: a call
   * per number would box every double.
   */
  numberListInto(pool: FloatPool): boolean {
    const start = this.pos;
    this.expect(LBRACKET, '"["');
    const b = this.bytes;
    const len = b.length;
    let p = this.pos;
    while (p < len && (b[p] === 0x20 || b[p] === 0x0a || b[p] === 0x0d || b[p] === 0x09)) p++;
    if (b[p] === RBRACKET) {
      this.pos = p + 1;
      return true;
    }
    let data = pool.data;
    let n = pool.length;
    for (;;) {
      while (p < len && (b[p] === 0x20 || b[p] === 0x0a || b[p] === 0x0d || b[p] === 0x09)) p++;
      const numberStart = p;
      const negative = b[p] === 0x2d;
      if (negative) p++;
      let mantissa = 0;
      const intStart = p;
      while (p < len && b[p] >= 0x30 && b[p] <= 0x39) mantissa = mantissa * 10 + (b[p++] - 0x30);
      let digits = p - intStart;
      let decimals = 0;
      let dotWithoutDigits = false;
      if (b[p] === 0x2e) {
        const fracStart = ++p;
        while (p < len && b[p] >= 0x30 && b[p] <= 0x39) mantissa = mantissa * 10 + (b[p++] - 0x30);
        decimals = p - fracStart;
        digits += decimals;
        dotWithoutDigits = decimals === 0;
      }
      let value: number;
      if (digits === 0 || digits > 15 || dotWithoutDigits || b[p] === 0x65 || b[p] === 0x45) {
        // Not a plain decimal (or not a number at all): take the general path.
        this.pos = numberStart;
        if (!this.atNumber()) {
          pool.length = n;
          this.pos = start;
          this.skip();
          return false;
        }
        value = this.number();
        p = this.pos;
      } else {
        value = decimals ? mantissa / POW10[decimals] : mantissa;
        if (negative) value = -value;
      }
      if (n === data.length) {
        pool.length = n;
        pool.grow();
        data = pool.data;
      }
      data[n++] = value;
      while (p < len && (b[p] === 0x20 || b[p] === 0x0a || b[p] === 0x0d || b[p] === 0x09)) p++;
      const c = b[p++];
      if (c === RBRACKET) break;
      if (c !== COMMA) {
        pool.length = n;
        this.fail('expected "," or "]"', p - 1);
      }
    }
    pool.length = n;
    this.pos = p;
    return true;
  }

  /** Is the next value a number? */
  atNumber(): boolean {
    const c = this.peek();
    return c === 0x2d || (c >= 0x30 && c <= 0x39);
  }

  /** Checks that nothing but white space follows the top-level value. */
  end(): void {
    if (this.peek() !== -1) this.fail('unexpected data after the end');
  }
}
