// An annotation's polygons, for drawing their outlines (its mask comes from core/masks).

import type { InstancesTables } from '../core/store/tables';

/** The polygons of annotation row `annRow` as flat [x1, y1, x2, y2, …] lists (RLE parts have none). */
export function annotationPolygons(tables: InstancesTables, annRow: number): Float64Array[] {
  const seg = tables.annotations.segmentation;
  const polygons: Float64Array[] = [];
  for (let p = seg.partStart[annRow]; p < seg.partStart[annRow + 1]; p++) {
    if (seg.partRle[p] < 0) polygons.push(seg.coords.subarray(seg.partCoordStart[p], seg.partCoordStart[p + 1]));
  }
  return polygons;
}
