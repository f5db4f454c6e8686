/**
 * Writes plain data (lists, dicts, numbers, text, booleans, None) as a Python pickle, in
 * the flavours the real REFER refs files come in:
 *
 * - `py2-binstring`: Python 2 cPickle, protocol 2. Text is a py2 `str` (SHORT_BINSTRING /
 *   BINSTRING) when it is ASCII and a py2 `unicode` (BINUNICODE) otherwise.
 * - `py2-utf8-str`: the same, but every text is a py2 `str` holding UTF-8 bytes, even
 *   when it is not ASCII (a plain Python 3 `pickle.load` fails on these).
 * - `py3`: Python 3, protocol 2: every text is BINUNICODE.
 * - `protocol0`: Python 2 cPickle's default text protocol: `S'…'` (repr-escaped str) for
 *   ASCII text, `V…` (raw-unicode-escape) otherwise, `I`/`F` numbers, `p`/`g` memo.
 *
 * Like the pickler, it memoizes every text, list and dict (PUT), and writes a GET when
 * the same *object* comes again. JavaScript strings have no identity, so `shareStrings`
 * says which equal strings were one object in the writing program: with `'interned'`
 * (the default) dict keys, single characters and `internedValues` (Python interns
 * identifier-like literals such as split names); with `'all'` every equal string. A
 * `PickleText` has identity of its own, for objects shared on purpose: Python's
 * `' '.join([word])` returns `word` itself, so a one-token sentence's `sent` is its token.
 *
 * An integral JavaScript number is pickled as an int; wrap it in `PickleFloat` for a
 * float. Plain objects are dicts with string keys; a `Map` may also have number keys.
 */
import { formatPythonFloat } from './python-float';

export type PickleFlavour = 'py2-binstring' | 'py2-utf8-str' | 'py3' | 'protocol0';

export const PICKLE_FLAVOURS: readonly PickleFlavour[] = ['py2-binstring', 'py2-utf8-str', 'py3', 'protocol0'];

/** A number to be pickled as a float even when it has no fraction (`354.0`). */
export class PickleFloat {
  constructor(readonly value: number) {}
}

/** A text with object identity: the same instance written twice is one object. */
export class PickleText {
  constructor(readonly text: string) {}
}

export type Picklable =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleFloat
  | PickleText
  | readonly Picklable[]
  | ReadonlyMap<string | number, Picklable>
  | { readonly [key: string]: Picklable };

export interface PickleWriteOptions {
  flavour: PickleFlavour;
  shareStrings?: 'interned' | 'all';
  /** Values that were interned strings in the writing program (e.g. split names). */
  internedValues?: Iterable<string>;
}

/**
 * Binary lists and dicts go out as the C picklers (cPickle 2.7's and _pickle's
 * batch_list_exact / batch_dict_exact) write them: one item alone with APPEND/SETITEM,
 * anything longer in MARK … APPENDS/SETITEMS batches of at most 1000.
 */
const BATCH_SIZE = 1000;
const NON_ASCII = /[^\x00-\x7f]/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const enum Op {
  MARK = 0x28,
  STOP = 0x2e,
  BINFLOAT = 0x47,
  BININT = 0x4a,
  BININT1 = 0x4b,
  BININT2 = 0x4d,
  NONE = 0x4e,
  BINSTRING = 0x54,
  SHORT_BINSTRING = 0x55,
  BINUNICODE = 0x58,
  EMPTY_LIST = 0x5d,
  APPEND = 0x61,
  APPENDS = 0x65,
  BINGET = 0x68,
  LONG_BINGET = 0x6a,
  BINPUT = 0x71,
  LONG_BINPUT = 0x72,
  SETITEM = 0x73,
  SETITEMS = 0x75,
  EMPTY_DICT = 0x7d,
  PROTO = 0x80,
  LONG1 = 0x8a,
  NEWTRUE = 0x88,
  NEWFALSE = 0x89,
}

/** A growable output buffer: appending to one Buffer is far faster than joining strings
 * for a 25 MB refs file. Callers `reserve` room, then poke bytes at `pos`. */
class ByteSink {
  buf = Buffer.allocUnsafe(1 << 16);
  pos = 0;

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  /** An opcode and its 1- or 4-byte little-endian argument (memo ids). */
  opWithIndex(shortOp: number, longOp: number, n: number): void {
    this.reserve(5);
    const { buf } = this;
    if (n < 0x100) {
      buf[this.pos++] = shortOp;
      buf[this.pos++] = n;
    } else {
      buf[this.pos] = longOp;
      buf.writeUInt32LE(n, this.pos + 1);
      this.pos += 5;
    }
  }

  /** Text whose characters are all below 256, one byte each. */
  latin1(s: string): void {
    this.reserve(s.length);
    if (s.length > 32) {
      this.pos += this.buf.write(s, this.pos, 'latin1');
      return;
    }
    // Buffer#write costs more than the copy itself for short pieces.
    const { buf } = this;
    for (let i = 0; i < s.length; i++) buf[this.pos++] = s.charCodeAt(i);
  }

  /** A protocol-0 argument line: `op` then a safe integer in decimal, then a newline. */
  opWithDecimal(op: number, n: number): void {
    this.reserve(24);
    const { buf } = this;
    buf[this.pos++] = op;
    if (n < 0) {
      buf[this.pos++] = 45; // '-'
      n = -n;
    }
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    let at = this.pos + digits;
    this.pos = at;
    let m = n;
    do {
      buf[--at] = 48 + (m % 10);
      m = Math.floor(m / 10);
    } while (m > 0);
    buf[this.pos++] = 0x0a;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  result(): Buffer {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.pos);
  }
}

/** Python's `pickle.encode_long`: shortest little-endian two's complement. */
function encodeLong(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array(0);
  const bytes: number[] = [];
  let rest = n;
  for (;;) {
    const byte = Number(rest & 0xffn);
    bytes.push(byte);
    rest >>= 8n;
    if ((rest === 0n && (byte & 0x80) === 0) || (rest === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(bytes);
}

/** Python 2 `repr()` of a byte string, as protocol 0 writes after `S`. */
function py2StrRepr(bytes: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const b of bytes) {
    if (b === 0x27) hasSingle = true;
    else if (b === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? 0x22 : 0x27;
  let out = String.fromCharCode(quote);
  for (const b of bytes) {
    if (b === quote || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return out + String.fromCharCode(quote);
}

/** cPickle's raw-unicode-escape for protocol-0 `V`: characters below 256 as latin-1
 * bytes, the rest as \uXXXX / \UXXXXXXXX; backslash and newline are escaped too so the
 * line stays one line. */
function py2RawUnicodeEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0x10000) out += `\\U${cp.toString(16).padStart(8, '0')}`;
    else if (cp >= 0x100 || cp === 0x5c || cp === 0x0a) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

const INT64_MIN = -(2n ** 63n);
const INT64_LIMIT = 2n ** 63n;

class Pickler {
  private readonly sink = new ByteSink();
  private memoSize = 0;
  private readonly shared = new Map<string, number>();
  private readonly objects = new Map<PickleText, number>();
  private readonly interned: ReadonlySet<string>;
  private readonly shareAll: boolean;
  private readonly text: boolean;

  constructor(private readonly flavour: PickleFlavour, options: PickleWriteOptions) {
    this.shareAll = options.shareStrings === 'all';
    this.interned = new Set(options.internedValues ?? []);
    this.text = flavour === 'protocol0';
  }

  write(value: Picklable): Buffer {
    if (!this.text) {
      this.sink.byte(Op.PROTO);
      this.sink.byte(2);
    }
    this.save(value);
    this.sink.byte(Op.STOP);
    return this.sink.result();
  }

  private save(value: Picklable): void {
    if (typeof value === 'string') this.saveString(value, false);
    else if (typeof value === 'number') {
      if (Number.isInteger(value)) this.saveInt(value);
      else this.saveFloat(value);
    } else if (typeof value === 'bigint') this.saveInt(value);
    else if (typeof value === 'boolean') this.saveBool(value);
    else if (value === null) this.sink.byte(Op.NONE);
    else if (value instanceof PickleFloat) this.saveFloat(value.value);
    else if (value instanceof PickleText) this.saveText(value);
    else if (Array.isArray(value)) this.saveList(value as readonly Picklable[]);
    else if (value instanceof Map) this.saveMap(value as ReadonlyMap<string | number, Picklable>);
    else this.saveObject(value as { readonly [key: string]: Picklable });
  }

  private saveBool(value: boolean): void {
    if (this.text) this.sink.latin1(value ? 'I01\n' : 'I00\n');
    else this.sink.byte(value ? Op.NEWTRUE : Op.NEWFALSE);
  }

  private saveInt(value: number | bigint): void {
    const { sink } = this;
    if (this.text) {
      if (typeof value === 'number' && Number.isSafeInteger(value)) sink.opWithDecimal(0x49, value);
      else {
        // A py2 int is 64 bits; beyond that it is a long (`L…L`).
        const big = BigInt(value);
        sink.latin1(big >= INT64_MIN && big < INT64_LIMIT ? `I${big}\n` : `L${big}L\n`);
      }
      return;
    }
    const n = Number(value);
    if (typeof value === 'number' || (n >= INT32_MIN && n <= INT32_MAX)) {
      sink.reserve(5);
      const { buf } = sink;
      if (n >= 0 && n < 0x100) {
        buf[sink.pos++] = Op.BININT1;
        buf[sink.pos++] = n;
        return;
      }
      if (n >= 0 && n < 0x10000) {
        buf[sink.pos++] = Op.BININT2;
        buf[sink.pos++] = n & 0xff;
        buf[sink.pos++] = n >>> 8;
        return;
      }
      if (n >= INT32_MIN && n <= INT32_MAX) {
        buf[sink.pos] = Op.BININT;
        buf.writeInt32LE(n, sink.pos + 1);
        sink.pos += 5;
        return;
      }
    }
    const bytes = encodeLong(BigInt(value));
    sink.byte(Op.LONG1);
    sink.byte(bytes.length);
    sink.bytes(bytes);
  }

  private saveFloat(value: number): void {
    if (this.text) {
      this.sink.latin1(`F${formatPythonFloat(value)}\n`);
      return;
    }
    this.sink.reserve(9);
    this.sink.buf[this.sink.pos] = Op.BINFLOAT;
    this.sink.buf.writeDoubleBE(value, this.sink.pos + 1);
    this.sink.pos += 9;
  }

  private saveText(text: PickleText): void {
    const id = this.objects.get(text);
    if (id !== undefined) this.get(id);
    else this.objects.set(text, this.saveString(text.text, false));
  }

  /** Returns the memo id of the string object written or referred to. */
  private saveString(s: string, isKey: boolean): number {
    const share = this.shareAll || isKey || s.length === 1 || this.interned.has(s);
    if (share) {
      const id = this.shared.get(s);
      if (id !== undefined) {
        this.get(id);
        return id;
      }
    }
    switch (this.flavour) {
      case 'py2-binstring':
        if (!this.asciiBinString(s)) this.binUnicode(s);
        break;
      case 'py2-utf8-str':
        if (!this.asciiBinString(s)) this.binString(s);
        break;
      case 'py3':
        this.binUnicode(s);
        break;
      case 'protocol0':
        if (!this.plainStringLine(s)) {
          if (NON_ASCII.test(s)) this.sink.bytes(Buffer.from(`V${py2RawUnicodeEscape(s)}\n`, 'latin1'));
          else this.sink.latin1(`S${py2StrRepr(Buffer.from(s, 'latin1'))}\n`);
        }
        break;
    }
    if (share) this.shared.set(s, this.memoSize);
    return this.put();
  }

  /**
   * Writes an ASCII `s` as a py2 `str` (SHORT_BINSTRING / BINSTRING), copying characters
   * as it checks them; returns false, having written nothing, if `s` is not ASCII.
   */
  private asciiBinString(s: string): boolean {
    const { sink } = this;
    const n = s.length;
    sink.reserve(5 + n);
    const { buf } = sink;
    const start = sink.pos + (n < 0x100 ? 2 : 5);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[start + i] = c;
    }
    if (n < 0x100) {
      buf[sink.pos] = Op.SHORT_BINSTRING;
      buf[sink.pos + 1] = n;
    } else {
      buf[sink.pos] = Op.BINSTRING;
      buf.writeUInt32LE(n, sink.pos + 1);
    }
    sink.pos = start + n;
    return true;
  }

  /** A py2 `str` holding the UTF-8 bytes of `s`. */
  private binString(s: string): void {
    const { sink } = this;
    const byteLength = Buffer.byteLength(s, 'utf8');
    sink.reserve(5 + byteLength);
    if (byteLength < 0x100) {
      sink.buf[sink.pos++] = Op.SHORT_BINSTRING;
      sink.buf[sink.pos++] = byteLength;
    } else {
      sink.buf[sink.pos++] = Op.BINSTRING;
      sink.buf.writeUInt32LE(byteLength, sink.pos);
      sink.pos += 4;
    }
    sink.pos += sink.buf.write(s, sink.pos, 'utf8');
  }

  private binUnicode(s: string): void {
    const { sink } = this;
    // UTF-8 needs at most 3 bytes per UTF-16 unit; write first, then fill in the length.
    const n = s.length;
    sink.reserve(5 + n * 3);
    const { buf } = sink;
    const start = sink.pos + 5;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[start + i] = c;
    }
    const written = i === n ? n : buf.write(s, start, 'utf8');
    buf[sink.pos] = Op.BINUNICODE;
    buf.writeUInt32LE(written, sink.pos + 1);
    sink.pos = start + written;
  }

  /** `S'…'\n` for printable ASCII without quotes or backslashes (the common case, whose
   * repr is the text itself); false, having written nothing, otherwise. */
  private plainStringLine(s: string): boolean {
    const { sink } = this;
    const n = s.length;
    sink.reserve(n + 4);
    const { buf } = sink;
    const start = sink.pos + 2;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c >= 0x7f || c === 0x27 || c === 0x5c) return false;
      buf[start + i] = c;
    }
    buf[sink.pos] = 0x53; // S
    buf[sink.pos + 1] = 0x27;
    buf[start + n] = 0x27;
    buf[start + n + 1] = 0x0a;
    sink.pos = start + n + 2;
    return true;
  }

  private put(): number {
    const id = this.memoSize++;
    if (this.text) this.sink.opWithDecimal(0x70, id);
    else this.sink.opWithIndex(Op.BINPUT, Op.LONG_BINPUT, id);
    return id;
  }

  private get(id: number): void {
    if (this.text) this.sink.opWithDecimal(0x67, id);
    else this.sink.opWithIndex(Op.BINGET, Op.LONG_BINGET, id);
  }

  private saveList(items: readonly Picklable[]): void {
    if (this.text) {
      this.sink.latin1('(l');
      this.put();
      for (const item of items) {
        this.save(item);
        this.sink.byte(Op.APPEND);
      }
      return;
    }
    this.sink.byte(Op.EMPTY_LIST);
    this.put();
    if (items.length === 1) {
      this.save(items[0]);
      this.sink.byte(Op.APPEND);
      return;
    }
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      this.sink.byte(Op.MARK);
      const end = Math.min(start + BATCH_SIZE, items.length);
      for (let i = start; i < end; i++) this.save(items[i]);
      this.sink.byte(Op.APPENDS);
    }
  }

  private saveObject(obj: { readonly [key: string]: Picklable }): void {
    const keys = Object.keys(obj);
    this.saveDict(keys.length, (i) => {
      this.saveString(keys[i], true);
      this.save(obj[keys[i]]);
    });
  }

  private saveMap(map: ReadonlyMap<string | number, Picklable>): void {
    const entries = [...map.entries()];
    this.saveDict(entries.length, (i) => {
      const [key, value] = entries[i];
      if (typeof key === 'number') this.save(key);
      else this.saveString(key, true);
      this.save(value);
    });
  }

  /** A dict of `size` items; `saveItem(i)` writes the i-th key and value. */
  private saveDict(size: number, saveItem: (i: number) => void): void {
    if (this.text) {
      this.sink.latin1('(d');
      this.put();
      for (let i = 0; i < size; i++) {
        saveItem(i);
        this.sink.byte(Op.SETITEM);
      }
      return;
    }
    this.sink.byte(Op.EMPTY_DICT);
    this.put();
    if (size === 0) return;
    if (size === 1) {
      saveItem(0);
      this.sink.byte(Op.SETITEM);
      return;
    }
    // The C loop is do { up to 1000 items } while (the batch was full), so a dict of
    // exactly 1000 items ends with an empty MARK SETITEMS.
    let start = 0;
    let batch: number;
    do {
      this.sink.byte(Op.MARK);
      batch = Math.min(BATCH_SIZE, size - start);
      for (let i = start; i < start + batch; i++) saveItem(i);
      this.sink.byte(Op.SETITEMS);
      start += batch;
    } while (batch === BATCH_SIZE);
  }
}

/** Pickles `value` in the given flavour; see the module comment. */
export function writePickle(value: Picklable, options: PickleWriteOptions): Buffer {
  return new Pickler(options.flavour, options).write(value);
}
