/**
 * Seeded fuzzing of the three readers with truncations, byte flips and crafted
 * fragments: every case must end in a DataError naming the file, or in a parse (and a
 * compiled index that parses must give back exactly what was written). The per-case
 * bound is a hang check, not a speed claim.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../src/core/errors';
import { readCompiledIndex, writeCompiledIndex } from '../src/core/read/compiled-index';
import { readInstances } from '../src/core/read/instances';
import { parseRefs } from '../src/core/read/refs';
import { Random } from '../src/sample/random';

const GOLDEN = join(__dirname, 'fixtures/golden/data');
const CASES = 150;
const CASE_BOUND_MS = 5_000;

type Damage = (bytes: Buffer, rand: Random) => Buffer;

const truncate: Damage = (bytes, rand) => bytes.subarray(0, rand.int(bytes.length));
const flip: Damage = (bytes, rand) => {
  const out = Buffer.from(bytes);
  for (let k = rand.range(1, 4); k > 0; k--) out[rand.int(out.length)] = rand.int(256);
  return out;
};
/** A run of bytes from elsewhere in the file pasted over a random place: keeps tokens. */
const splice: Damage = (bytes, rand) => {
  const out = Buffer.from(bytes);
  const length = rand.range(1, 64);
  bytes.copy(out, rand.int(out.length), rand.int(bytes.length), Math.min(bytes.length, rand.int(bytes.length) + length));
  return out;
};
const DAMAGES: [string, Damage][] = [['truncation', truncate], ['byte flip', flip], ['splice', splice]];

/** Runs `read` on the damaged bytes: a value, or a DataError whose message names `file`. */
function expectCleanOutcome(file: string, read: () => unknown): 'parsed' | 'refused' {
  const started = performance.now();
  let outcome: 'parsed' | 'refused' = 'parsed';
  try {
    read();
  } catch (e) {
    if (!(e instanceof DataError)) throw new Error(`${file}: not a DataError: ${(e as Error).stack}`);
    expect(e.message).toContain(file);
    outcome = 'refused';
  }
  expect(performance.now() - started).toBeLessThan(CASE_BOUND_MS);
  return outcome;
}

describe.each(DAMAGES)('fuzz: %s', (name, damage) => {
  it('of refs pickles: a DataError naming the file, or a parse', () => {
    const rand = Random.stream(9, `pickle ${name}`);
    const sources = ['refclef/refs(unc).p', 'refcoco/refs(google).p', 'refcocog/refs(umd).p'].map((f) => [f, readFileSync(join(GOLDEN, f))] as const);
    const outcomes = { parsed: 0, refused: 0 };
    for (let i = 0; i < CASES; i++) {
      const [file, bytes] = sources[i % sources.length];
      const damaged = damage(bytes, rand);
      outcomes[expectCleanOutcome(file, () => parseRefs(damaged, file))]++;
    }
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('of instances.json: a DataError naming the file, or a parse', () => {
    const rand = Random.stream(9, `instances ${name}`);
    const file = 'refcoco/instances.json';
    const bytes = readFileSync(join(GOLDEN, file));
    const outcomes = { parsed: 0, refused: 0 };
    for (let i = 0; i < CASES / 3; i++) outcomes[expectCleanOutcome(file, () => readInstances(damage(bytes, rand), file))]++;
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('of compiled indexes: refused as corrupt, or read back exactly as written', () => {
    const rand = Random.stream(9, `compiled ${name}`);
    const dir = mkdtempSync(join(tmpdir(), 'refer-fuzz-'));
    try {
      const tables = readInstances(readFileSync(join(GOLDEN, 'refcoco/instances.json')), 'refcoco/instances.json');
      const good = join(dir, 'good.idx');
      // A low lazy threshold, so that the polygon coordinates are a lazily read section.
      writeCompiledIndex(good, 'instances refcoco', 'fp', tables, 4096);
      const bytes = readFileSync(good);
      const path = join(dir, 'damaged.idx');
      let corrupt = 0;
      for (let i = 0; i < CASES / 3; i++) {
        writeFileSync(path, damage(bytes, rand));
        const started = performance.now();
        const read = readCompiledIndex<typeof tables>(path, 'instances refcoco', 'fp');
        if (!read.ok) {
          expect(read.reason).toBe('corrupt');
          corrupt++;
        } else {
          // The eager part checked out; a damaged lazy section throws on first use.
          try {
            expect(read.tree).toEqual(tables);
          } catch (e) {
            if (!(e instanceof DataError)) throw e;
            expect(e.message).toMatch(/^compiled index .*damaged\.idx: section [\w.]+: checksum mismatch$/);
            corrupt++;
          }
        }
        expect(performance.now() - started).toBeLessThan(CASE_BOUND_MS);
      }
      expect(corrupt).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fuzz: crafted pickle fragments', () => {
  // Opcode fragments an attacker would try, stitched in random order into a pickle.
  const FRAGMENTS = [
    '(', ']', '}', ')', 'l', 't', 'd', 'a', 'e', 's', 'u', '0', '1', '2', '.', 'N', '\x88',
    'I1e5\n', 'I01\n', 'I99999999999999999999999\n', 'L123L\n', 'F1e400\n', 'Fnan\n',
    'V\\U7fffffff\n', 'V\\u00e9\n', "S'a\\x4'\n", 'S"ok"\n', 'p0\n', 'g0\n', 'g99\n', 'q\x00', 'h\x00', 'h\x07',
    'K\x05', 'M\xff\xff', 'J\xff\xff\xff\x7f', '\x8a\x02\x00\x80', '\x8b\xff\xff\xff\x7f', 'X\xff\xff\xff\x7fab',
    '\x8c\x03abc', '\x8d\xff\xff\xff\xff\xff\xff\xff\xff', 'c__builtin__\neval\n', 'R', '\x93', '\x95\x00\x00\x00\x00\x00\x00\x00\x00',
  ];

  it('never crash, never hang: a DataError naming the file, or a value', () => {
    const rand = Random.stream(9, 'pickle fragments');
    const outcomes = { parsed: 0, refused: 0 };
    for (let i = 0; i < 3000; i++) {
      let text = '\x80\x02';
      for (let k = rand.range(1, 12); k > 0; k--) text += FRAGMENTS[rand.int(FRAGMENTS.length)];
      const bytes = Buffer.from(text, 'latin1');
      outcomes[expectCleanOutcome('crafted.p', () => parseRefs(bytes, 'crafted.p'))]++;
    }
    expect(outcomes.refused).toBeGreaterThan(2000);
  });
});
