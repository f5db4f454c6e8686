/**
 * G_REFER's queries (ReLA's grefer.py) as pure functions over gRefCOCO's tables, with
 * the fixes the golden README asks for: an unknown or ref-less image has no refs (not a
 * KeyError), a bad split is an error listing the valid ones, a no-target ref has no boxes
 * (not a TypeError), ref_id 0 is a ref like any other, and answers are lists. Where
 * G_REFER answers `list(set(...))` (getAnnIds with ref ids, getImgIds with ref ids), we
 * answer in file order, first occurrence kept: set order is an accident of CPython.
 */
import { rleMerge, rleToBbox, type Rle } from '../../mask';
import { segmentationMask, type MaskCache } from '../masks';
import { DataError, NotFoundError } from '../errors';
import { IdIndex } from '../store/id-index';
import { stringAt } from '../store/columns';
import type { GRefTables } from '../read/grefs';
import type { InstancesTables } from '../store/tables';

/** Rows grouped by a key row: the rows of key k are rows[start[k] .. start[k+1]], ascending. */
interface Grouping {
  start: Uint32Array;
  rows: Int32Array;
}

/** Groups items 0..n-1 under keys 0..keys-1 (an item may fall under several keys). */
function groupRows(keys: number, n: number, keysOf: (item: number, add: (key: number) => void) => void): Grouping {
  const count = new Uint32Array(keys + 1);
  for (let i = 0; i < n; i++) keysOf(i, (k) => count[k + 1]++);
  for (let k = 0; k < keys; k++) count[k + 1] += count[k];
  const start = count.slice();
  const next = count.slice(0, keys);
  const rows = new Int32Array(start[keys]);
  for (let i = 0; i < n; i++) keysOf(i, (k) => (rows[next[k]++] = i));
  return { start, rows };
}

function group(g: Grouping, key: number): Int32Array {
  return g.rows.subarray(g.start[key], g.start[key + 1]);
}

export interface GReferIndex {
  /** `dataset/splitBy`, for messages. */
  name: string;
  grefs: GRefTables;
  instances: InstancesTables;
  refRows: IdIndex<number>;
  annRows: IdIndex<number>;
  imageRows: IdIndex<number>;
  categoryRows: IdIndex<number>;
  sentRows: IdIndex<number>;
  refsOfImage: Grouping;
  annsOfImage: Grouping;
  /** Every ref naming an annotation (G_REFER's annToRef, a list there too). */
  refsOfAnnotation: Grouping;
  /** Ref row of each sentence row. */
  refOfSentence: Int32Array;
}

export function indexGRefs(grefs: GRefTables, instances: InstancesTables, name = 'grefcoco/unc'): GReferIndex {
  const images = instances.images.id.length;
  const anns = instances.annotations.id.length;
  const refs = grefs.refId.length;
  const refOfSentence = new Int32Array(grefs.sentId.length);
  for (let r = 0; r < refs; r++) refOfSentence.fill(r, grefs.sentStart[r], grefs.sentStart[r + 1]);
  return {
    name,
    grefs,
    instances,
    refRows: new IdIndex(grefs.refId),
    annRows: new IdIndex(instances.annotations.id),
    imageRows: new IdIndex(instances.images.id),
    categoryRows: new IdIndex(instances.categories.id),
    sentRows: new IdIndex(grefs.sentId),
    refsOfImage: groupRows(images, refs, (r, add) => add(grefs.imageRow[r])),
    annsOfImage: groupRows(images, anns, (a, add) => add(instances.annotations.imageRow[a])),
    refsOfAnnotation: groupRows(anns, refs, (r, add) => {
      for (let t = grefs.targetStart[r]; t < grefs.targetStart[r + 1]; t++) add(grefs.targetAnnRow[t]);
    }),
    refOfSentence,
  };
}

/** The ref row of a ref id; unknown ids are an error. */
export function refRow(ix: GReferIndex, refId: number): number {
  const row = ix.refRows.get(refId);
  if (row === undefined) throw new NotFoundError(`${ix.name}: no ref with ref_id ${refId}`);
  return row;
}

/** The annotation rows of a ref's targets, in its ann_id order ([] for no target). */
export function targetRows(ix: GReferIndex, row: number): Int32Array {
  return ix.grefs.targetAnnRow.subarray(ix.grefs.targetStart[row], ix.grefs.targetStart[row + 1]);
}

/** The category ids of a ref, parallel to its targets ([] for no target). */
export function targetCategories(ix: GReferIndex, row: number): Int32Array {
  return ix.grefs.targetCategoryId.subarray(ix.grefs.targetStart[row], ix.grefs.targetStart[row + 1]);
}

export interface RefFilter {
  imageIds?: readonly number[];
  /** Refs sharing a category with these; -1 selects the no-target refs, as in G_REFER. */
  catIds?: readonly number[];
  /** Split names, compared exactly. */
  split?: readonly string[];
  noTarget?: boolean;
}

function splitCodes(ix: GReferIndex, names: readonly string[]): Set<number> {
  const codes = new Set<number>();
  for (const name of names) {
    const code = ix.grefs.splitNames.indexOf(name);
    if (code < 0) throw new DataError(`${ix.name}: unknown split ${JSON.stringify(name)} (valid splits: ${ix.grefs.splitNames.join(', ')})`);
    codes.add(code);
  }
  return codes;
}

/**
 * G_REFER's getRefIds(image_ids, cat_ids, split), plus a noTarget filter: the refs of the
 * given images (image by image, file order within one, repeated for a repeated image;
 * an unknown image has none), else all refs in file order; then those sharing a
 * category with catIds; then those in `split`. Empty or absent filters do not filter.
 */
export function refIds(ix: GReferIndex, filter: RefFilter = {}): number[] {
  const { grefs } = ix;
  let rows: number[];
  if (filter.imageIds?.length) {
    rows = [];
    for (const id of filter.imageIds) {
      const image = ix.imageRows.get(id);
      if (image !== undefined) rows.push(...group(ix.refsOfImage, image));
    }
  } else rows = Array.from(grefs.refId.keys());
  if (filter.catIds?.length) {
    const cats = new Set(filter.catIds);
    const wantsNoTarget = cats.has(-1);
    rows = rows.filter((r) => (grefs.noTarget[r] === 1 ? wantsNoTarget : targetCategories(ix, r).some((c) => cats.has(c))));
  }
  if (filter.split?.length) {
    const codes = splitCodes(ix, filter.split);
    rows = rows.filter((r) => codes.has(grefs.split[r]));
  }
  if (filter.noTarget !== undefined) rows = rows.filter((r) => (grefs.noTarget[r] === 1) === filter.noTarget);
  return rows.map((r) => grefs.refId[r]);
}

/**
 * G_REFER's getAnnIds(image_ids, ref_ids): the annotations of the given images (image by
 * image, file order within one; unknown images skipped, repeats repeated), else all
 * annotations; with refIds, only the targets of those refs, each once, in that order
 * (G_REFER: set order). Crowd targets count; a no-target ref adds nothing.
 */
export function annIds(ix: GReferIndex, filter: { imageIds?: readonly number[]; refIds?: readonly number[] } = {}): number[] {
  const ids = ix.instances.annotations.id;
  let rows: number[];
  if (filter.imageIds?.length) {
    rows = [];
    for (const id of filter.imageIds) {
      const image = ix.imageRows.get(id);
      if (image !== undefined) rows.push(...group(ix.annsOfImage, image));
    }
  } else rows = Array.from(ids.keys());
  if (filter.refIds?.length) {
    const targets = new Set<number>();
    for (const id of filter.refIds) for (const a of targetRows(ix, refRow(ix, id))) targets.add(a);
    const seen = new Set<number>();
    rows = rows.filter((a) => {
      if (!targets.has(a) || seen.has(a)) return false;
      seen.add(a);
      return true;
    });
  }
  return rows.map((a) => ids[a]);
}

/** G_REFER's getImgIds(ref_ids): the refs' images, each once, in the refs' order; without
 * refs every image of instances.json in file order (ref-less ones included). */
export function imageIds(ix: GReferIndex, refIdList: readonly number[] = []): number[] {
  const ids = ix.instances.images.id;
  if (refIdList.length === 0) return Array.from(ids);
  const rows = new Set<number>();
  for (const id of refIdList) rows.add(ix.grefs.imageRow[refRow(ix, id)]);
  return Array.from(rows, (i) => ids[i]);
}

/** G_REFER's getCatIds(): every category id in file order, as a list. */
export function categoryIds(ix: GReferIndex): number[] {
  return Array.from(ix.instances.categories.id);
}

function lookup(ix: GReferIndex, index: IdIndex<number>, what: string, id: number): number {
  const row = index.get(id);
  if (row === undefined) throw new NotFoundError(`${ix.name}: no ${what} with id ${id}`);
  return row;
}

/** loadAnns: annotation rows; -1, G_REFER's "no target" annotation, is null. */
export function annotationRows(ix: GReferIndex, ids: readonly number[]): (number | null)[] {
  return ids.map((id) => (id === -1 ? null : lookup(ix, ix.annRows, 'annotation', id)));
}

export function imageRowsOf(ix: GReferIndex, ids: readonly number[]): number[] {
  return ids.map((id) => lookup(ix, ix.imageRows, 'image', id));
}

/** loadCats: category names. */
export function categoryNames(ix: GReferIndex, ids: readonly number[]): string[] {
  return ids.map((id) => ix.instances.categories.name[lookup(ix, ix.categoryRows, 'category', id)]);
}

/** The ref of a sentence id (G_REFER's sentToRef). */
export function refOfSentence(ix: GReferIndex, sentId: number): number {
  return ix.refOfSentence[lookup(ix, ix.sentRows, 'sentence', sentId)];
}

/** The tokens of a sentence row. */
export function sentenceTokens(grefs: GRefTables, sentRow: number): string[] {
  return grefs.tokenExceptions[sentRow] ?? stringAt(grefs.sent, sentRow).split(' ');
}

/** Rows of every ref naming the annotation, in file order. */
export function refsOfAnnotation(ix: GReferIndex, annRow: number): number[] {
  return Array.from(group(ix.refsOfAnnotation, annRow));
}

/** G_REFER's getRefBox: one [x, y, w, h] per target in ann_id order; [] for no target. */
export function refBoxes(ix: GReferIndex, row: number): number[][] {
  const { bbox } = ix.instances.annotations;
  return Array.from(targetRows(ix, row), (a) => Array.from(bbox.subarray(a * 4, a * 4 + 4)));
}

function isCrowd(ix: GReferIndex, annRow: number): boolean {
  return ix.instances.annotations.iscrowd?.[annRow] === 1;
}

/** An annotation's mask (the union of its parts), from the cache or computed (and cached, given a cache). */
export function annotationMaskOf(ix: GReferIndex, annRow: number, cache?: MaskCache): Rle {
  let rle = cache?.get(ix.instances, annRow);
  if (rle === undefined) {
    rle = segmentationMask(ix.instances, annRow, () => `${ix.name}: annotation ${ix.instances.annotations.id[annRow]}`);
    cache?.set(ix.instances, annRow, rle);
  }
  return rle;
}

/** Masks of a ref's non-crowd targets, in ann_id order (getMaskByRef(merge=False),
 * with each annotation's union where G_REFER sums overlapping polygons). */
export function targetMasks(ix: GReferIndex, row: number, cache?: MaskCache): Rle[] {
  return Array.from(targetRows(ix, row))
    .filter((a) => !isCrowd(ix, a))
    .map((a) => annotationMaskOf(ix, a, cache));
}

/**
 * The ref's mask: the union of its non-crowd targets, what ReLA trains and evaluates
 * on. A ref with no target, or with crowd targets only, gets the all-zero mask of its
 * image (G_REFER crashes on the second).
 */
export function refUnionMask(ix: GReferIndex, row: number, cache?: MaskCache): Rle {
  const masks = targetMasks(ix, row, cache);
  if (masks.length > 0) return rleMerge(masks);
  const image = ix.grefs.imageRow[row];
  const h = ix.instances.images.height[image];
  const w = ix.instances.images.width[image];
  return { h, w, counts: Uint32Array.of(h * w) };
}

/** The bounding box of a ref's union mask (pycocotools' toBbox). */
export function refUnionBox(ix: GReferIndex, row: number, cache?: MaskCache): [number, number, number, number] {
  return rleToBbox(refUnionMask(ix, row, cache));
}
