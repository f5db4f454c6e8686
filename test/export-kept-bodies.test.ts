/**
 * The kept data.jsonl?segmentation=omit bodies: produced once, gzipped once per body
 * (the second gzip request compresses nothing), within one byte budget, produced in
 * slices that let other work run, and kept on disk beside the compiled indexes so that a
 * fresh server reads the body instead of producing it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { loadCatalog, type Catalog } from '../src/core/catalog';
import { dataBodyChunks } from '../src/core/export/data-body';
import { dataBodyFile, readDataBodyFile, writeDataBodyFile, writeDataBodyFiles } from '../src/core/export/data-body-file';
import type { ReferStore } from '../src/core/store/store';
import { KeptBodies, type BodyFiles, type Compress } from '../src/http/export-kept-bodies';
import { GOLDEN_DATA, goldenCatalog, testApp } from './api-helpers';

const store = () => goldenCatalog().get('refcoco', 'unc');
const clef = () => goldenCatalog().get('refclef', 'unc');

/** dataBodyChunks of a store, counting how often a body was produced. */
function counted(s: ReferStore) {
  const counter = { produced: 0, chunks: () => (counter.produced++, dataBodyChunks(s, { segmentation: false })) };
  return counter;
}

function wholeBody(s: ReferStore): Buffer {
  const parts: Buffer[] = [];
  const it = dataBodyChunks(s, { segmentation: false });
  for (let next = it.next(); !next.done; next = it.next()) parts.push(next.value);
  return Buffer.concat(parts);
}

/** A Compress that gzips and counts its calls. */
function countingGzip() {
  const calls: string[] = [];
  const compress: Compress = async (body, encoding) => {
    calls.push(encoding);
    return gzipSync(body);
  };
  return { calls, compress };
}

describe('KeptBodies', () => {
  it('produces a body once, for concurrent and later requests alike', async () => {
    const kept = new KeptBodies(64 * 2 ** 20);
    const c = counted(store());
    const [a, b] = await Promise.all([kept.body(store(), c.chunks), kept.body(store(), c.chunks)]);
    const later = await kept.body(store(), c.chunks);
    expect(c.produced).toBe(1);
    expect(b).toBe(a);
    expect(later).toBe(a);
    expect(a.equals(wholeBody(store()))).toBe(true);
  });

  it('gzips a kept body once: the second request does not compress, and the bytes decode to the body', async () => {
    const { calls, compress } = countingGzip();
    const kept = new KeptBodies(64 * 2 ** 20, { compress });
    const c = counted(store());
    const [first, concurrent] = await Promise.all([kept.encoded(store(), 'gzip', c.chunks), kept.encoded(store(), 'gzip', c.chunks)]);
    const second = await kept.encoded(store(), 'gzip', c.chunks);
    expect(calls).toEqual(['gzip']);
    expect(concurrent).toBe(first);
    expect(second).toBe(first);
    expect(gunzipSync(second).equals(await kept.body(store(), c.chunks))).toBe(true);
    expect(c.produced).toBe(1);
  });

  it('stays within its byte budget: the least recently used body goes first, then the current one keeps its body over its gzip', async () => {
    const coco = wholeBody(store()).byteLength;
    const refclef = wholeBody(clef()).byteLength;
    const { calls, compress } = countingGzip();
    // Room for either body with its gzip, not for both bodies.
    const budget = Math.max(coco, refclef) + Math.min(coco, refclef) / 2;
    const kept = new KeptBodies(budget, { compress });
    const cocoCount = counted(store());
    const clefCount = counted(clef());
    await kept.body(store(), cocoCount.chunks);
    await kept.body(clef(), clefCount.chunks);
    await kept.body(store(), cocoCount.chunks);
    expect(cocoCount.produced).toBe(2);
    expect(clefCount.produced).toBe(1);
    // A budget that holds the body but not its gzip as well: the gzip is not kept.
    const tight = new KeptBodies(coco + 10, { compress });
    const tightCount = counted(store());
    await tight.encoded(store(), 'gzip', tightCount.chunks);
    await new Promise((resolve) => setImmediate(resolve));
    await tight.encoded(store(), 'gzip', tightCount.chunks);
    expect(calls.length).toBe(2);
    expect(tightCount.produced).toBe(1);
  });

  it('lets other work run between slices while it produces a long body', async () => {
    const kept = new KeptBodies(64 * 2 ** 20);
    const spin = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    // 40 chunks of 5 ms each: 200 ms of work on the event loop, which must not run in one go.
    function* slow(): Generator<Buffer> {
      for (let i = 0; i < 40; i++) {
        spin(5);
        yield Buffer.from(`${i}\n`);
      }
    }
    let turns = 0;
    let done = false;
    const tick = () => {
      if (done) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const body = await kept.body(store(), () => slow());
    done = true;
    expect(body.toString().split('\n').length).toBe(41);
    expect(turns).toBeGreaterThanOrEqual(3);
  });
});

describe('data.jsonl bodies on disk beside the compiled indexes', () => {
  let cacheDir: string;
  let catalog: Catalog;
  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'refer-export-cache-'));
    catalog = loadCatalog({ dataRoot: GOLDEN_DATA, cacheDir, datasets: ['refcoco/unc', 'refclef/unc'] });
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  const files = (): BodyFiles => ({ path: (s) => dataBodyFile(catalog, s), read: readDataBodyFile, write: writeDataBodyFile });
  const bodyFiles = () => readdirSync(join(cacheDir, readdirSync(cacheDir)[0])).filter((n) => n.includes('.data-omit.'));

  it('has no body file without compiled indexes', () => {
    expect(dataBodyFile(goldenCatalog(), store())).toBeUndefined();
  });

  it('writes the body a server produced, and a fresh server reads it instead of producing it', async () => {
    const s = catalog.get('refcoco', 'unc');
    const path = dataBodyFile(catalog, s)!;
    expect(path).toMatch(/refcoco_unc\.data-omit\.[0-9a-f]{16}\.jsonl$/);
    const first = counted(s);
    const body = await new KeptBodies(64 * 2 ** 20, { files: files() }).body(s, first.chunks);
    expect(first.produced).toBe(1);
    // The write runs after the answer; wait for the file to appear.
    for (let i = 0; i < 200 && !bodyFiles().includes(path.split('/').pop()!); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(readFileSync(path).equals(body)).toBe(true);
    const fresh = counted(s);
    const again = await new KeptBodies(64 * 2 ** 20, { files: files() }).body(s, fresh.chunks);
    expect(fresh.produced).toBe(0);
    expect(again.equals(body)).toBe(true);
  });

  it('ignores a body file that is cut short, and produces the body', async () => {
    const s = catalog.get('refcoco', 'unc');
    const path = dataBodyFile(catalog, s)!;
    writeFileSync(path, wholeBody(s));
    truncateSync(path, 1000);
    const c = counted(s);
    const body = await new KeptBodies(64 * 2 ** 20, { files: files() }).body(s, c.chunks);
    expect(c.produced).toBe(1);
    expect(body.equals(wholeBody(s))).toBe(true);
  });

  it('build-index writes one body per REFER pair, none again when current, and a new one (removing the old) after an index is replaced', () => {
    for (const n of bodyFiles()) rmSync(join(cacheDir, readdirSync(cacheDir)[0], n));
    const warnings: string[] = [];
    writeDataBodyFiles(catalog, (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    expect(bodyFiles().sort()).toEqual([dataBodyFile(catalog, catalog.get('refclef', 'unc'))!, dataBodyFile(catalog, catalog.get('refcoco', 'unc'))!].map((p) => p.split('/').pop()).sort());
    const path = dataBodyFile(catalog, catalog.get('refcoco', 'unc'))!;
    expect(readFileSync(path).equals(wholeBody(catalog.get('refcoco', 'unc')))).toBe(true);
    const writtenAt = statSync(path).mtimeMs;
    utimesSync(path, new Date(0), new Date(0));
    writeDataBodyFiles(catalog, (m) => warnings.push(m));
    expect(statSync(path).mtimeMs).toBe(0);
    expect(writtenAt).toBeGreaterThan(0);

    // A replaced index: a catalog loaded afterwards names another body file.
    const indexDir = join(cacheDir, readdirSync(cacheDir)[0]);
    utimesSync(join(indexDir, 'refcoco_unc.refs.idx'), new Date(), new Date(Date.now() + 5000));
    const reloaded = loadCatalog({ dataRoot: GOLDEN_DATA, cacheDir, datasets: ['refcoco/unc'] });
    const newPath = dataBodyFile(reloaded, reloaded.get('refcoco', 'unc'))!;
    expect(newPath).not.toBe(path);
    writeDataBodyFiles(reloaded, (m) => warnings.push(m));
    expect(bodyFiles()).toContain(newPath.split('/').pop());
    expect(bodyFiles()).not.toContain(path.split('/').pop());
  });
});

describe('GET data.jsonl?segmentation=omit with gzip', () => {
  it('answers the same gzip bytes each time, which decode to the identity body', async () => {
    const yoga = testApp();
    const get = async (headers: Record<string, string>) => {
      const r = await yoga.fetch('http://localhost/export/refcoco/unc/data.jsonl?segmentation=omit', { headers });
      return { encoding: r.headers.get('content-encoding'), body: Buffer.from(await r.arrayBuffer()) };
    };
    const plain = await get({});
    const one = await get({ 'accept-encoding': 'gzip' });
    const two = await get({ 'accept-encoding': 'gzip, br' });
    expect(plain.encoding).toBeNull();
    expect(one.encoding).toBe('gzip');
    expect(two.body.equals(one.body)).toBe(true);
    expect(gunzipSync(one.body).equals(plain.body)).toBe(true);
  });
});
