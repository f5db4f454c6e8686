/**
 * The compact, columnar form of a REFER dataset: what the readers produce, what the
 * compiled index stores, and what the store indexes. Rows keep file order. Numbers live
 * in typed arrays and text in StringColumns (one joined string each), so a dataset of
 * 200k annotations is a few dozen arrays rather than millions of small objects.
 * Optional text columns hold '' where a record lacks the field.
 */
import type { StringColumn } from './columns';
import type { LoadWarning } from '../problems';

/** An annotation id: a number in COCO, a string such as "23896_6" in RefClef. */
export type AnnId = number | string;

export interface CategoryTable {
  id: Int32Array;
  name: string[];
  supercategory: string[];
}

export interface ImageTable {
  id: Float64Array;
  fileName: StringColumn;
  height: Int32Array;
  width: Int32Array;
  /** COCO-only columns; absent when no image in the file has the field. */
  cocoUrl?: StringColumn;
  flickrUrl?: StringColumn;
  /** NaN where an image has no license. */
  license?: Float64Array;
  dateCaptured?: StringColumn;
}

/**
 * Segmentations of all annotations. Annotation a owns parts partStart[a] ..
 * partStart[a+1]. A part is a polygon (its coordinates are coords[partCoordStart[p] ..
 * partCoordStart[p+1]] and partRle[p] is -1) or an RLE (partRle[p] indexes rleCounts,
 * rleHeight, rleWidth). An uncompressed RLE (counts as a list) keeps its counts in the
 * part's coords range; a compressed one has an empty coords range.
 */
export interface SegmentationTable {
  partStart: Uint32Array;
  partCoordStart: Uint32Array;
  coords: Float64Array;
  partRle: Int32Array;
  rleCounts: StringColumn;
  rleHeight: Int32Array;
  rleWidth: Int32Array;
  /** 1 where the file had one RLE dict instead of a list (COCO crowd annotations). */
  isDict: Uint8Array;
}

export interface AnnotationTable {
  /** Numbers in COCO; strings in RefClef (then `id` is empty). */
  id: Float64Array;
  stringId?: StringColumn;
  /** Row of the annotation's image in ImageTable. */
  imageRow: Int32Array;
  categoryId: Int32Array;
  /** x, y, w, h per annotation. */
  bbox: Float64Array;
  area: Float64Array;
  /** Absent in RefClef, which has no iscrowd field. */
  iscrowd?: Uint8Array;
  /** RefClef's mask file names. */
  maskName?: StringColumn;
  segmentation: SegmentationTable;
}

/** instances.json of one dataset: shared by all its splitBys. */
export interface InstancesTables {
  categories: CategoryTable;
  images: ImageTable;
  annotations: AnnotationTable;
  warnings: LoadWarning[];
}

/**
 * gRefCOCO's targets: ref r names annotation rows annRow[start[r] .. start[r+1]] in its
 * ann_id order, none for a no-target ref, with the ref's category_id entry of each.
 */
export interface RefTargets {
  start: Uint32Array;
  annRow: Int32Array;
  categoryId: Int32Array;
  /** 1 for a no-target ref (ann_id [-1]). */
  noTarget: Uint8Array;
}

/** The split and sentence columns of every refs file, REFER's and gRefCOCO's (filled by RefTextColumns). */
export interface RefTextTables {
  /** Index into splitNames. */
  split: Uint8Array;
  /** In order of first occurrence (G_REFER's availableSplits). */
  splitNames: string[];
  /** Ref r owns sentences sentStart[r] .. sentStart[r+1]; may be none. */
  sentStart: Uint32Array;
  sentId: Float64Array;
  raw: StringColumn;
  sent: StringColumn;
  /** Tokens by sentence row, only where they are not `sent.split(' ')` (rare). */
  tokenExceptions: Record<string, string[]>;
}

/** refs(<splitBy>).p of one dataset/splitBy pair, or gRefCOCO's grefs(<splitBy>). */
export interface RefTables extends RefTextTables {
  refId: Float64Array;
  /** The one referred annotation; -1 in gRefCOCO where a ref has not exactly one target. */
  annRow: Int32Array;
  imageRow: Int32Array;
  /** The ref's category; in gRefCOCO its first target's, -1 for a no-target ref. */
  categoryId: Int32Array;
  /** gRefCOCO only: every target of every ref (REFER's refs have exactly annRow's one). */
  targets?: RefTargets;
  /** The ref's made-up file name; absent in RefClef. */
  fileName?: StringColumn;
  warnings: LoadWarning[];
}
