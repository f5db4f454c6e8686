/**
 * The one door from evaluation to the store: everything src/eval/ knows about a
 * dataset/splitBy pair comes through GroundTruth, so a change of the store's API is
 * ported here and nowhere else.
 */
import { DataError } from '../core/errors';
import { annotationParts, refMask } from '../core/masks';
import { splitMatches, type ReferStore } from '../core/store/store';
import type { Rle } from '../mask';

export type Unit = 'sent' | 'ref';

/** The evaluation universe of one split: refs in file order, and their sentences. */
export interface Universe {
  /** Ref rows of getRefIds(split), in refs-file order. */
  refRows: Int32Array;
  /** Sentence rows of those refs, ref by ref, then sentence order. */
  sentRows: Int32Array;
}

/** A universe and its row → position table, per store and split: stores never change once loaded. */
interface CachedUniverse {
  universe: Universe;
  positions: { sent?: Int32Array; ref?: Int32Array };
  byId: { sent?: DenseIdPositions | null; ref?: DenseIdPositions | null };
  boxes: { sent?: Float64Array; ref?: Float64Array };
  refRows: { sent?: Int32Array };
}

/**
 * Universe positions by id, for ids in [first, first + positions.length): REFER's ids of
 * a split are nearly consecutive, so an array indexed by id - first replaces a hash
 * lookup per prediction. -1 where the id is not in the universe.
 */
export interface DenseIdPositions {
  first: number;
  positions: Int32Array;
}

/** A dense table may be this much longer than the universe it covers (else: the hash index). */
const DENSE_SPAN_FACTOR = 4;
const universes = new WeakMap<ReferStore, Map<string, CachedUniverse>>();

/**
 * Per store, where each ref's box starts in the box column: asked once per scored
 * prediction, and the store's referredAnnotation builds a list per call.
 */
const boxOffsets = new WeakMap<ReferStore, Int32Array>();

export class GroundTruth {
  constructor(private readonly store: ReferStore) {}

  private cached(split: string): CachedUniverse {
    let bySplit = universes.get(this.store);
    if (!bySplit) universes.set(this.store, (bySplit = new Map()));
    let entry = bySplit.get(split);
    if (!entry) bySplit.set(split, (entry = { universe: this.computeUniverse(split), positions: {}, byId: {}, boxes: {}, refRows: {} }));
    return entry;
  }

  /** Position of each sentence or ref row in the split's universe, -1 outside it. Shared: do not modify. */
  universePositions(unit: Unit, split: string): Int32Array {
    const entry = this.cached(split);
    let positions = entry.positions[unit];
    if (!positions) {
      const rows = unit === 'ref' ? entry.universe.refRows : entry.universe.sentRows;
      positions = new Int32Array(this.rowCount(unit)).fill(-1);
      for (let p = 0; p < rows.length; p++) positions[rows[p]] = p;
      entry.positions[unit] = positions;
    }
    return positions;
  }

  /**
   * Universe positions by id (cached; do not modify), or null when the split's ids are
   * too sparse for an array: then rowOfId and universePositions answer.
   */
  denseIdPositions(unit: Unit, split: string): DenseIdPositions | null {
    const entry = this.cached(split);
    const known = entry.byId[unit];
    if (known !== undefined) return known;
    const rows = unit === 'ref' ? entry.universe.refRows : entry.universe.sentRows;
    let first = Infinity;
    let last = -Infinity;
    for (let p = 0; p < rows.length; p++) {
      const id = this.idOfRow(unit, rows[p]);
      if (id < first) first = id;
      if (id > last) last = id;
    }
    const span = last - first + 1;
    let dense: DenseIdPositions | null = null;
    if (rows.length > 0 && span <= DENSE_SPAN_FACTOR * rows.length + 1024) {
      const positions = new Int32Array(span).fill(-1);
      // The readers keep ids unique (a repeated ref_id or sent_id drops the later ref), so
      // this agrees with rowOfId without building the store's id index.
      for (let p = 0; p < rows.length; p++) positions[this.idOfRow(unit, rows[p]) - first] = p;
      dense = { first, positions };
    }
    entry.byId[unit] = dense;
    return dense;
  }

  /** The ref row of each universe position (cached; do not modify). */
  universeRefRows(unit: Unit, split: string): Int32Array {
    const entry = this.cached(split);
    if (unit === 'ref') return entry.universe.refRows;
    let refRows = entry.refRows.sent;
    if (!refRows) {
      const sentRows = entry.universe.sentRows;
      refRows = new Int32Array(sentRows.length);
      for (let p = 0; p < sentRows.length; p++) refRows[p] = this.store.refOfSentenceRow(sentRows[p]);
      entry.refRows.sent = refRows;
    }
    return refRows;
  }

  /** getRefBox of each universe position, four numbers a position (cached; do not modify). */
  universeBoxes(unit: Unit, split: string): Float64Array {
    const entry = this.cached(split);
    let boxes = entry.boxes[unit];
    if (!boxes) {
      const refRows = this.universeRefRows(unit, split);
      const offsets = this.refBoxOffsets();
      const column = this.boxColumn;
      boxes = new Float64Array(refRows.length * 4);
      for (let p = 0; p < refRows.length; p++) {
        const from = offsets[refRows[p]];
        for (let k = 0; k < 4; k++) boxes[p * 4 + k] = column[from + k];
      }
      entry.boxes[unit] = boxes;
    }
    return boxes;
  }

  /** The x, y, w, h of all annotations, four numbers each; a ref's start at refBoxOffset. */
  get boxColumn(): Float64Array {
    return this.store.annotationBoxes;
  }

  refBoxOffset(refRow: number): number {
    return this.refBoxOffsets()[refRow];
  }

  /** refBoxOffset of every ref row (shared: do not modify), for loops over many refs. */
  refBoxOffsets(): Int32Array {
    let offsets = boxOffsets.get(this.store);
    if (!offsets) {
      offsets = new Int32Array(this.store.refCount);
      for (let r = 0; r < offsets.length; r++) offsets[r] = this.store.referredAnnotation(r) * 4;
      boxOffsets.set(this.store, offsets);
    }
    return offsets;
  }

  get name(): string {
    return this.store.name;
  }

  checkSplit(split: string): void {
    this.store.checkSplit(split);
  }

  /** The split's universe (cached; do not modify). */
  universe(split: string): Universe {
    return this.cached(split).universe;
  }

  private computeUniverse(split: string): Universe {
    const refRows = Int32Array.from(this.store.refRows({ split }));
    const sentencesOf = Array.from(refRows, (r) => this.store.sentencesOfRef(r));
    let n = 0;
    for (const rows of sentencesOf) n += rows.length;
    const sentRows = new Int32Array(n);
    let at = 0;
    for (const rows of sentencesOf) for (const s of rows) sentRows[at++] = s;
    return { refRows, sentRows };
  }

  /** Row of a ref_id or sent_id, or -1 when the pair has none. */
  rowOfId(unit: Unit, id: number): number {
    const row = unit === 'ref' ? this.store.refRowById.get(id) : this.store.sentRowById.get(id);
    return row ?? -1;
  }

  /** Number of sentence or ref rows of the pair. */
  rowCount(unit: Unit): number {
    return unit === 'ref' ? this.store.refCount : this.store.sentenceCount;
  }

  idOfRow(unit: Unit, row: number): number {
    return unit === 'ref' ? this.store.refId(row) : this.store.sentId(row);
  }

  refRowOfSentence(sentRow: number): number {
    return this.store.refOfSentenceRow(sentRow);
  }

  refId(refRow: number): number {
    return this.store.refId(refRow);
  }

  /** getRefBox: the [x, y, w, h] of the ref's annotation. */
  refBox(refRow: number): Float64Array {
    const offset = this.refBoxOffset(refRow);
    return this.store.annotationBoxes.subarray(offset, offset + 4);
  }

  /** The union mask of the ref's annotation (its polygons or RLEs merged). */
  refMask(refRow: number): Rle {
    try {
      return refMask(this.store, refRow);
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw new DataError(`${this.name}: the mask of ref ${this.refId(refRow)} cannot be built: ${(e as Error).message}`);
    }
  }

  /** How many segmentation parts the ref's objects have (refMaskParts without rasterising them). */
  refMaskPartCount(refRow: number): number {
    let n = 0;
    for (const annRow of this.store.maskedAnnotationsOfRef(refRow)) n += this.store.segmentationPartCount(annRow);
    return n;
  }

  /**
   * The segmentation parts of the ref's objects, one mask each (polygons rasterised one
   * at a time, RLEs as stored), for LAVT's target: REFER's getMask sums them.
   */
  refMaskParts(refRow: number): Rle[] {
    try {
      return this.store.maskedAnnotationsOfRef(refRow).flatMap((annRow) => annotationParts(this.store, annRow));
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw new DataError(`${this.name}: the mask parts of ref ${this.refId(refRow)} cannot be read: ${(e as Error).message}`);
    }
  }

  /** gRefCOCO: its refs may name several objects or none, and masks are scored with GRES's metrics too. */
  get hasTargetLists(): boolean {
    return this.store.hasTargetLists;
  }

  /** gRefCOCO's no-target refs; false for every REFER ref. */
  isNoTarget(refRow: number): boolean {
    return this.store.isNoTarget(refRow);
  }

  /** [height, width] of the ref's image. */
  imageSize(refRow: number): [number, number] {
    return this.store.imageSize(this.store.imageOfRef(refRow));
  }

  imageId(refRow: number): number {
    return this.store.imageId(this.store.imageOfRef(refRow));
  }

  categoryId(refRow: number): number {
    return this.store.refCategoryId(refRow);
  }

  categoryName(categoryId: number): string {
    return this.store.categoryNameOf(categoryId) ?? String(categoryId);
  }

  /** The ref's split label (e.g. testA), for the per-split breakdown. */
  splitLabel(refRow: number): string {
    return this.store.refSplit(refRow);
  }

  /** Split labels of this pair that the split argument selects. */
  splitLabelsOf(split: string): string[] {
    return this.store.splitNames.filter((label) => splitMatches(split, label));
  }

  /** The `sent` of each of the ref's sentences. */
  refSentences(refRow: number): string[] {
    return this.store.sentencesOfRef(refRow).map((s) => this.store.sentText(s));
  }
}
