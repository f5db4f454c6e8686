/**
 * One test per reader defect of issue 9 (crafted files, not random damage): each failed
 * on the code before the fix (a RangeError, a hang, a wrong value, an unnamed file).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { DataError } from '../src/core/errors';
import { readCompiledIndex } from '../src/core/read/compiled-index';
import { fingerprintFile } from '../src/core/read/compiled-index-sources';
import { readInstances } from '../src/core/read/instances';
import { readPickle } from '../src/core/read/pickle';
import { parseRefs } from '../src/core/read/refs';

const GOLDEN = join(__dirname, 'fixtures/golden/data');
const HANG_BOUND_MS = 30_000;

const bytes = (...parts: (string | number[] | Uint8Array)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

function dataErrorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw new Error(`expected a DataError, got ${(e as Error).name}: ${(e as Error).message}`);
  }
  throw new Error('expected a DataError, got a value');
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const image = (id: number, extra: object = {}) => ({ id, file_name: `${id}.jpg`, height: 10, width: 10, ...extra });
const annotation = (id: number, extra: object = {}) => ({ id, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], segmentation: [[0, 0, 1, 0, 1, 1]], ...extra });
const instances = (images: object[], annotations: object[] | string) =>
  typeof annotations === 'string'
    ? Buffer.from(`{"images": ${JSON.stringify(images)}, "annotations": ${annotations}, "categories": [{"id": 1, "name": "c"}]}`)
    : json({ images, annotations, categories: [{ id: 1, name: 'c' }] });

describe('pickle reader: crafted files', () => {
  it('refuses a \\U escape past U+10FFFF with a DataError naming the file and offset', () => {
    const e = dataErrorOf(() => readPickle(bytes('(V\\U7fffffff\nl.'), 'refs(unc).p'));
    expect(e.message).toMatch(/^refs\(unc\)\.p: byte 1: UNICODE escape \\U7fffffff is past U\+10FFFF/);
    expect(readPickle(bytes('V\\U0001f600\n.'), 'x')).toBe('😀');
  });

  it('decodes a 1 MB LONG4 in linear time (hang bound 30 s)', () => {
    const n = 1 << 20;
    const body = new Uint8Array(n).fill(0x11);
    body[n - 1] = 0x01; // positive
    const length = Buffer.alloc(4);
    length.writeInt32LE(n);
    const value = readPickle(bytes([0x80, 2, 0x8b], length, body, '.'), 'x') as bigint;
    expect(typeof value).toBe('bigint');
    expect(value.toString(16)).toBe(`1${'11'.repeat(n - 1)}`);
    expect(readPickle(bytes([0x8a, 2, 0x00, 0x80], '.'), 'x')).toBe(-32768); // LONG1, negative
  }, HANG_BOUND_MS);

  it("parses protocol-0 INT, LONG and FLOAT as CPython's unpickler does", () => {
    const int = (text: string) => readPickle(bytes(`I${text}\n.`), 'f.p');
    const long = (text: string) => readPickle(bytes(`L${text}\n.`), 'f.p');
    const float = (text: string) => readPickle(bytes(`F${text}\n.`), 'f.p');
    expect([int('12'), int(' 12'), int('-7'), int('0x1f'), int('010'), int('1_000'), int('0o17'), int('01'), int('00')]).toEqual([12, 12, -7, 31, 8, 1000, 15, true, false]);
    expect(int('99999999999999999999')).toBe(99999999999999999999n);
    expect([long('12L'), long('-12'), long('0x10L'), long(`1${'0'.repeat(30)}L`)]).toEqual([12, -12, 16, 10n ** 30n]);
    expect([float('1.5'), float('-0.25'), float('1e3'), float('inf'), float('-Infinity')]).toEqual([1.5, -0.25, 1000, Infinity, -Infinity]);
    expect(float('nan')).toBeNaN();
    for (const bad of [() => int('1e5'), () => int('1.5'), () => int(''), () => int('08'), () => long('010L'), () => long('1__0'), () => float('1_0'), () => float(' 1.5'), () => float('0x10'), () => float('1e400')]) {
      expect(dataErrorOf(bad).message).toMatch(/^f\.p: byte 0: /);
    }
    expect(dataErrorOf(() => long('9'.repeat(4301))).message).toMatch(/longer than Python's limit of 4300/);
  });

  it('refuses a pickle bomb of one big list shared by memo references, with a clear error', () => {
    // 10k sentences whose tokens are all one memoized 10k-token list: 460 KB, 100M values.
    const tokens = bytes(']q\x00(', Array(10_000).fill(bytes('X\x01\x00\x00\x00a')).reduce((a, b) => Buffer.concat([a, b])), 'e');
    const sentence = bytes('}(X\x07\x00\x00\x00sent_idK\x01X\x03\x00\x00\x00rawX\x01\x00\x00\x00aX\x04\x00\x00\x00sentX\x01\x00\x00\x00aX\x06\x00\x00\x00tokensh\x00u');
    const ref = bytes('}(X\x06\x00\x00\x00ref_idK\x01X\x06\x00\x00\x00ann_idK\x01X\x08\x00\x00\x00image_idK\x01X\x0b\x00\x00\x00category_idK\x01X\x05\x00\x00\x00splitX\x05\x00\x00\x00trainX\x09\x00\x00\x00sentences](');
    const file = bytes([0x80, 2], '](', ref, tokens, Buffer.concat(Array(10_000).fill(sentence)), 'eue.');
    const e = dataErrorOf(() => parseRefs(file, 'refs(unc).p'));
    expect(e.message).toMatch(/^refs\(unc\)\.p: byte \d+: memo references expand to more than \d+ values .*pickle bomb/);
  }, HANG_BOUND_MS);

  it('refuses a change to a list after a memo reference to it (the size already counted would be wrong)', () => {
    // l = []; memo it; take a reference; then append to l
    const e = dataErrorOf(() => readPickle(bytes(']p0\ng0\n0I1\na.'), 'f.p'));
    expect(e.message).toMatch(/^f\.p: byte \d+: a list or dict is changed after a memo reference/);
  });

  it('still reads every real REFER refs file of the fixtures', () => {
    for (const [dataset, file] of [['refclef', 'refs(unc).p'], ['refcoco', 'refs(google).p'], ['refcoco+', 'refs(unc).p'], ['refcocog', 'refs(umd).p']]) {
      expect(parseRefs(readFileSync(join(GOLDEN, dataset, file)), file).refId.length).toBeGreaterThan(0);
    }
  });
});

describe('instances reader: crafted files', () => {
  it('refuses JSON nested 100,000 levels deep with a DataError, not a stack overflow', () => {
    const nest = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const asImages = Buffer.from(`{"images": ${nest}, "annotations": [], "categories": []}`);
    const inArea = instances([image(1)], `[{"id": 5, "area": ${nest}}]`);
    for (const file of [asImages, inArea]) {
      expect(dataErrorOf(() => readInstances(file, 'refcoco/instances.json')).message).toMatch(/^refcoco\/instances\.json: not valid JSON \(byte \d+: nested deeper than 512 levels/);
    }
    // Skipped values are scanned without recursion: a correct parse, the record counted.
    const asAnnotation = readInstances(instances([image(1)], `[${nest}]`), 'i.json');
    expect(asAnnotation.warnings).toEqual([expect.objectContaining({ problem: 'an annotation must be an object', count: 1 })]);
  });

  it('skips an image whose width or height does not fit 32 bits instead of wrapping it negative', () => {
    const t = readInstances(instances([image(1), image(2, { width: 2 ** 31 }), image(3, { height: 2 ** 32 + 5 })], []), 'i.json');
    expect(Array.from(t.images.id)).toEqual([1]);
    expect(t.warnings).toEqual([expect.objectContaining({ problem: 'an image needs integer height and width in [0, 2^31)', count: 2 })]);
    const bigCategory = readInstances(instances([image(1)], [annotation(5, { category_id: 2 ** 32 + 1 })]), 'i.json');
    expect(bigCategory.annotations.id.length).toBe(0);
  });

  it('takes the last of repeated "segmentation" and "bbox" keys, as JSON.parse does', () => {
    const ann = '{"id": 5, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 9, 0, 9, 9]], "bbox": [1, 2, 3, 4], "segmentation": [[1, 1, 2, 1, 2, 2, 1, 2]], "bbox": [5, 6, 7, 8]}';
    const file = instances([image(1)], `[${ann}]`);
    const t = readInstances(file, 'i.json');
    const parsed = JSON.parse(file.toString()).annotations[0];
    expect(Array.from(t.annotations.segmentation.coords)).toEqual(parsed.segmentation.flat());
    expect(Array.from(t.annotations.bbox)).toEqual(parsed.bbox);
    expect(Array.from(t.annotations.segmentation.partStart)).toEqual([0, 1]);
  });

  it('skips a UTF-8 byte-order mark and names UTF-16 files', () => {
    const plain = instances([image(1)], [annotation(5)]);
    expect(readInstances(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]), 'i.json')).toEqual(readInstances(plain, 'i.json'));
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(plain.toString(), 'utf16le')]);
    expect(dataErrorOf(() => readInstances(utf16, 'refcoco/instances.json')).message).toBe('refcoco/instances.json: starts with a UTF-16 byte-order mark; save it as UTF-8');
    const noBom = Buffer.from(plain.toString(), 'utf16le');
    expect(dataErrorOf(() => readInstances(noBom, 'i.json')).message).toMatch(/UTF-16 or UTF-32 text\?\); save it as UTF-8/);
  });
});

describe('files that are not regular files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'refer-defects-'));
    cpSync(GOLDEN, join(dir, 'data'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a FIFO in place of instances.json or of a cache file at once instead of blocking', () => {
    const fifo = join(dir, 'data/refcoco/instances.json');
    unlinkSync(fifo);
    execFileSync('mkfifo', [fifo]);
    expect(dataErrorOf(() => fingerprintFile(fifo, false)).message).toBe(`${fifo}: is a FIFO (named pipe), not a regular file`);
    const cacheFifo = join(dir, 'x.idx');
    execFileSync('mkfifo', [cacheFifo]);
    expect(readCompiledIndex(cacheFifo, 'k', 'f')).toEqual({ ok: false, reason: 'corrupt', detail: `compiled index ${cacheFifo}: is a FIFO (named pipe), not a regular file` });
    const catalog = loadCatalog({ dataRoot: join(dir, 'data'), datasets: ['refcoco/unc', 'refclef/unc'], cacheDir: join(dir, 'cache') });
    expect(catalog.failures).toEqual([{ pair: 'refcoco/unc', error: expect.stringMatching(/refcoco\/instances\.json: is a FIFO/) }]);
    expect([...catalog.stores.keys()]).toEqual(['refclef/unc']);
  }, HANG_BOUND_MS);

  it('refuses a FIFO or a directory in place of a data file without a compiled-index cache too', () => {
    const fifo = join(dir, 'data/refcoco/instances.json');
    unlinkSync(fifo);
    execFileSync('mkfifo', [fifo]);
    const refs = join(dir, 'data/refclef/refs(unc).p');
    unlinkSync(refs);
    mkdirSync(refs);
    const catalog = loadCatalog({ dataRoot: join(dir, 'data'), datasets: ['refcoco/unc', 'refclef/unc', 'refclef/berkeley'], cacheDir: null });
    expect(catalog.failures).toEqual([
      { pair: 'refcoco/unc', error: expect.stringMatching(/refcoco\/instances\.json: is a FIFO/) },
      { pair: 'refclef/unc', error: expect.stringMatching(/refclef\/refs\(unc\)\.p: is a directory, not a regular file$/) },
    ]);
    expect([...catalog.stores.keys()]).toEqual(['refclef/berkeley']);
  }, HANG_BOUND_MS);

  it('names the refs file when a directory stands in its place', () => {
    const refs = join(dir, 'data/refcoco/refs(unc).p');
    unlinkSync(refs);
    mkdirSync(refs);
    const catalog = loadCatalog({ dataRoot: join(dir, 'data'), datasets: ['refcoco/unc', 'refcoco/google'], cacheDir: join(dir, 'cache') });
    expect(catalog.failures).toEqual([{ pair: 'refcoco/unc', error: expect.stringMatching(/refcoco\/refs\(unc\)\.p: is a directory, not a regular file$/) }]);
  });
});
