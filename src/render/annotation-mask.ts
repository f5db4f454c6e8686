// An annotation's segmentation as masks from the codec, read the way REFER's getMask
// hands it to pycocotools: polygons through frPyObjects, stored RLEs as they are.

import { stringAt } from '../core/columns';
import type { InstancesTables } from '../core/tables';
import { rleFromBbox, rleFromCounts, rleFromPolygon, rleFromString, rleMerge, type Rle } from '../mask';

/** The polygons of annotation row `annRow` as flat [x1, y1, x2, y2, …] lists (RLE parts have none). */
export function annotationPolygons(tables: InstancesTables, annRow: number): Float64Array[] {
  const seg = tables.annotations.segmentation;
  const polygons: Float64Array[] = [];
  for (let p = seg.partStart[annRow]; p < seg.partStart[annRow + 1]; p++) {
    if (seg.partRle[p] < 0) polygons.push(seg.coords.subarray(seg.partCoordStart[p], seg.partCoordStart[p + 1]));
  }
  return polygons;
}

/**
 * One mask per part, each h x w for polygons (the image's size) and its own size for
 * stored RLEs. frPyObjects takes a polygon list whose first entry has 4 numbers as boxes.
 */
export function annotationParts(tables: InstancesTables, annRow: number, h: number, w: number): Rle[] {
  const seg = tables.annotations.segmentation;
  const first = seg.partStart[annRow];
  const boxes = seg.partStart[annRow + 1] > first && seg.partRle[first] < 0 && seg.partCoordStart[first + 1] - seg.partCoordStart[first] === 4;
  const parts: Rle[] = [];
  for (let p = first; p < seg.partStart[annRow + 1]; p++) {
    const coords = seg.coords.subarray(seg.partCoordStart[p], seg.partCoordStart[p + 1]);
    const r = seg.partRle[p];
    if (r < 0) parts.push(boxes && coords.length === 4 ? rleFromBbox(coords, h, w) : rleFromPolygon(coords, h, w));
    else if (coords.length > 0) parts.push(rleFromCounts(coords, seg.rleHeight[r], seg.rleWidth[r]));
    else parts.push(rleFromString(stringAt(seg.rleCounts, r), seg.rleHeight[r], seg.rleWidth[r]));
  }
  return parts;
}

/**
 * The union of the parts (REFER sums them, which is not binary where parts overlap).
 * An annotation without parts gives an empty h x w mask. Parts of different sizes are
 * corrupt data (pycocotools would answer a 0x0 mask): a RangeError, as the codec throws.
 */
export function annotationMask(tables: InstancesTables, annRow: number, h: number, w: number): Rle {
  const parts = annotationParts(tables, annRow, h, w);
  if (parts.length === 0) return { h, w, counts: Uint32Array.of(h * w) };
  const other = parts.findIndex((r) => r.h !== parts[0].h || r.w !== parts[0].w);
  if (other >= 0) throw new RangeError(`segmentation parts differ in size (part 0 is ${parts[0].h}x${parts[0].w}, part ${other} is ${parts[other].h}x${parts[other].w})`);
  return rleMerge(parts);
}
