// The mask cache: a least-recently-used cache within a byte budget, keyed by instances
// table and annotation row; and masks are computed only when asked for, never on load.

import { annotationMask, MaskCache } from '../src/core/masks';
import type { SegmentationTable } from '../src/core/store/tables';
import { goldenCatalog, gql, testApp } from './api-helpers';

const catalog = goldenCatalog();
const refcoco = catalog.get('refcoco', 'unc');

/** Bytes one cached mask of `row` costs, as the cache counts it. */
function costOf(row: number): number {
  const probe = new MaskCache();
  annotationMask(refcoco, row, probe);
  return probe.bytes;
}

describe('MaskCache', () => {
  it('stays within its byte budget, evicting the least recently used masks', () => {
    const budget = costOf(0) + costOf(1) + costOf(2) + costOf(3);
    const cache = new MaskCache(budget);
    for (let row = 0; row < 60; row++) {
      annotationMask(refcoco, row, cache);
      expect(cache.bytes).toBeLessThanOrEqual(budget);
    }
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(60);
    expect(cache.has(refcoco.instances.tables, 59)).toBe(true);
    expect(cache.has(refcoco.instances.tables, 0)).toBe(false);
  });

  it('keeps a mask that was used recently over one that was not', () => {
    const cache = new MaskCache(costOf(0) + costOf(1) + costOf(2));
    const { tables } = refcoco.instances;
    annotationMask(refcoco, 0, cache);
    annotationMask(refcoco, 1, cache);
    annotationMask(refcoco, 2, cache);
    expect(cache.size).toBe(3);
    annotationMask(refcoco, 0, cache); // now 1 is the least recently used
    annotationMask(refcoco, 3, cache);
    expect(cache.has(tables, 0)).toBe(true);
    expect(cache.has(tables, 1)).toBe(false);
    expect(cache.has(tables, 3)).toBe(true);
  });

  it('answers repeated requests from the cache with the same mask', () => {
    const cache = new MaskCache();
    const first = annotationMask(refcoco, 5, cache);
    expect(annotationMask(refcoco, 5, cache)).toBe(first);
    expect([cache.hits, cache.misses, cache.size]).toEqual([1, 1, 1]);
  });

  it('does not cache a mask larger than the whole budget', () => {
    const cache = new MaskCache(costOf(0) - 1);
    annotationMask(refcoco, 0, cache);
    expect([cache.size, cache.bytes]).toEqual([0, 0]);
  });

  it('evicts down to a lowered budget', () => {
    const cache = new MaskCache();
    for (let row = 0; row < 10; row++) annotationMask(refcoco, row, cache);
    cache.maxBytes = costOf(9);
    expect(cache.size).toBe(1);
    expect(cache.has(refcoco.instances.tables, 9)).toBe(true);
    expect(cache.bytes).toBe(costOf(9));
  });

  it('shares entries between the splitBys of a dataset and keeps datasets apart', () => {
    const cache = new MaskCache();
    const google = catalog.get('refcoco', 'google');
    const refclef = catalog.get('refclef', 'unc');
    expect(google.instances).toBe(refcoco.instances);
    const mask = annotationMask(refcoco, 0, cache);
    expect(annotationMask(google, 0, cache)).toBe(mask);
    const other = annotationMask(refclef, 0, cache);
    expect(other).not.toBe(mask);
    const { images, annotations } = refclef.instances.tables;
    expect([other.h, other.w]).toEqual([images.height[annotations.imageRow[0]], images.width[annotations.imageRow[0]]]);
    expect(cache.size).toBe(2);
  });
});

describe('masks are lazy', () => {
  /** Counts reads of the (possibly lazily loaded) polygon coordinates of every loaded dataset. */
  function watchCoords(): { reads: number } {
    const watch = { reads: 0 };
    for (const instances of new Set([...catalog.stores.values()].map((s) => s.instances))) {
      const seg: SegmentationTable = instances.tables.annotations.segmentation;
      const coords = seg.coords;
      Object.defineProperty(seg, 'coords', {
        configurable: true,
        get: () => {
          watch.reads++;
          return coords;
        },
      });
    }
    return watch;
  }

  it('computes no mask and reads no polygon when a catalog loads or answers other queries', async () => {
    // goldenCatalog() above loaded every pair: nothing has asked for a mask yet.
    const maskCache = new MaskCache();
    expect([maskCache.size, maskCache.misses]).toEqual([0, 0]);
    const watch = watchCoords();
    const yoga = testApp({ masks: maskCache });
    const r = await gql(yoga, '{ dataset(name: "refcoco", splitBy: "unc") { refs(first: 20) { edges { node { refId box sentences { sent } annotation { area bbox } } } } } }');
    expect(r.body.errors).toBeUndefined();
    expect([maskCache.size, maskCache.misses, watch.reads]).toEqual([0, 0, 0]);

    const m = await gql(yoga, '{ dataset(name: "refcoco", splitBy: "unc") { ref(refId: 3) { mask { area } } } }');
    expect(m.body.errors).toBeUndefined();
    expect(maskCache.size).toBe(1);
    expect(watch.reads).toBeGreaterThan(0);
  });

  it('is owned by the app: its GraphQL masks and mask PNGs fill its cache, not another app\'s', async () => {
    const mine = new MaskCache();
    const other = new MaskCache();
    const yoga = testApp({ masks: mine });
    testApp({ masks: other });
    const m = await gql(yoga, '{ dataset(name: "refcoco", splitBy: "unc") { ref(refId: 3) { id mask { area } } } }');
    expect(m.body.errors).toBeUndefined();
    expect(mine.size).toBe(1);
    const otherRow = refcoco.referredAnnotation(refcoco.refRow(3)) === 0 ? 1 : 0;
    const annotationId = Buffer.from(`Annotation:refcoco/unc:${refcoco.annId(otherRow)}`).toString('base64');
    // A revalidation: the route computes the mask for its ETag without encoding a PNG
    // (which Jest cannot load; see api-mask-route.test.ts).
    const png = await yoga.fetch(`http://localhost/masks/${encodeURIComponent(annotationId)}.png`, { headers: { 'if-none-match': '*' } });
    expect(png.status).toBe(304);
    expect(mine.size).toBe(2);
    expect([other.size, other.misses]).toEqual([0, 0]);
  });
});
