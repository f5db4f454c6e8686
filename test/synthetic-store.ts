/**
 * A store built in memory, for tests that need a shape no data file of the fixtures has:
 * many refs, or one image of a crafted size. One category (1, "person"), one image (id 7)
 * of `height` x `width` with one annotation (id 70) of a triangle, and refs 1..`refs`
 * all pointing at it, without sentences.
 */
import { Catalog } from '../src/core/catalog';
import { stringColumn } from '../src/core/store/columns';
import { InstancesIndex, ReferStore } from '../src/core/store/store';
import type { InstancesTables, RefTables } from '../src/core/store/tables';

export interface SyntheticShape {
  refs: number;
  height: number;
  width: number;
}

export function syntheticStore({ refs: count, height, width }: SyntheticShape): ReferStore {
  const triangle = Float64Array.of(0, 0, width / 2, height / 2, 0, height / 2);
  const instances: InstancesTables = {
    categories: { id: Int32Array.of(1), name: ['person'], supercategory: ['person'] },
    images: { id: Float64Array.of(7), fileName: stringColumn(['a.jpg']), height: Int32Array.of(height), width: Int32Array.of(width) },
    annotations: {
      id: Float64Array.of(70),
      imageRow: Int32Array.of(0),
      categoryId: Int32Array.of(1),
      bbox: Float64Array.of(0, 0, width / 2, height / 2),
      area: Float64Array.of((width * height) / 8),
      segmentation: {
        partStart: Uint32Array.of(0, 1),
        partCoordStart: Uint32Array.of(0, triangle.length),
        coords: triangle,
        partRle: Int32Array.of(-1),
        rleCounts: stringColumn([]),
        rleHeight: new Int32Array(0),
        rleWidth: new Int32Array(0),
        isDict: Uint8Array.of(0),
      },
    },
    warnings: [],
  };
  const refs: RefTables = {
    refId: Float64Array.from({ length: count }, (_, i) => i + 1),
    annRow: new Int32Array(count),
    imageRow: new Int32Array(count),
    categoryId: new Int32Array(count).fill(1),
    split: new Uint8Array(count),
    splitNames: ['train'],
    sentStart: new Uint32Array(count + 1),
    sentId: new Float64Array(0),
    raw: stringColumn([]),
    sent: stringColumn([]),
    tokenExceptions: {},
    warnings: [],
  };
  return new ReferStore('refcoco', 'unc', new InstancesIndex(instances), refs);
}

/** A catalog serving only that store, as refcoco/unc. */
export function syntheticCatalog(shape: SyntheticShape): Catalog {
  return new Catalog('/nowhere', new Map([['refcoco/unc', syntheticStore(shape)]]), []);
}
