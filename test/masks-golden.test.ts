// Masks from the store (src/core/masks.ts) against every golden getMask answer of the seven
// pairs: the union of the ref's parts as pycocotools merges it, its area, box and pixels.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { annotationParts, computeAnnotationMask, MaskCache, refMask } from '../src/core/masks';
import { rleArea, rleDecode, rleToBbox, rleToString } from '../src/mask';

const golden = path.join(__dirname, 'fixtures/golden');
const catalog = loadCatalog({ dataRoot: path.join(golden, 'data'), cacheDir: null });

interface MaskAnswer {
  ref_id: number;
  ann_id: number | string;
  height: number;
  width: number;
  area: number;
  mask_bin_md5: string;
  rle_union_merge: string;
  union_area: number;
  union_bbox: number[];
}

const PAIRS = ['refcoco_unc', 'refcoco_google', 'refcoco+_unc', 'refcocog_google', 'refcocog_umd', 'refclef_unc', 'refclef_berkeley'];

describe.each(PAIRS)('%s: Ref masks', (name) => {
  const cut = name.lastIndexOf('_');
  const store = catalog.get(name.slice(0, cut), name.slice(cut + 1));
  const answers = (JSON.parse(fs.readFileSync(path.join(golden, `answers/${name}.json`), 'utf8')) as { masks: MaskAnswer[] }).masks;
  const cache = new MaskCache();

  it('has sampled refs to check', () => {
    expect(answers.length).toBeGreaterThanOrEqual(50);
  });

  it.each(answers.map((m) => [m.ref_id, m] as const))('ref %s', (refId, m) => {
    const refRow = store.refRow(refId);
    const rle = refMask(store, refRow, cache);
    expect([rle.h, rle.w]).toEqual([m.height, m.width]);
    expect(rleToString(rle)).toBe(m.rle_union_merge);
    expect(rleArea(rle)).toBe(m.union_area);
    expect(rleToBbox(rle)).toEqual(m.union_bbox);
    expect(createHash('md5').update(rleDecode(rle)).digest('hex')).toBe(m.mask_bin_md5);
    // REFER's `area`: the parts' areas summed (overlaps twice), where we give the union's.
    expect(annotationParts(store, store.refs.annRow[refRow]).reduce((s, r) => s + rleArea(r), 0)).toBe(m.area);
    // The cached mask is the one computed afresh.
    expect(refMask(store, refRow, cache)).toBe(rle);
    expect(rleToString(computeAnnotationMask(store, store.refs.annRow[refRow]))).toBe(m.rle_union_merge);
  });
});
