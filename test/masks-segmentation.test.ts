// How src/core/masks.ts reads segmentations the golden data does not have: boxes (a first
// part of 4 numbers, as pycocotools frPyObjects reads it), no parts, a crowd RLE dict, and
// corrupt RLEs, which are errors naming the annotation rather than wrong masks.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { DataError } from '../src/core/errors';
import { annotationMask, annotationMasks, annotationParts, MaskCache } from '../src/core/masks';
import type { ReferStore } from '../src/core/store/store';
import { rleArea, rleDecode, rleEncode, rleFromBbox, rleFromPolygon, rleMerge, rleToBbox, rleToString } from '../src/mask';
import { writePickle } from '../src/sample/pickle-writer';

const H = 20;
const W = 30;

/** A 10x10 mask: an RLE part whose size is not the image's. */
const small = rleToString(rleEncode(new Uint8Array(100).fill(1), 10, 10));

const SEGMENTATIONS: Record<string, unknown> = {
  boxes: [[2, 3, 5, 4], [10, 10, 3, 3]],
  empty: [],
  crowd: { counts: [5, 10, H * W - 15], size: [H, W] },
  polygonThenBox: [[1, 1, 8, 1, 8, 8, 1, 8], [2, 3, 5, 4]],
  sizes: [{ counts: rleToString({ h: H, w: W, counts: Uint32Array.of(H * W) }), size: [H, W] }, { counts: small, size: [10, 10] }],
  badString: [{ counts: 'zz~', size: [H, W] }],
  shortCounts: { counts: [5, 3], size: [H, W] },
};
const NAMES = Object.keys(SEGMENTATIONS);

let root: string;
let store: ReferStore;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'refer-masks-'));
  fs.mkdirSync(path.join(root, 'refcoco'));
  const annotations = NAMES.map((name, i) => ({
    id: 100 + i,
    image_id: 1,
    category_id: 1,
    bbox: [0, 0, 1, 1],
    area: 1,
    iscrowd: Array.isArray(SEGMENTATIONS[name]) ? 0 : 1,
    segmentation: SEGMENTATIONS[name],
  }));
  const instances = { images: [{ id: 1, file_name: 'a.jpg', height: H, width: W }], categories: [{ id: 1, name: 'thing', supercategory: 'thing' }], annotations };
  fs.writeFileSync(path.join(root, 'refcoco/instances.json'), JSON.stringify(instances));
  const refs = NAMES.map((_, i) => ({
    ref_id: i,
    ann_id: 100 + i,
    image_id: 1,
    category_id: 1,
    split: 'train',
    sent_ids: [i],
    file_name: 'a_1.jpg',
    sentences: [{ sent_id: i, raw: 'it', sent: 'it', tokens: ['it'] }],
  }));
  fs.writeFileSync(path.join(root, 'refcoco/refs(unc).p'), writePickle(refs, { flavour: 'py3' }));
  store = loadCatalog({ dataRoot: root, cacheDir: null }).get('refcoco', 'unc');
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const row = (name: string) => NAMES.indexOf(name);

describe('annotation masks from unusual segmentations', () => {
  it('read a list whose first part has 4 numbers as boxes, as frPyObjects does', () => {
    const mask = annotationMask(store, row('boxes'), new MaskCache());
    expect(rleToString(mask)).toBe(rleToString(rleMerge([rleFromBbox([2, 3, 5, 4], H, W), rleFromBbox([10, 10, 3, 3], H, W)])));
    expect(rleArea(mask)).toBe(5 * 4 + 3 * 3);
  });

  it('read 4 numbers after a polygon as a (degenerate) polygon, as frPyObjects does', () => {
    const parts = annotationParts(store, row('polygonThenBox'));
    expect(parts.map(rleToString)).toEqual([rleToString(rleFromPolygon([1, 1, 8, 1, 8, 8, 1, 8], H, W)), rleToString(rleFromPolygon([2, 3, 5, 4], H, W))]);
  });

  it("give an object without parts an empty mask of its image's size", () => {
    const mask = annotationMask(store, row('empty'), new MaskCache());
    expect([mask.h, mask.w, rleArea(mask)]).toEqual([H, W, 0]);
    expect(rleToBbox(mask)).toEqual([0, 0, 0, 0]);
  });

  it('read a crowd annotation (one RLE dict, uncompressed counts)', () => {
    const mask = annotationMask(store, row('crowd'), new MaskCache());
    expect(Array.from(mask.counts)).toEqual([5, 10, H * W - 15]);
    expect(rleDecode(mask, 'column').subarray(0, 16)).toEqual(Uint8Array.of(0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0));
  });

  it.each([
    ['sizes', /refcoco\/unc: annotation 104: segmentation parts differ in size \(part 0 is 20x30, part 1 is 10x10\)/],
    ['badString', /refcoco\/unc: annotation 105: segmentation part 0: rleFromString: character "z" at 0 is outside the RLE alphabet/],
    ['shortCounts', /refcoco\/unc: annotation 106: segmentation part 0: RLE counts cover 8 pixels, but its size 20x30 has 600/],
  ])('refuse corrupt segmentation (%s) with a DataError naming the annotation', (name, message) => {
    expect(() => annotationMask(store, row(name), new MaskCache())).toThrow(DataError);
    expect(() => annotationMask(store, row(name), new MaskCache())).toThrow(message);
  });

  it('answer a batch with a mask or an error per row, in order', () => {
    const batch = annotationMasks(store, [row('boxes'), row('badString'), row('empty')], new MaskCache());
    expect(batch.map((m) => (m instanceof Error ? 'error' : rleArea(m)))).toEqual([29, 'error', 0]);
  });
});
