// The catalog: one pair's failure of any kind stays that pair's; data roots sharing a
// cache dir keep their own compiled indexes; a pair whose compiled index was rewritten
// under the server is reloaded whole, off the request path, and swapped in.

import { cpSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalog, dataRootKey, loadCatalog, type LoadedPair, type LogLevel } from '../src/core/catalog';
import { StaleIndexError } from '../src/core/errors';
import * as instancesReader from '../src/core/read/instances';
import type { ReferStore } from '../src/core/store/store';
import { gql, testApp } from './api-helpers';

const GOLDEN = join(__dirname, 'fixtures/golden/data');
let root: string;
let logs: [LogLevel, string][];
const log = (level: LogLevel, message: string) => logs.push([level, message]);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'refer-catalog-'));
  logs = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function dataRoot(name: string): string {
  const dir = join(root, name);
  cpSync(GOLDEN, dir, { recursive: true });
  return dir;
}

/** Makes the polygons of a store's instances throw as a rewritten compiled index does. */
function makeStale(store: ReferStore): void {
  Object.defineProperty(store.instances.tables.annotations.segmentation, 'coords', {
    configurable: true,
    get: () => {
      throw new StaleIndexError('compiled index refcoco.instances.idx: section annotations.segmentation.coords is from another build');
    },
  });
}

const MASK_OF_REF_3 = '{ dataset(name: "refcoco", splitBy: "unc") { ref(refId: 3) { refId mask { area } } } }';

describe('a failing pair', () => {
  it.each([
    ['a RangeError', () => new RangeError('Invalid typed array length: -1')],
    ['a stack overflow', () => new RangeError('Maximum call stack size exceeded')],
    ['a TypeError', () => new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('fails alone on %s from its reader, logged with its name', (_kind, failure) => {
    const real = instancesReader.readInstances;
    const reader = jest.spyOn(instancesReader, 'readInstances').mockImplementation((bytes, label) => {
      if (label.startsWith('refcoco/')) throw failure();
      return real(bytes, label);
    });
    try {
      const catalog = loadCatalog({ dataRoot: GOLDEN, cacheDir: null, log });
      expect(catalog.failures.map((f) => f.pair).sort()).toEqual(['refcoco/google', 'refcoco/unc']);
      expect(catalog.failures[0].error).toContain(failure().message);
      expect(catalog.stores.has('refclef/unc')).toBe(true);
      expect(logs.filter(([level]) => level === 'error').map(([, m]) => m.split(':')[0]).sort()).toEqual(['refcoco/google', 'refcoco/unc']);
      expect(() => catalog.get('refcoco', 'unc')).toThrow(/refcoco\/unc failed to load: unexpected RangeError|refcoco\/unc failed to load: unexpected TypeError/);
    } finally {
      reader.mockRestore();
    }
  });
});

describe('a cache dir shared by two data roots', () => {
  it('keeps each root its own compiled indexes, so neither rebuilds the other', () => {
    const cacheDir = join(root, 'shared-cache');
    const [a, b] = [dataRoot('a'), dataRoot('b')];
    const load = (dir: string) => loadCatalog({ dataRoot: dir, datasets: ['refcoco/unc'], cacheDir, log });
    load(a);
    load(b);
    expect(readdirSync(cacheDir).sort()).toEqual([dataRootKey(a), dataRootKey(b)].sort());
    logs = [];
    expect(load(a).origins.get('refcoco/unc')).toEqual({ instances: 'compiled index', refs: 'compiled index' });
    expect(load(b).origins.get('refcoco/unc')).toEqual({ instances: 'compiled index', refs: 'compiled index' });
    expect(logs).toEqual([]);
  });
});

describe('Catalog.reload', () => {
  it('swaps in a freshly loaded store after the request that saw the stale index failed', async () => {
    const stale = loadCatalog({ dataRoot: GOLDEN, datasets: ['refcoco/unc'], cacheDir: null }).get('refcoco', 'unc');
    makeStale(stale);
    const fresh = loadCatalog({ dataRoot: GOLDEN, datasets: ['refcoco/unc'], cacheDir: null }).get('refcoco', 'unc');
    const loader = jest.fn((): LoadedPair => ({ store: fresh, origins: { instances: 'data file', refs: 'data file' }, indexFiles: new Map() }));
    const catalog = new Catalog(GOLDEN, new Map([['refcoco/unc', stale]]), [], new Map(), loader, log);
    const yoga = testApp({}, catalog);

    const failed = await gql(yoga, MASK_OF_REF_3);
    expect(failed.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/from another build/), extensions: { code: 'DATA_RELOADING' } });
    expect(failed.body.data.dataset.ref.mask).toBeNull();

    const reload = catalog.reload('refcoco/unc');
    expect(catalog.reload('refcoco/unc')).toBe(reload); // one reload at a time
    expect(catalog.get('refcoco', 'unc')).toBe(stale); // still answering until the swap
    expect(loader).not.toHaveBeenCalled(); // not on the caller's path
    await reload;
    expect(loader).toHaveBeenCalledTimes(1);
    expect(catalog.get('refcoco', 'unc')).toBe(fresh);
    const answered = await gql(yoga, MASK_OF_REF_3);
    expect(answered.body.errors).toBeUndefined();
    expect(answered.body.data.dataset.ref.mask.area).toBeGreaterThan(0);
  });

  it('keeps the old store, and says so, when the reload itself fails', async () => {
    const store = loadCatalog({ dataRoot: GOLDEN, datasets: ['refcoco/unc'], cacheDir: null }).get('refcoco', 'unc');
    const loader = () => {
      throw new StaleIndexError('compiled index refcoco.instances.idx: rewritten again while reloading');
    };
    const catalog = new Catalog(GOLDEN, new Map([['refcoco/unc', store]]), [], new Map(), loader, log);
    await catalog.reload('refcoco/unc');
    expect(catalog.get('refcoco', 'unc')).toBe(store);
    expect(logs).toEqual([['error', expect.stringMatching(/^refcoco\/unc: reload failed, still serving the data loaded before: compiled index .*rewritten again/)]]);
  });

  it('is started by a request that meets a stale index, for the pairs whose index files changed', async () => {
    const data = dataRoot('data');
    const cacheDir = join(root, 'cache');
    loadCatalog({ dataRoot: data, datasets: ['refcoco/unc', 'refclef/unc'], cacheDir });
    const catalog = loadCatalog({ dataRoot: data, datasets: ['refcoco/unc', 'refclef/unc'], cacheDir, log });
    const [refcoco, refclef] = [catalog.get('refcoco', 'unc'), catalog.get('refclef', 'unc')];
    makeStale(refcoco);
    // Another process rewrites refcoco's instances index.
    const index = join(cacheDir, dataRootKey(data), 'refcoco.instances.idx');
    utimesSync(index, new Date(), new Date(Date.now() + 5000));

    const yoga = testApp({}, catalog);
    const failed = await gql(yoga, MASK_OF_REF_3);
    expect(failed.body.errors?.[0].extensions?.code).toBe('DATA_RELOADING');
    await catalog.pendingReloads;
    expect(catalog.get('refcoco', 'unc')).not.toBe(refcoco);
    expect(catalog.get('refclef', 'unc')).toBe(refclef); // its files did not change
    expect(logs.some(([level, m]) => level === 'warn' && /^refcoco\/unc: .*from another build; reloading the pair/.test(m))).toBe(true);
    const answered = await gql(yoga, MASK_OF_REF_3);
    expect(answered.body.errors).toBeUndefined();
  });
});
