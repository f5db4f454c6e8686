/**
 * A reader for the data subset of Python's pickle format (protocols 0 to 5).
 *
 * REFER ships its refs as pickles written by Python 2's cPickle. A pickle is a program
 * for a stack machine, and the general format can import modules and call functions.
 * This reader executes only the opcodes that build plain data (lists, dicts, tuples,
 * sets, numbers, strings, bytes) and refuses every opcode that could construct an object
 * or call code, so a data file from the internet can never run anything.
 */
import { isUtf8 } from 'node:buffer';
import { DataError } from '../errors';
import { ProgressTicker, type ByteProgress } from './progress';
import { decodeLong, NumberSyntaxError, parsePickleFloat, parsePickleInt, parsePickleLong } from './python-numbers';

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleDict;

/** A pickled dict. Keys are converted to strings, like JSON; a key "__proto__" is an own
 * data property, never the prototype. */
export interface PickleDict {
  [key: string]: PickleValue;
}

/** Opcodes that import, construct or call: never executed. */
const CODE_OPCODES: Record<number, string> = {
  0x63: 'GLOBAL',
  0x93: 'STACK_GLOBAL',
  0x52: 'REDUCE',
  0x62: 'BUILD',
  0x69: 'INST',
  0x6f: 'OBJ',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x50: 'PERSID',
  0x51: 'BINPERSID',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** A Python 2 `str` is bytes. REFER's text is UTF-8 in practice; anything that is not
 * valid UTF-8 is read as latin-1, which never fails. */
function decodePy2Str(bytes: Uint8Array): string {
  return isUtf8(bytes) ? utf8Strict.decode(bytes) : latin1.decode(bytes);
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

function newDict(): PickleDict {
  // A plain object literal, not Object.create(null): V8 keeps those in slow dictionary
  // mode, which made reading a RefCOCO refs file several times slower.
  return {};
}

function setKey(dict: PickleDict, key: string, value: PickleValue): void {
  if (key === '__proto__') Object.defineProperty(dict, key, { value, enumerable: true, writable: true, configurable: true });
  else dict[key] = value;
}

const SIMPLE_ESCAPES: Record<string, number> = {
  '\\': 0x5c, "'": 0x27, '"': 0x22, n: 0x0a, t: 0x09, r: 0x0d, a: 0x07, b: 0x08, f: 0x0c, v: 0x0b,
};

/** Undo Python's `repr` quoting of a protocol-0 STRING argument into raw bytes. */
function unescapeStringRepr(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch !== 0x5c) {
      out.push(ch & 0xff);
      continue;
    }
    const next = text[++i];
    if (next === undefined) throw new Error('string ends in a lone backslash');
    if (next in SIMPLE_ESCAPES) out.push(SIMPLE_ESCAPES[next]);
    else if (next === '\n') continue;
    else if (next === 'x') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad \\x escape "\\x${hex}"`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (next >= '0' && next <= '7') {
      let oct = next;
      while (oct.length < 3 && text[i + 1] >= '0' && text[i + 1] <= '7') oct += text[++i];
      out.push(parseInt(oct, 8) & 0xff);
    } else {
      out.push(0x5c, next.charCodeAt(0) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** Python's raw-unicode-escape, used by protocol-0 UNICODE: bytes are latin-1 except
 * \uXXXX and \UXXXXXXXX escapes. A \U escape past U+10FFFF is an error, as in Python. */
function decodeRawUnicodeEscape(bytes: Uint8Array): string {
  const text = latin1.decode(bytes);
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u4: string, u8: string) => {
    const code = parseInt(u4 ?? u8, 16);
    if (code > 0x10ffff) throw new PickleSyntaxError(`UNICODE escape \\U${u8} is past U+10FFFF`);
    return String.fromCodePoint(code);
  });
}

/** A malformed argument, turned into a DataError with the file and offset by the machine. */
class PickleSyntaxError extends Error {}

/** Python 2's cPickle writes every memo-shared object with GET. A shared list is one
 * object to Python but is expanded by everything that walks the result (the refs reader,
 * the compiled index), so the values reached through GETs are budgeted: this many per
 * byte of the file, beyond a floor for small files. Real REFER refs files share only
 * strings, about one per two bytes at most. */
const SHARED_VALUES_PER_BYTE = 4;
const SHARED_VALUES_FLOOR = 1 << 20;

type Container = PickleValue[] | PickleDict;

function isContainer(v: PickleValue): v is Container {
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array);
}

class PickleMachine {
  private pos = 0;
  private stack: PickleValue[] = [];
  private marks: number[] = [];
  private memo: PickleValue[] = [];
  /** Containers reached by more than one reference (GET, DUP): they must not change any
   * more, so that their counted size stays true (see SHARED_VALUES_PER_BYTE). */
  private readonly shared = new WeakSet<Container>();
  /** Values in a container's tree, for containers whose size has been counted. */
  private readonly treeSize = new WeakMap<Container, number>();
  private sharedValues = 0;
  /** Where the opcode being executed starts, for errors raised outside fail(). */
  private opcodeAt = 0;
  private readonly sharedBudget: number;
  private readonly view: DataView;
  /** The same bytes as a Buffer, for its fast string slicing. */
  private readonly buf: Buffer;

  constructor(
    private readonly data: Uint8Array,
    private readonly fileName: string,
    private readonly progress: ProgressTicker,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.sharedBudget = Math.max(SHARED_VALUES_FLOOR, data.length * SHARED_VALUES_PER_BYTE);
  }

  fail(at: number, problem: string): never {
    throw new DataError(`${this.fileName}: byte ${at}: ${problem}`);
  }

  private need(n: number, at: number): number {
    const start = this.pos;
    if (start + n > this.data.length) this.fail(at, `unexpected end of data (file truncated?): needed ${n} more bytes`);
    this.pos = start + n;
    return start;
  }

  private bytes(n: number, at: number): Uint8Array {
    const start = this.need(n, at);
    return this.data.subarray(start, start + n);
  }

  private line(at: number): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0) this.fail(at, 'unexpected end of data (file truncated?): a text argument has no newline');
    const text = latin1.decode(this.data.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private pop(at: number): PickleValue {
    if (this.stack.length === 0 || this.stack.length <= (this.marks[this.marks.length - 1] ?? -1)) {
      this.fail(at, 'stack underflow (corrupt pickle)');
    }
    return this.stack.pop() as PickleValue;
  }

  private top(at: number): PickleValue {
    if (this.stack.length === 0) this.fail(at, 'stack underflow (corrupt pickle)');
    return this.stack[this.stack.length - 1];
  }

  private popMark(at: number): PickleValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail(at, 'no MARK on the stack (corrupt pickle)');
    const items = this.stack.slice(mark);
    this.stack.length = mark;
    return items;
  }

  private listOnTop(at: number): PickleValue[] {
    const list = this.top(at);
    if (!Array.isArray(list)) this.fail(at, 'APPEND target is not a list');
    return this.changeable(list, at);
  }

  private dictOnTop(at: number): PickleDict {
    const dict = this.top(at);
    if (dict === null || typeof dict !== 'object' || Array.isArray(dict) || dict instanceof Uint8Array) {
      this.fail(at, 'SETITEM target is not a dict');
    }
    return this.changeable(dict, at);
  }

  private changeable<C extends Container>(target: C, at: number): C {
    if (this.shared.has(target)) {
      this.fail(at, 'a list or dict is changed after a memo reference to it (self-referencing data is not supported)');
    }
    return target;
  }

  /** Pushes another reference to `value`, counting what it adds to the expanded data. */
  private pushShared(value: PickleValue, at: number): void {
    if (isContainer(value)) {
      this.shared.add(value);
      this.sharedValues += this.sizeOfTree(value);
    } else this.sharedValues++;
    if (this.sharedValues > this.sharedBudget) {
      this.fail(at, `memo references expand to more than ${this.sharedBudget} values (${SHARED_VALUES_PER_BYTE} per byte of the file): a pickle bomb, not data`);
    }
    this.stack.push(value);
  }

  /** Values in the tree under `root`, each container's size computed once (with an
   * explicit stack: the tree may be nested deeper than the call stack allows). */
  private sizeOfTree(root: Container): number {
    const known = this.treeSize.get(root);
    if (known !== undefined) return known;
    const pending: { node: Container; size: number; children: PickleValue[]; next: number }[] = [];
    const open = (node: Container) => pending.push({ node, size: 1, children: Array.isArray(node) ? node : Object.values(node), next: 0 });
    open(root);
    for (;;) {
      const frame = pending[pending.length - 1];
      if (frame.next < frame.children.length) {
        const child = frame.children[frame.next++];
        if (!isContainer(child)) frame.size++;
        else {
          const size = this.treeSize.get(child);
          if (size !== undefined) frame.size += size;
          // No cycle can reach here: closing one needs a change to a shared container.
          else open(child);
        }
        continue;
      }
      pending.pop();
      this.treeSize.set(frame.node, frame.size);
      if (pending.length === 0) return frame.size;
      pending[pending.length - 1].size += frame.size;
    }
  }

  /** Moves the key/value pairs above the topmost MARK into `dict`. */
  private setItemsFromMark(dict: PickleDict, at: number): void {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail(at, 'no MARK on the stack (corrupt pickle)');
    const { stack } = this;
    if ((stack.length - mark) % 2 !== 0) this.fail(at, 'SETITEMS has an odd number of items');
    this.changeable(dict, at);
    for (let i = mark; i < stack.length; i += 2) this.setItem(dict, stack[i], stack[i + 1], at);
    stack.length = mark;
  }

  private setItem(dict: PickleDict, key: PickleValue, value: PickleValue, at: number): void {
    if (typeof key === 'string') setKey(dict, key, value);
    else if (typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean' || key === null) setKey(dict, String(key), value);
    else this.fail(at, 'a dict key must be a string or a number');
  }

  private get(index: number, at: number): void {
    if (!(index in this.memo)) this.fail(at, `memo key ${index} was never stored (corrupt pickle)`);
    this.pushShared(this.memo[index], at);
  }

  private put(index: number, at: number): void {
    this.memo[index] = this.top(at);
  }

  private guard(at: number, fn: () => PickleValue): PickleValue {
    try {
      return fn();
    } catch (e) {
      if (e instanceof DataError) throw e;
      return this.fail(at, (e as Error).message);
    }
  }

  /** Runs the machine; data that exhausts a resource (a RangeError: call stack, array or
   * string length) is a DataError naming the file and the opcode's offset. */
  runGuarded(): PickleValue {
    try {
      return this.run();
    } catch (e) {
      if (e instanceof RangeError || e instanceof PickleSyntaxError || e instanceof NumberSyntaxError) return this.fail(this.opcodeAt, e.message);
      throw e;
    }
  }

  private run(): PickleValue {
    const { data, view } = this;
    for (;;) {
      const at = this.pos;
      this.opcodeAt = at;
      if (at >= data.length) this.fail(at, 'unexpected end of data (file truncated?): no STOP opcode');
      const op = data[this.pos++];
      if (at >= this.progress.next) this.progress.at(at);
      switch (op) {
        case 0x80: // PROTO
          if (data[this.need(1, at)] > 5) this.fail(at, `pickle protocol ${data[at + 1]} is newer than 5`);
          break;
        case 0x95: // FRAME: a length prefix only
          this.need(8, at);
          break;
        case 0x2e: // STOP
          if (this.stack.length !== 1 || this.marks.length !== 0) {
            this.fail(at, `STOP with ${this.stack.length} values and ${this.marks.length} open marks on the stack (corrupt pickle)`);
          }
          return this.stack[0];
        case 0x28: // MARK
          this.marks.push(this.stack.length);
          break;
        case 0x30: // POP
          if (this.marks.length && this.marks[this.marks.length - 1] === this.stack.length) this.marks.pop();
          else this.pop(at);
          break;
        case 0x31: // POP_MARK
          this.popMark(at);
          break;
        case 0x32: // DUP
          this.pushShared(this.top(at), at);
          break;
        case 0x4e: // NONE
          this.stack.push(null);
          break;
        case 0x88: // NEWTRUE
          this.stack.push(true);
          break;
        case 0x89: // NEWFALSE
          this.stack.push(false);
          break;
        case 0x4a: // BININT
          this.stack.push(view.getInt32(this.need(4, at), true));
          break;
        case 0x4b: // BININT1
          this.stack.push(data[this.need(1, at)]);
          break;
        case 0x4d: // BININT2
          this.stack.push(view.getUint16(this.need(2, at), true));
          break;
        case 0x8a: // LONG1
          this.stack.push(decodeLong(this.bytes(data[this.need(1, at)], at)));
          break;
        case 0x8b: // LONG4
          this.stack.push(decodeLong(this.bytes(this.length32(at), at)));
          break;
        case 0x49: { // INT (protocol 0; "01"/"00" are True/False)
          const text = this.line(at);
          this.stack.push(this.guard(at, () => parsePickleInt(text)));
          break;
        }
        case 0x4c: { // LONG (protocol 0)
          const text = this.line(at);
          this.stack.push(this.guard(at, () => parsePickleLong(text)));
          break;
        }
        case 0x46: { // FLOAT (protocol 0)
          const text = this.line(at);
          this.stack.push(this.guard(at, () => parsePickleFloat(text)));
          break;
        }
        case 0x47: // BINFLOAT
          this.stack.push(view.getFloat64(this.need(8, at), false));
          break;
        case 0x53: { // STRING (protocol 0): a quoted repr of a py2 str
          const text = this.line(at);
          const q = text[0];
          if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q) {
            this.fail(at, 'STRING argument is not a quoted string');
          }
          this.stack.push(this.guard(at, () => decodePy2Str(unescapeStringRepr(text.slice(1, -1)))));
          break;
        }
        case 0x56: { // UNICODE (protocol 0)
          const end = data.indexOf(0x0a, this.pos);
          if (end < 0) this.fail(at, 'unexpected end of data (file truncated?): a text argument has no newline');
          this.stack.push(decodeRawUnicodeEscape(data.subarray(this.pos, end)));
          this.pos = end + 1;
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.stack.push(this.py2Str(data[this.need(1, at)], at));
          break;
        case 0x54: // BINSTRING
          this.stack.push(this.py2Str(this.length32(at), at));
          break;
        case 0x58: // BINUNICODE
          this.stack.push(this.utf8(this.length32(at), at));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.stack.push(this.utf8(data[this.need(1, at)], at));
          break;
        case 0x8d: // BINUNICODE8
          this.stack.push(this.utf8(this.length64(at), at));
          break;
        case 0x42: // BINBYTES
          this.stack.push(this.bytes(this.length32(at), at).slice());
          break;
        case 0x43: // SHORT_BINBYTES
          this.stack.push(this.bytes(data[this.need(1, at)], at).slice());
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.stack.push(this.bytes(this.length64(at), at).slice());
          break;
        case 0x5d: // EMPTY_LIST
          this.stack.push([]);
          break;
        case 0x29: // EMPTY_TUPLE
          this.stack.push([]);
          break;
        case 0x8f: // EMPTY_SET
          this.stack.push([]);
          break;
        case 0x7d: // EMPTY_DICT
          this.stack.push(newDict());
          break;
        case 0x6c: // LIST
        case 0x74: // TUPLE
        case 0x91: // FROZENSET
          this.stack.push(this.popMark(at));
          break;
        case 0x85: // TUPLE1
          this.stack.push([this.pop(at)]);
          break;
        case 0x86: { // TUPLE2
          const b = this.pop(at);
          this.stack.push([this.pop(at), b]);
          break;
        }
        case 0x87: { // TUPLE3
          const c = this.pop(at);
          const b = this.pop(at);
          this.stack.push([this.pop(at), b, c]);
          break;
        }
        case 0x64: { // DICT
          const dict = newDict();
          this.setItemsFromMark(dict, at);
          this.stack.push(dict);
          break;
        }
        case 0x61: { // APPEND
          const value = this.pop(at);
          this.listOnTop(at).push(value);
          break;
        }
        case 0x65: // APPENDS
        case 0x90: { // ADDITEMS (sets are read as lists)
          const mark = this.marks.pop();
          if (mark === undefined || mark === 0) this.fail(at, 'no MARK above a list (corrupt pickle)');
          const list = this.stack[mark - 1];
          if (!Array.isArray(list)) this.fail(at, 'APPENDS target is not a list');
          this.changeable(list, at);
          for (let i = mark; i < this.stack.length; i++) list.push(this.stack[i]);
          this.stack.length = mark;
          break;
        }
        case 0x73: { // SETITEM
          const value = this.pop(at);
          const key = this.pop(at);
          this.setItem(this.dictOnTop(at), key, value, at);
          break;
        }
        case 0x75: { // SETITEMS
          const mark = this.marks[this.marks.length - 1];
          if (mark === undefined || mark === 0) this.fail(at, 'no MARK above a dict (corrupt pickle)');
          const dict = this.stack[mark - 1];
          if (dict === null || typeof dict !== 'object' || Array.isArray(dict) || dict instanceof Uint8Array) this.fail(at, 'SETITEMS target is not a dict');
          this.setItemsFromMark(dict, at);
          break;
        }
        case 0x67: // GET
          this.get(this.memoIndexFromLine(at), at);
          break;
        case 0x68: // BINGET
          this.get(data[this.need(1, at)], at);
          break;
        case 0x6a: // LONG_BINGET
          this.get(view.getUint32(this.need(4, at), true), at);
          break;
        case 0x70: // PUT
          this.put(this.memoIndexFromLine(at), at);
          break;
        case 0x71: // BINPUT
          this.put(data[this.need(1, at)], at);
          break;
        case 0x72: // LONG_BINPUT
          this.put(view.getUint32(this.need(4, at), true), at);
          break;
        case 0x94: // MEMOIZE
          this.put(this.memo.length, at);
          break;
        default: {
          const hex = `0x${op.toString(16).padStart(2, '0')}`;
          if (op in CODE_OPCODES) {
            this.fail(at, `opcode ${hex} (${CODE_OPCODES[op]}) is not allowed in a data file: it would construct an object or run code`);
          }
          this.fail(at, `unknown opcode ${hex} (not a pickle, or corrupt)`);
        }
      }
    }
  }

  // Strings are sliced from the buffer by offset: a subarray per string (a Buffer object
  // each) made reading a RefCOCO refs file several times slower.
  private py2Str(n: number, at: number): string {
    const start = this.need(n, at);
    if (isAscii(this.data, start, start + n)) return this.buf.toString('latin1', start, start + n);
    return decodePy2Str(this.data.subarray(start, start + n));
  }

  private utf8(n: number, at: number): string {
    const start = this.need(n, at);
    if (isAscii(this.data, start, start + n)) return this.buf.toString('latin1', start, start + n);
    if (!isUtf8(this.data.subarray(start, start + n))) this.fail(at, 'BINUNICODE text is not valid UTF-8');
    return this.buf.toString('utf8', start, start + n);
  }

  private length32(at: number): number {
    const n = this.view.getInt32(this.need(4, at), true);
    if (n < 0) this.fail(at, `negative length ${n}`);
    return n;
  }

  private length64(at: number): number {
    const n = this.view.getBigUint64(this.need(8, at), true);
    if (n > BigInt(this.data.length)) this.fail(at, `length ${n} is past the end of the file (truncated?)`);
    return Number(n);
  }

  private memoIndexFromLine(at: number): number {
    const text = this.line(at);
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) this.fail(at, `memo key "${text}" is not a non-negative integer`);
    return n;
  }
}

/**
 * Reads one pickled value. `fileName` is only used in error messages, which name the
 * file, the byte offset and the problem.
 */
export function readPickle(data: Uint8Array, fileName: string, onProgress?: ByteProgress): PickleValue {
  const progress = new ProgressTicker(data.byteLength, onProgress);
  const value = new PickleMachine(data, fileName, progress).runGuarded();
  progress.done();
  return value;
}
