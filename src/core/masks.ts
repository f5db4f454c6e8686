/**
 * The mask of an annotation (and so of a ref) from the store's segmentation table, through
 * the mask codec. Parts are read as REFER's getMask hands them to pycocotools (polygons
 * through frPyObjects at the image's size, RefClef's RLEs as stored), but the result is
 * their binary union, pycocotools' merge, where getMask sums them.
 *
 * Masks are computed on first request and kept in a bounded LRU keyed by instances table
 * and annotation row, so the splitBys of a dataset share entries and nothing is computed
 * when a catalog loads. The cache is the app's (see src/server.ts), passed in by callers;
 * without one, a mask is computed and not kept.
 */
import { rleFromBbox, rleFromCounts, rleFromPolygon, rleFromString, rleMerge, type Rle } from '../mask';
import { countsTotal } from '../mask/rle';
import { stringAt } from './store/columns';
import { DataError } from './errors';
import type { ReferStore } from './store/store';
import type { InstancesTables } from './store/tables';

export const DEFAULT_MASK_CACHE_BYTES = 128 << 20;

/**
 * Most pixels a mask may have, as for renders (src/render): rasterising a polygon costs
 * time and memory in proportion to its image's pixels, so an image that claims
 * 60000x60000 in instances.json would block the server for seconds per mask and its
 * bitmap would take gigabytes. 50 Mpx is 80 times a COCO image, and takes ~0.2 s.
 */
export const MAX_MASK_PIXELS = 50_000_000;

/** A mask refused by MAX_MASK_PIXELS: the request asked too much, the data is not broken. */
export class MaskTooLargeError extends DataError {}

function checkMaskSize(h: number, w: number, what: () => string): void {
  if (h * w > MAX_MASK_PIXELS) {
    throw new MaskTooLargeError(`${what()} is ${w}x${h} pixels (${h * w}); masks are limited to ${MAX_MASK_PIXELS} pixels (MAX_MASK_PIXELS)`);
  }
}

/** The image an annotation is on, for size errors: "refcoco/unc: annotation 70: image 7". */
function imageLabel(tables: InstancesTables, annRow: number, label: () => string): () => string {
  return () => `${label()}: image ${tables.images.id[tables.annotations.imageRow[annRow]]}`;
}

/** Bytes charged per entry on top of its counts: the Map slot, the Rle and its typed array. */
const ENTRY_OVERHEAD = 160;

/**
 * A least-recently-used cache of masks with a budget in bytes (an entry costs its counts
 * plus ENTRY_OVERHEAD). The 50,000 referred objects of full-scale refcoco/unc take 70 MB
 * (1.4 KB each), so the default 128 MB holds every referred object of a dataset. Cached
 * masks are shared: callers must not modify them.
 */
export class MaskCache {
  private readonly entries = new Map<number, Rle>();
  // Keys are serial * 2**32 + row: exact in a double for 2**21 tables of 2**32 rows.
  private readonly serials = new WeakMap<InstancesTables, number>();
  private nextSerial = 0;
  private usedBytes = 0;
  hits = 0;
  misses = 0;

  constructor(private budget = DEFAULT_MASK_CACHE_BYTES) {}

  get maxBytes(): number {
    return this.budget;
  }

  /** Sets a new budget, evicting the least recently used masks beyond it. */
  set maxBytes(bytes: number) {
    this.budget = bytes;
    this.evict();
  }

  get bytes(): number {
    return this.usedBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get(tables: InstancesTables, row: number): Rle | undefined {
    const key = this.key(tables, row);
    const rle = this.entries.get(key);
    if (rle === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Map iteration follows insertion order: re-inserting makes it the most recent.
    this.entries.delete(key);
    this.entries.set(key, rle);
    return rle;
  }

  set(tables: InstancesTables, row: number, rle: Rle): void {
    const key = this.key(tables, row);
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.usedBytes -= entryBytes(old);
    }
    // A mask larger than the whole budget would only flush the cache.
    if (entryBytes(rle) > this.budget) return;
    this.entries.set(key, rle);
    this.usedBytes += entryBytes(rle);
    this.evict();
  }

  has(tables: InstancesTables, row: number): boolean {
    return this.entries.has(this.key(tables, row));
  }

  clear(): void {
    this.entries.clear();
    this.usedBytes = 0;
    this.hits = 0;
    this.misses = 0;
  }

  private evict(): void {
    for (const [key, rle] of this.entries) {
      if (this.usedBytes <= this.budget) break;
      this.entries.delete(key);
      this.usedBytes -= entryBytes(rle);
    }
  }

  private key(tables: InstancesTables, row: number): number {
    let serial = this.serials.get(tables);
    if (serial === undefined) {
      serial = this.nextSerial++;
      this.serials.set(tables, serial);
    }
    return serial * 0x1_0000_0000 + row;
  }
}

function entryBytes(rle: Rle): number {
  return rle.counts.byteLength + ENTRY_OVERHEAD;
}

function annotationLabel(store: ReferStore, annRow: number): string {
  return `${store.name}: annotation ${JSON.stringify(store.annId(annRow))}`;
}

/** [height, width] of the image an annotation is on: the size of its polygon masks. */
function imageSizeOf(tables: InstancesTables, annRow: number): [number, number] {
  const image = tables.annotations.imageRow[annRow];
  return [tables.images.height[image], tables.images.width[image]];
}

/**
 * One RLE per segmentation part, as frPyObjects reads the segmentation: polygons at the
 * image's size, except that a list whose first part has exactly 4 numbers is a list of
 * boxes (frBbox); stored RLEs (compressed or not) at their own size. `label` names the
 * annotation in errors.
 */
export function segmentationParts(tables: InstancesTables, annRow: number, label: () => string): Rle[] {
  const seg = tables.annotations.segmentation;
  const [h, w] = imageSizeOf(tables, annRow);
  const first = seg.partStart[annRow];
  const end = seg.partStart[annRow + 1];
  const coords = first < end ? seg.coords : undefined; // a lazy section: read only when needed
  const boxes = coords !== undefined && seg.partRle[first] < 0 && seg.partCoordStart[first + 1] - seg.partCoordStart[first] === 4;
  const parts: Rle[] = [];
  for (let p = first; p < end; p++) {
    const xy = coords!.subarray(seg.partCoordStart[p], seg.partCoordStart[p + 1]);
    const r = seg.partRle[p];
    try {
      if (r < 0) {
        checkMaskSize(h, w, imageLabel(tables, annRow, label));
        parts.push(boxes && xy.length === 4 ? rleFromBbox(xy, h, w) : rleFromPolygon(xy, h, w));
        continue;
      }
      const rh = seg.rleHeight[r];
      const rw = seg.rleWidth[r];
      checkMaskSize(rh, rw, () => `${label()}: segmentation part ${p - first}`);
      const rle = xy.length > 0 ? rleFromCounts(xy, rh, rw) : rleFromString(stringAt(seg.rleCounts, r), rh, rw);
      const total = countsTotal(rle.counts);
      if (total !== rh * rw) throw new RangeError(`RLE counts cover ${total} pixels, but its size ${rh}x${rw} has ${rh * rw}`);
      parts.push(rle);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new DataError(`${label()}: segmentation part ${p - first}: ${e.message}`);
    }
  }
  return parts;
}

/**
 * The union of an annotation's parts, computed now (no cache). An annotation without
 * parts gets an empty mask of its image's size; parts of different sizes are an error
 * (pycocotools would silently answer a 0x0 mask).
 */
export function segmentationMask(tables: InstancesTables, annRow: number, label: () => string): Rle {
  const parts = segmentationParts(tables, annRow, label);
  if (parts.length === 0) {
    const [h, w] = imageSizeOf(tables, annRow);
    checkMaskSize(h, w, imageLabel(tables, annRow, label));
    return { h, w, counts: Uint32Array.of(h * w) };
  }
  const { h, w } = parts[0];
  const other = parts.findIndex((r) => r.h !== h || r.w !== w);
  if (other >= 0) {
    throw new DataError(`${label()}: segmentation parts differ in size (part 0 is ${h}x${w}, part ${other} is ${parts[other].h}x${parts[other].w})`);
  }
  return rleMerge(parts);
}

export function annotationParts(store: ReferStore, annRow: number): Rle[] {
  return segmentationParts(store.instances.tables, annRow, () => annotationLabel(store, annRow));
}

export function computeAnnotationMask(store: ReferStore, annRow: number): Rle {
  return segmentationMask(store.instances.tables, annRow, () => annotationLabel(store, annRow));
}

/** The annotation's mask, from the cache or computed (and cached, given a cache). */
export function annotationMask(store: ReferStore, annRow: number, cache?: MaskCache): Rle {
  const { tables } = store.instances;
  let rle = cache?.get(tables, annRow);
  if (rle === undefined) {
    rle = computeAnnotationMask(store, annRow);
    cache?.set(tables, annRow, rle);
  }
  return rle;
}

/** The mask of a ref: the union of its objects' masks (see refMaskOf). */
export function refMask(store: ReferStore, refRow: number, cache?: MaskCache): Rle {
  return refMaskOf(store, refRow, store.maskedAnnotationsOfRef(refRow).map((row) => annotationMask(store, row, cache)));
}

/**
 * A ref's mask from the masks of its objects, in store.maskedAnnotationsOfRef's order: REFER's
 * refs have one; a ref of several has their union, a ref of none an empty mask of its
 * image's size.
 */
export function refMaskOf(store: ReferStore, refRow: number, objectMasks: readonly Rle[]): Rle {
  if (objectMasks.length === 1) return objectMasks[0];
  if (objectMasks.length === 0) {
    const image = store.imageOfRef(refRow);
    const [h, w] = store.imageSize(image);
    checkMaskSize(h, w, () => `${store.name}: ref ${store.refId(refRow)}: image ${store.imageId(image)}`);
    return { h, w, counts: Uint32Array.of(h * w) };
  }
  return rleMerge(objectMasks);
}

/** Masks of several annotations, in order, each a mask or its error (a DataLoader batch). */
export function annotationMasks(store: ReferStore, annRows: readonly number[], cache?: MaskCache): (Rle | Error)[] {
  return annRows.map((row) => {
    try {
      return annotationMask(store, row, cache);
    } catch (e) {
      return e as Error;
    }
  });
}

const largestImages = new WeakMap<ReferStore, number>();

/**
 * Pixels of the largest image of a store (capped at MAX_MASK_PIXELS, beyond which no
 * mask is made), computed once: the cost estimate of a bitmap, which is known before
 * the query runs and so before its image is, charges for that one.
 */
export function largestMaskPixels(store: ReferStore): number {
  let largest = largestImages.get(store);
  if (largest === undefined) {
    largest = 0;
    for (let row = 0, n = store.imageCount; row < n; row++) {
      const [h, w] = store.imageSize(row);
      largest = Math.max(largest, h * w);
    }
    largest = Math.min(largest, MAX_MASK_PIXELS);
    largestImages.set(store, largest);
  }
  return largest;
}
