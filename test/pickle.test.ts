import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../src/core/errors';
import { readPickle } from '../src/core/read/pickle';

const DATA = join(__dirname, 'fixtures/golden/data');
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('readPickle on the golden files', () => {
  it.each([
    ['refcoco/refs(unc).p', 'protocol 2, py2 str as SHORT_BINSTRING'],
    ['refcoco+/refs(unc).p', 'protocol 2, BINUNICODE'],
    ['refcocog/refs(umd).p', 'protocol 2, UTF-8 bytes in py2 str'],
    ['refclef/refs(unc).p', 'protocol 0 text'],
    ['refclef/refs(berkeley).p', 'protocol 2'],
  ])('reads %s (%s) as a list of ref dicts', (file) => {
    const refs = readPickle(readFileSync(join(DATA, file)), file) as Record<string, unknown>[];
    expect(Array.isArray(refs)).toBe(true);
    expect(refs.length).toBeGreaterThan(90);
    for (const ref of refs) {
      expect(typeof ref.ref_id).toBe('number');
      expect(Array.isArray(ref.sentences)).toBe(true);
    }
  });

  it('decodes UTF-8 held in py2 str and in protocol-0 unicode', () => {
    const cocog = readPickle(readFileSync(join(DATA, 'refcocog/refs(umd).p')), 'x') as { sentences: { raw: string }[] }[];
    const raws = cocog.flatMap((r) => r.sentences.map((s) => s.raw));
    expect(raws.some((r) => r.includes('résumé'))).toBe(true);
    const clef = readPickle(readFileSync(join(DATA, 'refclef/refs(unc).p')), 'x') as { sentences: { raw: string }[] }[];
    expect(clef.flatMap((r) => r.sentences.map((s) => s.raw)).some((r) => r.includes('man’s'))).toBe(true);
  });
});

describe('readPickle opcodes', () => {
  it('reads protocol-0 scalars, escapes and memo', () => {
    // [1, True, 2.5, 'a\'b\\n\xe9', u'\u20ac', <memo 1 again>, 123456789012345678901L]
    const p = bytes("(lp0\nI1\naI01\naF2.5\naS'a\\'b\\\\n\\xc3\\xa9'\np1\naV\\u20ac\nag1\naL123456789012345678901L\na.");
    expect(readPickle(p, 't.p')).toEqual([1, true, 2.5, "a'b\\né", '€', "a'b\\né", 123456789012345678901n]);
  });

  it('falls back to latin-1 for py2 str bytes that are not UTF-8', () => {
    expect(readPickle(bytes([0x80, 2, 0x55, 2, 0xe9, 0x74, 0x2e]), 't.p')).toBe('ét');
  });

  it('reads binary ints, floats, tuples, dicts, None, bools and bytes', () => {
    const p = bytes(
      [0x80, 4, 0x7d, 0x28], // PROTO 4, EMPTY_DICT, MARK
      [0x8c, 1], 'a', [0x4a, 0xff, 0xff, 0xff, 0xff], // 'a': -1
      [0x8c, 1], 'b', [0x8a, 2, 0x00, 0x01], // 'b': 256 (LONG1)
      [0x8c, 1], 'c', [0x47, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18], // 'c': pi
      [0x8c, 1], 'd', [0x4b, 1, 0x4b, 2, 0x86], // 'd': (1, 2)
      [0x8c, 1], 'e', [0x4e, 0x88, 0x89, 0x87], // 'e': (None, True, False)
      [0x8c, 1], 'f', [0x43, 2, 0x61, 0x62], // 'f': b'ab'
      [0x75, 0x2e],
    );
    expect(readPickle(p, 't.p')).toEqual({ a: -1, b: 256, c: Math.PI, d: [1, 2], e: [null, true, false], f: new Uint8Array([0x61, 0x62]) });
  });

  it('keeps "__proto__" as a plain key', () => {
    const dict = readPickle(bytes([0x80, 2, 0x7d, 0x58, 9, 0, 0, 0], '__proto__', [0x4b, 7, 0x73, 0x2e]), 't.p') as Record<string, unknown>;
    expect(Object.getPrototypeOf(dict)).toBe(Object.prototype);
    expect(Object.keys(dict)).toEqual(['__proto__']);
    expect(dict['__proto__']).toBe(7);
  });
});

describe('readPickle refuses code and corrupt data', () => {
  it.each([
    ['GLOBAL + REDUCE (os.system)', bytes([0x80, 2], 'cos\nsystem\n', [0x58, 2, 0, 0, 0], 'ls', [0x85, 0x52, 0x2e]), /byte 2: opcode 0x63 \(GLOBAL\) is not allowed in a data file/],
    ['STACK_GLOBAL', bytes([0x80, 4, 0x8c, 2], 'os', [0x8c, 6], 'system', [0x93, 0x2e]), /opcode 0x93 \(STACK_GLOBAL\) is not allowed/],
    ['INST', bytes('(ios\nsystem\n.'), /opcode 0x69 \(INST\) is not allowed/],
    ['BUILD', bytes([0x80, 2, 0x7d, 0x7d, 0x62, 0x2e]), /opcode 0x62 \(BUILD\) is not allowed/],
    ['NEWOBJ', bytes([0x80, 2, 0x4e, 0x29, 0x81, 0x2e]), /opcode 0x81 \(NEWOBJ\) is not allowed/],
    ['PERSID', bytes('Pfoo\n.'), /opcode 0x50 \(PERSID\) is not allowed/],
  ])('refuses %s', (_name, data, message) => {
    expect(() => readPickle(data, 'refs(unc).p')).toThrow(DataError);
    expect(() => readPickle(data, 'refs(unc).p')).toThrow(message);
  });

  it('reports a truncated file with its name and offset', () => {
    const whole = readFileSync(join(DATA, 'refcoco/refs(unc).p'));
    for (const cut of [1, 100, 5000, whole.length - 1]) {
      expect(() => readPickle(whole.subarray(0, cut), 'refcoco/refs(unc).p')).toThrow(/^refcoco\/refs\(unc\)\.p: byte \d+: (unexpected end of data|.*corrupt)/);
    }
  });

  it('reports garbage as an unknown opcode, never hangs', () => {
    expect(() => readPickle(Buffer.from('{"this is": "json"}'), 'refs(unc).p')).toThrow(/refs\(unc\)\.p: byte 0: unknown opcode 0x7b|byte \d+:/);
    let seed = 42;
    for (let trial = 0; trial < 200; trial++) {
      const junk = Buffer.alloc(64, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
      try {
        readPickle(junk, 'junk.p');
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
      }
    }
  });

  it('rejects a memo reference that was never stored, and a STOP with leftovers', () => {
    expect(() => readPickle(bytes([0x80, 2, 0x68, 5, 0x2e]), 'x.p')).toThrow(/memo key 5 was never stored/);
    expect(() => readPickle(bytes([0x80, 2, 0x4b, 1, 0x4b, 2, 0x2e]), 'x.p')).toThrow(/STOP with 2 values/);
  });
});
