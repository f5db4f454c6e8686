import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataRootKey, defaultCacheDir, loadCatalog, type LogLevel } from '../src/core/catalog';
import { StaleIndexError } from '../src/core/errors';
import { FORMAT_VERSION, readCompiledIndex, writeCompiledIndex } from '../src/core/read/compiled-index';
import { currentFingerprint, fingerprintFile, RACY_MS, stampSources } from '../src/core/read/compiled-index-sources';

const GOLDEN = join(__dirname, 'fixtures/golden/data');
let root: string;
let cacheDir: string;
let logs: [LogLevel, string][];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'refer-cache-'));
  cpSync(GOLDEN, join(root, 'data'), { recursive: true });
  cacheDir = join(root, 'cache');
  logs = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Where the catalog keeps this data root's indexes in the given cache dir. */
const indexDir = () => join(cacheDir, dataRootKey(join(root, 'data')));
const load = () => loadCatalog({ dataRoot: join(root, 'data'), datasets: ['refcoco/unc', 'refcoco/google'], cacheDir, log: (level, m) => logs.push([level, m]) });

describe('compiled index', () => {
  it('is written on the first load and used on the next, with identical answers', () => {
    const first = load();
    expect(first.origins.get('refcoco/unc')).toEqual({ instances: 'data file', refs: 'data file' });
    expect(readdirSync(indexDir()).sort()).toEqual(['refcoco.instances.idx', 'refcoco_google.refs.idx', 'refcoco_unc.refs.idx']);
    const second = load();
    expect(second.origins.get('refcoco/unc')).toEqual({ instances: 'compiled index', refs: 'compiled index' });
    expect(second.origins.get('refcoco/google')).toEqual({ instances: 'compiled index', refs: 'compiled index' });
    const a = first.get('refcoco', 'unc');
    const b = second.get('refcoco', 'unc');
    expect(b.loadRefs(b.getRefIds())).toEqual(a.loadRefs(a.getRefIds()));
    expect(b.loadAnns(b.getAnnIds())).toEqual(a.loadAnns(a.getAnnIds()));
    expect(b.loadImgs(b.getImgIds())).toEqual(a.loadImgs(a.getImgIds()));
    expect(logs).toEqual([]);
  });

  it('is rebuilt when the refs file changes, even with the same size and mtime', () => {
    load();
    const refs = join(root, 'data/refcoco/refs(unc).p');
    const st = statSync(refs);
    const bytes = readFileSync(refs);
    // Swap two split labels of equal length ("testA" → "testB") in place.
    const at = bytes.indexOf('testA');
    bytes.write('testB', at, 'latin1');
    writeFileSync(refs, bytes);
    utimesSync(refs, st.atime, st.mtime);
    const catalog = load();
    expect(catalog.origins.get('refcoco/unc')!.refs).toBe('data file');
    expect(logs.some(([level, m]) => level === 'info' && /refcoco_unc\.refs\.idx is out of date/.test(m))).toBe(true);
  });

  it('is rebuilt when instances.json changes, and so are the refs that point into it', () => {
    load();
    const file = join(root, 'data/refcoco/instances.json');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n');
    const catalog = load();
    expect(catalog.origins.get('refcoco/unc')).toEqual({ instances: 'data file', refs: 'data file' });
  });

  /** Flips one byte at `at(file bytes)`. */
  const flipByte = (at: (b: Buffer) => number) => (f: string) => {
    const b = readFileSync(f);
    b[at(b)] ^= 0xff;
    writeFileSync(f, b);
  };
  /** The first section's first byte: right after the header and the manifest, 8-aligned. */
  const firstSection = (b: Buffer) => Math.ceil((32 + b.readUInt32LE(12)) / 8) * 8;

  it.each([
    // The last section is the polygon coordinates, read on first use: that use finds the
    // damage, and the rows come from a rebuild (the pair's origin stays the index).
    ['a flipped byte in a section read on first use', flipByte((b) => b.length - 3), /section annotations\.segmentation\.coords: checksum mismatch/, 'compiled index'],
    ['a flipped byte in a section read at load', flipByte(firstSection), /section \d+ checksum mismatch/, 'data file'],
    ['truncation', (f: string) => truncateSync(f, statSync(f).size - 100), /truncated/, 'data file'],
    ['garbage', (f: string) => writeFileSync(f, 'hello'), /not a compiled index/, 'data file'],
  ])('a cache damaged by %s is reported once, rebuilt, and never trusted', (_name, damage, reason, origin) => {
    const good = load().get('refcoco', 'unc').loadAnns([load().get('refcoco', 'unc').getAnnIds()[0]]);
    damage(join(indexDir(), 'refcoco.instances.idx'));
    logs = [];
    const catalog = load();
    expect(catalog.origins.get('refcoco/unc')!.instances).toBe(origin);
    expect(catalog.get('refcoco', 'unc').loadAnns([catalog.get('refcoco', 'unc').getAnnIds()[0]])).toEqual(good);
    const warnings = logs.filter(([level]) => level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0][1]).toMatch(reason);
    expect(warnings[0][1]).toMatch(/refcoco\.instances\.idx is corrupt .* rebuilding it/);
    logs = [];
    const again = load();
    expect(again.origins.get('refcoco/unc')!.instances).toBe('compiled index');
    expect(again.get('refcoco', 'unc').loadAnns([again.get('refcoco', 'unc').getAnnIds()[0]])).toEqual(good);
    expect(logs).toEqual([]);
  });

  it('round-trips NaN, ±Infinity, -0, undefined in arrays and long strings, one-byte or not', () => {
    const file = join(root, 'x.idx');
    const long = (c: string) => c.repeat(70_000);
    const tree = { special: [NaN, Infinity, -Infinity, -0, undefined, 0, null], nested: { nan: NaN }, latin1: long('é'), utf8: long('ü€'), ascii: long('a') };
    writeCompiledIndex(file, 'test', 'fp', tree);
    const read = readCompiledIndex<typeof tree>(file, 'test', 'fp');
    expect(read.ok && read.tree).toEqual(tree);
    expect(read.ok && Object.is(read.tree.special[3], -0)).toBe(true);
    expect(read.ok && read.tree.special.length).toBe(7);
  });

  it('leaves no temporary files and replaces the old file atomically', () => {
    load();
    load();
    expect(readdirSync(indexDir()).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('round-trips typed arrays, strings, nested objects and records the format version', () => {
    const file = join(root, 'x.idx');
    const tree = { a: new Float64Array([1.5, NaN, -0]), b: { c: new Int32Array([1, -2]), d: ['x', 'ü'] }, e: new Uint8Array([255]), s: 'text' };
    writeCompiledIndex(file, 'test', 'fp1', tree);
    const read = readCompiledIndex<typeof tree>(file, 'test', 'fp1');
    expect(read.ok && read.tree).toEqual(tree);
    expect(read.ok && read.tree.b.c).toBeInstanceOf(Int32Array);
    expect(readCompiledIndex(file, 'test', 'fp2')).toMatchObject({ ok: false, reason: 'stale' });
    expect(readCompiledIndex(file, 'other', 'fp1')).toMatchObject({ ok: false, reason: 'corrupt' });
    expect(readCompiledIndex(join(root, 'none.idx'), 'test', 'fp1')).toMatchObject({ ok: false, reason: 'missing' });
    const b = readFileSync(file);
    b.writeUInt32LE(FORMAT_VERSION + 1, 8);
    writeFileSync(file, b);
    expect(readCompiledIndex(file, 'test', 'fp1')).toMatchObject({ ok: false, reason: 'stale', detail: expect.stringMatching(/format version/) });
  });

  it('goes on without a cache when the cache dir cannot be written', () => {
    writeFileSync(join(root, 'blocker'), '');
    const catalog = loadCatalog({ dataRoot: join(root, 'data'), datasets: ['refcoco/unc'], cacheDir: join(root, 'blocker', 'cache'), log: (level, m) => logs.push([level, m]) });
    expect(catalog.stores.has('refcoco/unc')).toBe(true);
    expect(logs.some(([level, m]) => level === 'warn' && /could not write compiled index/.test(m))).toBe(true);
    expect(existsSync(join(root, 'blocker', 'cache'))).toBe(false);
  });
});

describe('source stamps', () => {
  const refsFile = () => join(root, 'data/refcoco/refs(unc).p');
  const sources = () => [{ path: refsFile(), hashWhole: true }];
  /** A stamp as if taken long after the file's last write (a fresh copy is racy). */
  const settledStamp = () => {
    const [stamp] = stampSources(sources());
    return { ...stamp, stampedAt: stamp.stampedAt + RACY_MS + 1000 };
  };

  it('stand for the file while stat() says the same: the recorded fingerprint, no hash', () => {
    const stamp = { ...settledStamp(), fingerprint: 'recorded' };
    expect(currentFingerprint(sources(), [stamp])).toBe('recorded');
  });

  it('are re-hashed after a write that keeps size and mtime (ctime moves)', () => {
    const stamp = { ...settledStamp(), fingerprint: 'recorded' };
    const st = statSync(refsFile());
    writeFileSync(refsFile(), readFileSync(refsFile()));
    utimesSync(refsFile(), st.atime, st.mtime);
    expect(currentFingerprint(sources(), [stamp])).toBe(fingerprintFile(refsFile(), true));
  });

  it('are re-hashed when the file was replaced by a copy with the same times', () => {
    const stamp = { ...settledStamp(), fingerprint: 'recorded' };
    const copy = `${refsFile()}.copy`;
    cpSync(refsFile(), copy, { preserveTimestamps: true });
    rmSync(refsFile());
    cpSync(copy, refsFile(), { preserveTimestamps: true });
    expect(currentFingerprint(sources(), [stamp])).toBe(fingerprintFile(refsFile(), true));
  });

  it('are never trusted when taken within the racy window of a write, nor when missing or malformed', () => {
    const [racy] = stampSources(sources());
    const fresh = fingerprintFile(refsFile(), true);
    expect(currentFingerprint(sources(), [{ ...racy, fingerprint: 'recorded' }])).toBe(fresh);
    expect(currentFingerprint(sources(), undefined)).toBe(fresh);
    expect(currentFingerprint(sources(), [{ fingerprint: 'recorded' }])).toBe(fresh);
    expect(currentFingerprint(sources(), 'garbage')).toBe(fresh);
  });

  it('are what a compiled index is checked against: the same files load it, a changed one is stale', () => {
    const file = join(root, 'x.idx');
    writeCompiledIndex(file, 'test', stampSources(sources()), { a: new Int32Array([1]) });
    expect(readCompiledIndex(file, 'test', sources())).toMatchObject({ ok: true });
    const bytes = readFileSync(refsFile());
    bytes[bytes.length - 2] ^= 1;
    writeFileSync(refsFile(), bytes);
    expect(readCompiledIndex(file, 'test', sources())).toMatchObject({ ok: false, reason: 'stale' });
  });
});

describe('lazy sections', () => {
  const big = () => Float64Array.from({ length: 4096 }, (_, i) => i / 7);

  it('are read on first access only, and their damage goes to the failure handler', () => {
    const file = join(root, 'lazy.idx');
    writeCompiledIndex(file, 'test', 'fp', { small: new Int32Array([1, 2, 3]), nested: { coords: big() } }, 1024);
    const failures: [string[], string][] = [];
    const fresh = readCompiledIndex<{ small: Int32Array; nested: { coords: Float64Array } }>(file, 'test', 'fp');
    expect(fresh.ok && Array.from(fresh.tree.nested.coords.subarray(0, 3))).toEqual([0, 1 / 7, 2 / 7]);

    const b = readFileSync(file);
    b[b.length - 10] ^= 0x01; // inside the lazy section, which is last in the file
    writeFileSync(file, b);
    const read = readCompiledIndex<{ small: Int32Array; nested: { coords: Float64Array } }>(file, 'test', 'fp', (keyPath, detail) => {
      failures.push([keyPath, detail]);
      return new Float64Array([42]);
    });
    expect(read.ok).toBe(true); // the eager part is intact
    expect(read.ok && Array.from(read.tree.small)).toEqual([1, 2, 3]);
    expect(failures).toEqual([]);
    expect(read.ok && Array.from(read.tree.nested.coords)).toEqual([42]);
    expect(failures).toEqual([[['nested', 'coords'], 'section nested.coords: checksum mismatch']]);
    expect(read.ok && read.tree.nested.coords[0]).toBe(42); // settled: not read again
    expect(failures).toHaveLength(1);
  });

  it('come from the build the tree was loaded from when a new build is renamed over the file', () => {
    const file = join(root, 'lazy.idx');
    writeCompiledIndex(file, 'test', 'fp', { offsets: new Int32Array([0, 4096]), coords: big() }, 1024);
    const read = readCompiledIndex<{ offsets: Int32Array; coords: Float64Array }>(file, 'test', 'fp', () => {
      throw new Error('no rebuild expected');
    });
    writeCompiledIndex(file, 'test', 'fp', { offsets: new Int32Array([0, 2]), coords: big().reverse() }, 1024);
    expect(read.ok && Array.from(read.tree.coords)).toEqual(Array.from(big()));
  });

  it('are a StaleIndexError, never served, once the file is rewritten in place by another build', () => {
    const file = join(root, 'lazy.idx');
    writeCompiledIndex(file, 'test', 'fp', { coords: big() }, 1024);
    const failures: string[] = [];
    const read = readCompiledIndex<{ coords: Float64Array }>(file, 'test', 'fp', (_keyPath, detail) => failures.push(detail));
    writeCompiledIndex(join(root, 'other.idx'), 'test', 'fp', { coords: big().reverse() }, 1024);
    writeFileSync(file, readFileSync(join(root, 'other.idx'))); // same size, same layout, new bytes
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(() => read.ok && read.tree.coords).toThrow(StaleIndexError);
    }
    expect(() => read.ok && read.tree.coords).toThrow(/compiled index .*lazy\.idx: section coords belongs to another build/);
    expect(failures).toEqual([]);
  });
});

describe('default cache dir', () => {
  it('is beside the data when that folder is writable', () => {
    expect(defaultCacheDir(join(root, 'data'))).toBe(join(root, 'data', '.refer-cache'));
  });

  it("falls back to the user's cache dir when the data folder cannot take one", () => {
    // A file where the cache folder would go makes the data folder unusable for it, as a
    // read-only mount does (root may write anywhere, so permissions cannot show it here).
    writeFileSync(join(root, 'data', '.refer-cache'), '');
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(root, 'xdg');
    try {
      const dir = defaultCacheDir(join(root, 'data'));
      expect(dir.startsWith(join(root, 'xdg', 'refer-graphql') + '/')).toBe(true);
      expect(defaultCacheDir(join(root, 'data'))).toBe(dir); // stable per data root
      const catalog = loadCatalog({ dataRoot: join(root, 'data'), datasets: ['refcoco/unc'] });
      expect(catalog.stores.has('refcoco/unc')).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(['refcoco.instances.idx', 'refcoco_unc.refs.idx']);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
