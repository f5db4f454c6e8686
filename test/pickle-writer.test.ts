import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPickle, type PickleValue } from '../src/core/read/pickle';
import { PICKLE_FLAVOURS, PickleFloat, PickleText, writePickle, type Picklable, type PickleFlavour } from '../src/sample/pickle-writer';

const GOLDEN = join(__dirname, 'fixtures/golden/data');

function roundTrip(value: Picklable, flavour: PickleFlavour): PickleValue {
  return readPickle(writePickle(value, { flavour }), `test.${flavour}`);
}

/** What each flavour must bring back through the project's reader. */
const TEXTS = ['', 'plain', "it's", 'say "hi"', `both ' and "`, 'back\\slash', 'new\nline', 'tab\there',
  'bell\u0007', 'del\u007f', 'crème brûlée', 'man’s', 'emoji 😀', 'x'.repeat(300), 'é'.repeat(200), 'V', 'S'];
const INTS = [0, 1, 255, 256, 65535, 65536, -1, -256, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 40, -(2 ** 40),
  Number.MAX_SAFE_INTEGER];

describe.each(PICKLE_FLAVOURS)('writePickle flavour %s', (flavour) => {
  test('text round-trips, ASCII and not', () => {
    expect(roundTrip(TEXTS, flavour)).toEqual(TEXTS);
  });

  test('integers of every width round-trip', () => {
    expect(roundTrip(INTS, flavour)).toEqual(INTS);
    const big = [2n ** 63n, -(2n ** 70n), 2n ** 64n + 5n];
    expect(roundTrip(big, flavour)).toEqual(big);
  });

  test('floats, booleans and None round-trip', () => {
    // An integral number is an int; PickleFloat makes it a float.
    const value = [0.5, -1.25, 1e-5, new PickleFloat(1e20), 0.1 + 0.2, new PickleFloat(354), true, false, null];
    expect(roundTrip(value, flavour)).toEqual([0.5, -1.25, 1e-5, 1e20, 0.1 + 0.2, 354, true, false, null]);
  });

  test('nested lists and dicts round-trip, in key order', () => {
    const value = { sent_ids: [1, 2], tokens: ['a', 'b'], nested: { empty: [], none: {}, one: [7] }, z: 'last', a: 'first' };
    const back = roundTrip(value, flavour) as Record<string, PickleValue>;
    expect(back).toEqual(value);
    expect(Object.keys(back)).toEqual(['sent_ids', 'tokens', 'nested', 'z', 'a']);
  });

  test('long lists and dicts cross the 1000-item batches', () => {
    for (const n of [999, 1000, 1001, 2500]) {
      const list = Array.from({ length: n }, (_, i) => i);
      expect(roundTrip(list, flavour)).toEqual(list);
      const dict = Object.fromEntries(list.map((i) => [`k${i}`, i]));
      expect(roundTrip(dict, flavour)).toEqual(dict);
    }
  });

  test('Map keys may be numbers', () => {
    const back = roundTrip(new Map<string | number, Picklable>([[3, 'three'], ['four', 4]]), flavour);
    expect(back).toEqual({ 3: 'three', four: 4 });
  });

  test('repeated keys, interned values and PickleText come back equal after memo reuse (past 256 memo ids)', () => {
    const shared = new PickleText('same object');
    const records = Array.from({ length: 400 }, (_, i) => ({ split: i % 2 ? 'train' : 'val', token: shared, n: i }));
    const bytes = writePickle(records, { flavour, internedValues: ['train', 'val'] });
    expect(readPickle(bytes, 'memo')).toEqual(records.map((r) => ({ ...r, token: 'same object' })));
    // 400 dicts + the list exceed 256 memo ids: keys, splits and the text are written once each.
    const once = (text: string) => bytes.toString('latin1').split(text).length - 1;
    expect(once('split')).toBe(1);
    expect(once('train')).toBe(1);
    expect(once('same object')).toBe(1);
  });
});

describe('writePickle opcodes', () => {
  test('py3 is byte for byte what CPython 3 pickle.dumps(value, 2) writes', () => {
    // python3 -c "import pickle; print(pickle.dumps(v, 2).hex())" for the same value.
    const value: Picklable = [{ sent_ids: [1, 2], ref: { x: [] } }, 'crème', 'man’s', 'ééé', [], {}, [7], 0.5, -1.25,
      1e-5, new PickleFloat(1e20), new PickleFloat(354), true, false, null, 2 ** 40, -(2 ** 40), -3];
    const expected =
      '80025d7100287d710128580800000073656e745f69647371025d7103284b014b0265580300000072656671047d710558010000007871065d' +
      '7107737558060000006372c3a86d65710858070000006d616ee280997371095806000000c3a9c3a9c3a9710a5d710b7d710c5d710d4b07' +
      '61473fe000000000000047bff4000000000000473ee4f8b588e368f1474415af1d78b58c4047407620000000000088894e8a06000000000001' +
      '8a060000000000ff4afdffffff652e';
    expect(writePickle(value, { flavour: 'py3' }).toString('hex')).toBe(expected);
  });

  test('py3 memo: interned keys are fetched with BINGET, and LONG_BINPUT/LONG_BINGET past id 255', () => {
    expect(writePickle([{ k: 1 }, { k: 2 }], { flavour: 'py3' }).toString('latin1')).toBe(
      '\x80\x02]q\x00(}q\x01X\x01\x00\x00\x00kq\x02K\x01s}q\x03h\x02K\x02se.',
    );
    const value = [...Array.from({ length: 300 }, (_, i) => `${i}x`), 'train', 'train'];
    const expected = 'r,\x01\x00\x00X\x05\x00\x00\x00trainr-\x01\x00\x00j-\x01\x00\x00e.';
    const bytes = writePickle(value, { flavour: 'py3', internedValues: ['train'] });
    expect(bytes.subarray(-expected.length).toString('latin1')).toBe(expected);
  });

  test('dicts of exactly 1000 items end with an empty batch, as the C picklers write them', () => {
    const dict = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
    expect(writePickle(dict, { flavour: 'py3' }).subarray(-4).toString('latin1')).toBe('u(u.');
    const list = Array.from({ length: 1001 }, (_, i) => i);
    expect(writePickle(list, { flavour: 'py3' }).subarray(-7).toString('latin1')).toBe('e(M\xe8\x03e.');
  });

  test('py2-binstring: ASCII as SHORT_BINSTRING/BINSTRING, other text as BINUNICODE', () => {
    const bytes = writePickle(['abc', 'crème', 'y'.repeat(256)], { flavour: 'py2-binstring' });
    expect(bytes.toString('latin1')).toBe(
      `\x80\x02]q\x00(U\x03abcq\x01X\x06\x00\x00\x00cr\xc3\xa8meq\x02T\x00\x01\x00\x00${'y'.repeat(256)}q\x03e.`,
    );
  });

  test('py2-utf8-str: every text a py2 str of UTF-8 bytes', () => {
    const bytes = writePickle(['abc', 'crème'], { flavour: 'py2-utf8-str' });
    expect(bytes.toString('latin1')).toBe('\x80\x02]q\x00(U\x03abcq\x01U\x06cr\xc3\xa8meq\x02e.');
  });

  test('protocol0: S repr strings, V raw-unicode-escape, I/F numbers, p/g memo', () => {
    const value: Picklable = [{ a: 1, b: "it's" }, { a: 2.5 }, 'crème\\ 😀\n', 'tab\t\x01', true];
    expect(writePickle(value, { flavour: 'protocol0' }).toString('latin1')).toBe(
      "(lp0\n(dp1\nS'a'\np2\nI1\nsS'b'\np3\nS\"it's\"\np4\nsa(dp5\ng2\nF2.5\nsa" +
        'Vcr\xe8me\\u005c \\U0001f600\\u000a\np6\n' + "aS'tab\\t\\x01'\np7\naI01\na.",
    );
  });
});

describe('writePickle reproduces the golden refs files byte for byte', () => {
  /** The golden files' one-token sentences share one object between `tokens` and `sent`. */
  function withJoinIdentity(refs: PickleValue): Picklable {
    for (const ref of refs as Record<string, PickleValue>[]) {
      for (const s of ref.sentences as Record<string, PickleValue>[]) {
        const tokens = s.tokens as PickleValue[];
        if (tokens.length === 1) {
          const text = new PickleText(tokens[0] as string);
          tokens[0] = text as unknown as PickleValue;
          s.sent = text as unknown as PickleValue;
        }
      }
    }
    return refs as Picklable;
  }

  test.each([
    ['refclef/refs(unc).p', 'protocol0', 'all'],
    ['refcocog/refs(umd).p', 'py2-utf8-str', 'interned'],
    ['refcocog/refs(google).p', 'py2-utf8-str', 'interned'],
  ] as const)('%s (%s)', (file, flavour, shareStrings) => {
    const golden = readFileSync(join(GOLDEN, file));
    const refs = withJoinIdentity(readPickle(golden, file));
    const written = writePickle(refs, { flavour, shareStrings, internedValues: ['train', 'val', 'test', 'testA', 'testB', 'testC'] });
    expect(written.equals(golden)).toBe(true);
  });
});
