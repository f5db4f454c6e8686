/**
 * Writes a large JSON file through a fixed buffer, formatted as Python's `json.dump`
 * does by default (`", "` and `": "` separators, floats as `repr`, ASCII only), so a
 * 140 MB instances.json never exists as one string. Numbers are printed straight into
 * the buffer: building millions of small strings is what made this slow.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { formatPythonFloat } from './python-float';

const BUFFER_SIZE = 1 << 22;

export class JsonFile {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(BUFFER_SIZE);
  private pos = 0;
  /** Bytes written so far. */
  bytes = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  private flush(): void {
    for (let done = 0; done < this.pos; ) done += writeSync(this.fd, this.buf, done, this.pos - done);
    this.bytes += this.pos;
    this.pos = 0;
  }

  private room(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  /** ASCII text (formatted JSON). */
  text(s: string): void {
    this.room(s.length);
    if (s.length > 32) {
      this.pos += this.buf.write(s, this.pos, 'latin1');
      return;
    }
    // Buffer#write costs more than the copy itself for short pieces like ", ".
    const { buf } = this;
    for (let i = 0; i < s.length; i++) buf[this.pos++] = s.charCodeAt(i);
  }

  /** A non-negative safe integer. */
  int(n: number): void {
    this.room(16);
    const { buf } = this;
    if (n < 10) {
      buf[this.pos++] = 48 + n;
      return;
    }
    let digits = 0;
    for (let m = n; m > 0; m = Math.floor(m / 10)) digits++;
    let at = this.pos + digits;
    this.pos = at;
    for (let m = n; m > 0; m = Math.floor(m / 10)) buf[--at] = 48 + (m % 10);
  }

  /**
   * A float that is a whole number of hundredths (a rounded coordinate), as Python's
   * `repr` prints it: the shortest round-trip digits of k/100 are k/100 written out.
   */
  hundredths(x: number): void {
    const k = Math.round(x * 100);
    if (k / 100 !== x || k < 0 || !Number.isSafeInteger(k)) {
      this.text(formatPythonFloat(x));
      return;
    }
    this.int(Math.floor(k / 100));
    this.room(3);
    const frac = k % 100;
    const { buf } = this;
    buf[this.pos++] = 46; // '.'
    if (frac % 10 === 0) buf[this.pos++] = 48 + frac / 10;
    else {
      buf[this.pos++] = 48 + Math.floor(frac / 10);
      buf[this.pos++] = 48 + (frac % 10);
    }
  }

  /** `[x1, y1, ...]` of hundredths. */
  hundredthsList(xs: ArrayLike<number>): void {
    this.room(1);
    this.buf[this.pos++] = 91; // '['
    for (let i = 0; i < xs.length; i++) {
      if (i > 0) {
        this.room(2);
        this.buf[this.pos++] = 44; // ','
        this.buf[this.pos++] = 32;
      }
      this.hundredths(xs[i]);
    }
    this.room(1);
    this.buf[this.pos++] = 93; // ']'
  }

  close(): number {
    this.flush();
    closeSync(this.fd);
    return this.bytes;
  }
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;
const NON_ASCII = /[\u007f-\uffff]/g;

/** A JSON string as Python writes it with `ensure_ascii=True`. */
export function pyString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  return JSON.stringify(s).replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An object with the given entries, already formatted as JSON values. */
export function pyObject(entries: readonly (readonly [string, string])[]): string {
  return `{${entries.map(([k, v]) => `${pyString(k)}: ${v}`).join(', ')}}`;
}
