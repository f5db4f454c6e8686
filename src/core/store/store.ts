/**
 * The indexed store of one REFER dataset/splitBy pair, with REFER's queries.
 *
 * Indexes are built in one linear pass over the columnar tables (REFER's createIndex is
 * quadratic because it grows lists with `+`). Relations are CSR arrays: the refs of
 * image row i are refRows[start[i] .. start[i+1]], in file order. The store knows nothing
 * of GraphQL; rows (array positions) are its currency, ids are what users pass.
 */
import { stringAt, type StringColumn } from './columns';
import { DataError, NotFoundError } from '../errors';
import { IdIndex } from './id-index';
import type { LoadWarning } from '../problems';
import { refTablesAsGRefs } from '../read/grefs';
import { annIds as gReferAnnIds, indexGRefs, refIds as gReferRefIds, type GReferIndex, type RefFilter as GReferRefFilter } from '../query/grefer';
import type { AnnId, InstancesTables, RefTables } from './tables';

/** Rows grouped by a key row: members of group g are rows[start[g] .. start[g+1]]. */
export interface Grouping {
  start: Int32Array;
  rows: Int32Array;
}

function groupRows(groupCount: number, keyOfRow: ArrayLike<number>): Grouping {
  const start = new Int32Array(groupCount + 1);
  for (let r = 0; r < keyOfRow.length; r++) if (keyOfRow[r] >= 0) start[keyOfRow[r] + 1]++;
  for (let g = 0; g < groupCount; g++) start[g + 1] += start[g];
  const fill = start.slice(0, groupCount);
  const rows = new Int32Array(start[groupCount]);
  for (let r = 0; r < keyOfRow.length; r++) if (keyOfRow[r] >= 0) rows[fill[keyOfRow[r]]++] = r;
  return { start, rows };
}

/** Like groupRows, but a row may fall under several keys (its keys as given by `keysOf`). */
function groupRowsMulti(groupCount: number, rowCount: number, keysOf: (row: number, add: (key: number) => void) => void): Grouping {
  const start = new Int32Array(groupCount + 1);
  for (let r = 0; r < rowCount; r++) keysOf(r, (k) => start[k + 1]++);
  for (let g = 0; g < groupCount; g++) start[g + 1] += start[g];
  const fill = start.slice(0, groupCount);
  const rows = new Int32Array(start[groupCount]);
  for (let r = 0; r < rowCount; r++) keysOf(r, (k) => (rows[fill[k]++] = r));
  return { start, rows };
}

export function groupMembers(g: Grouping, group: number): Int32Array {
  return g.rows.subarray(g.start[group], g.start[group + 1]);
}


/** "lo to hi" of a list of ids, for "not found" messages. */
function idRange(ids: ArrayLike<number>): string {
  if (ids.length === 0) return 'nothing (empty)';
  let lo = ids[0];
  let hi = ids[0];
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] < lo) lo = ids[i];
    if (ids[i] > hi) hi = ids[i];
  }
  return `${lo} to ${hi}`;
}

/** A value of an optional text column, or undefined where the record lacks it. */
function optionalString(column: StringColumn | undefined, row: number): string | undefined {
  if (!column) return undefined;
  return stringAt(column, row) || undefined;
}

/** One test that passes when all given tests pass; null for none. */
export function allOf(tests: readonly (((row: number) => boolean) | null | undefined)[]): ((row: number) => boolean) | null {
  const present = tests.filter((t): t is (row: number) => boolean => !!t);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0];
  return (row) => present.every((t) => t(row));
}

/** Valid `split` arguments of getRefIds, as REFER defines them. */
const SPLIT_LETTERS = ['testA', 'testB', 'testC'];
const COMBINED_SPLITS = ['testAB', 'testBC', 'testAC'];
export const SPLIT_ARGUMENTS = ['train', 'val', 'test', ...SPLIT_LETTERS, ...COMBINED_SPLITS];

/** Does a ref whose split label is `label` match getRefIds' `split` argument? */
export function splitMatches(argument: string, label: string): boolean {
  if (SPLIT_LETTERS.includes(argument)) return label.includes(argument[argument.length - 1]);
  if (argument === 'test') return label.includes('test');
  return label === argument;
}

/** Indexes of one instances.json, shared by the splitBys of a dataset. */
export class InstancesIndex {
  private lazyImageRowById?: IdIndex<number>;
  private lazyCategoryRowById?: IdIndex<number>;
  private lazyAnnRowById?: IdIndex<AnnId>;
  private lazyAnnsByImage?: Grouping;

  constructor(readonly tables: InstancesTables) {}

  // Every index is built on first use: a server's start is the data load plus the first
  // query, and building these at load cost ~40 ms of CPU that a first query mostly skips.

  get imageRowById(): IdIndex<number> {
    return (this.lazyImageRowById ??= new IdIndex(this.tables.images.id));
  }

  get categoryRowById(): IdIndex<number> {
    return (this.lazyCategoryRowById ??= new IdIndex(this.tables.categories.id));
  }

  get annsByImage(): Grouping {
    return (this.lazyAnnsByImage ??= groupRows(this.tables.images.id.length, this.tables.annotations.imageRow));
  }

  /** 200k entries; a start answering ref queries never needs it. */
  get annRowById(): IdIndex<AnnId> {
    const { stringId, id } = this.tables.annotations;
    return (this.lazyAnnRowById ??= new IdIndex<AnnId>(stringId ? Array.from(stringId.end, (_, i) => stringAt(stringId, i)) : id));
  }

  get annotationCount(): number {
    return this.tables.annotations.imageRow.length;
  }

  annId(row: number): AnnId {
    const { stringId, id } = this.tables.annotations;
    return stringId ? stringAt(stringId, row) : id[row];
  }
}

/** REFER's ref dict. */
export interface ReferRef {
  ref_id: number;
  ann_id: AnnId;
  image_id: number;
  category_id: number;
  split: string;
  sent_ids: number[];
  file_name?: string;
  sentences: ReferSentence[];
}

/** G_REFER's ref dict: parallel target lists, [-1] for a no-target ref. */
export interface GReferRef extends Omit<ReferRef, 'ann_id' | 'category_id'> {
  ann_id: number[];
  category_id: number[];
  no_target: boolean;
}

export interface ReferSentence {
  sent_id: number;
  raw: string;
  sent: string;
  tokens: string[];
}

export type ReferSegmentation = number[][] | { counts: string | number[]; size: [number, number] }[] | { counts: string | number[]; size: [number, number] };

export interface ReferAnnotation {
  id: AnnId;
  image_id: number;
  category_id: number;
  bbox: number[];
  area: number;
  iscrowd?: number;
  mask_name?: string;
  segmentation: ReferSegmentation;
}

export interface ReferImage {
  id: number;
  file_name: string;
  height: number;
  width: number;
  coco_url?: string;
  flickr_url?: string;
  license?: number;
  date_captured?: string;
}

export interface ReferCategory {
  id: number;
  name: string;
  supercategory: string;
}

export interface RefQuery {
  imageIds?: readonly number[];
  catIds?: readonly number[];
  refIds?: readonly number[];
  split?: string;
}

/** One dataset/splitBy pair: REFER(data_root, dataset, splitBy). */
export class ReferStore {
  readonly name: string;
  private lazyRefRowById?: IdIndex<number>;
  private lazySentRowById?: IdIndex<number>;
  private lazyRefsByImage?: Grouping;
  private lazyRefsByCategory?: Grouping;
  private lazyRefsByAnn?: Grouping;
  private lazyRefOfSentence?: Int32Array;
  private lazyGRefer?: GReferIndex;

  constructor(
    readonly dataset: string,
    readonly splitBy: string,
    readonly instances: InstancesIndex,
    readonly refs: RefTables,
  ) {
    this.name = `${dataset}/${splitBy}`;
  }

  // Built on first use, as InstancesIndex's are: most starts never need them.

  get refRowById(): IdIndex<number> {
    return (this.lazyRefRowById ??= new IdIndex(this.refs.refId));
  }

  get refsByImage(): Grouping {
    return (this.lazyRefsByImage ??= groupRows(this.instances.tables.images.id.length, this.refs.imageRow));
  }

  get refsByCategory(): Grouping {
    const { refs, instances } = this;
    return (this.lazyRefsByCategory ??= refs.targets
      ? this.groupByTargetCategories(refs.targets)
      : groupRows(instances.tables.categories.id.length, Int32Array.from(refs.categoryId, (id) => instances.categoryRowById.get(id) ?? -1)));
  }

  /** gRefCOCO's catToRefs: a ref once under each distinct category of its targets. */
  private groupByTargetCategories(targets: NonNullable<RefTables['targets']>): Grouping {
    const { categoryRowById } = this.instances;
    return groupRowsMulti(this.instances.tables.categories.id.length, this.refs.refId.length, (r, add) => {
      const seen = new Set<number>();
      for (let t = targets.start[r]; t < targets.start[r + 1]; t++) {
        const row = categoryRowById.get(targets.categoryId[t]);
        if (row !== undefined && !seen.has(row)) add(row), seen.add(row);
      }
    });
  }

  /** True for gRefCOCO, whose refs name several objects or none. */
  get hasTargetLists(): boolean {
    return this.refs.targets !== undefined;
  }

  /** G_REFER's indexes over this gRefCOCO pair (grefer.ts), built on first use; an error for REFER's pairs. */
  get gRefer(): GReferIndex {
    if (!this.refs.targets) throw new DataError(`${this.name}: not a gRefCOCO pair (its refs name exactly one object each)`);
    return (this.lazyGRefer ??= indexGRefs(refTablesAsGRefs(this.refs), this.instances.tables, this.name));
  }

  get sentRowById(): IdIndex<number> {
    return (this.lazySentRowById ??= new IdIndex(this.refs.sentId));
  }

  /** The refs of each annotation row (usually one; in gRefCOCO every ref naming it). */
  get refsByAnn(): Grouping {
    const { targets } = this.refs;
    if (!targets) return (this.lazyRefsByAnn ??= groupRows(this.instances.annotationCount, this.refs.annRow));
    return (this.lazyRefsByAnn ??= groupRowsMulti(this.instances.annotationCount, this.refCount, (r, add) => {
      for (let t = targets.start[r]; t < targets.start[r + 1]; t++) add(targets.annRow[t]);
    }));
  }

  /** Ref row of each sentence row. */
  get refOfSentence(): Int32Array {
    if (!this.lazyRefOfSentence) {
      const { refs } = this;
      this.lazyRefOfSentence = new Int32Array(refs.sentId.length);
      for (let r = 0; r < refs.refId.length; r++) this.lazyRefOfSentence.fill(r, refs.sentStart[r], refs.sentStart[r + 1]);
    }
    return this.lazyRefOfSentence;
  }

  get warnings(): LoadWarning[] {
    return [...this.instances.tables.warnings, ...this.refs.warnings];
  }

  get refCount(): number {
    return this.refs.refId.length;
  }

  /** Split labels present in this pair, in order of first appearance. */
  get splitNames(): string[] {
    return this.refs.splitNames;
  }

  // ---- id → row, with errors that say what exists ------------------------------------

  // The valid ranges that "not found" messages report, computed on the first error and
  // kept: an error must cost no more than a hit, or 19k unknown ids take seconds.
  private readonly lazyRanges = new Map<string, string>();

  private rangeOf(what: string, ids: () => ArrayLike<number>): string {
    let range = this.lazyRanges.get(what);
    if (range === undefined) {
      range = idRange(ids());
      this.lazyRanges.set(what, range);
    }
    return range;
  }

  refRow(refId: number): number {
    const row = this.refRowById.get(refId);
    if (row === undefined) throw new NotFoundError(`${this.name}: no ref with ref_id ${refId} (ref_ids run from ${this.rangeOf('ref', () => this.refs.refId)}, ${this.refCount} refs)`);
    return row;
  }

  imageRow(imageId: number): number {
    const row = this.instances.imageRowById.get(imageId);
    if (row === undefined) {
      const { id } = this.instances.tables.images;
      throw new NotFoundError(`${this.name}: no image with id ${imageId} (${id.length} images, ids ${this.rangeOf('image', () => id)})`);
    }
    return row;
  }

  annotationRow(annId: AnnId): number {
    let row = this.instances.annRowById.get(annId);
    // GraphQL IDs arrive as strings; COCO annotation ids are numbers.
    if (row === undefined && typeof annId === 'string' && /^-?\d+$/.test(annId)) row = this.instances.annRowById.get(Number(annId));
    if (row === undefined) {
      const count = this.instances.annotationCount;
      const example = count ? `e.g. ${JSON.stringify(this.instances.annId(0))}` : 'none';
      throw new NotFoundError(`${this.name}: no annotation with id ${JSON.stringify(annId)} (${count} annotations, ${example})`);
    }
    return row;
  }

  categoryRow(categoryId: number): number {
    const row = this.instances.categoryRowById.get(categoryId);
    if (row === undefined) {
      let valid = this.lazyRanges.get('category');
      if (valid === undefined) {
        valid = Array.from(this.instances.tables.categories.id).join(', ');
        this.lazyRanges.set('category', valid);
      }
      throw new NotFoundError(`${this.name}: no category with id ${categoryId} (valid ids: ${valid})`);
    }
    return row;
  }

  sentRow(sentId: number): number {
    const row = this.sentRowById.get(sentId);
    if (row === undefined) throw new NotFoundError(`${this.name}: no sentence with sent_id ${sentId} (sent_ids run from ${this.rangeOf('sentence', () => this.refs.sentId)})`);
    return row;
  }

  /** Throws unless `split` is one of REFER's split arguments. */
  checkSplit(split: string): void {
    if (this.refs.targets && !this.splitNames.includes(split)) {
      throw new DataError(`${this.name}: no such split ${JSON.stringify(split)}; valid splits: ${this.splitNames.join(', ')} (compared exactly, as G_REFER does)`);
    }
    if (!this.refs.targets && !SPLIT_ARGUMENTS.includes(split)) {
      throw new DataError(`${this.name}: no such split "${split}"; valid splits: ${SPLIT_ARGUMENTS.join(', ')} (labels in this data: ${this.splitNames.join(', ')})`);
    }
  }

  // ---- REFER queries ---------------------------------------------------------------

  /**
   * REFER's ref filters other than imageIds (which decides the order) as one test of a
   * ref row; null when there is nothing to test. An invalid split is an error.
   */
  refTest(q: RefQuery): ((row: number) => boolean) | null {
    const { refs } = this;
    const tests: ((row: number) => boolean)[] = [];
    if (q.catIds?.length) {
      const cats = new Set(q.catIds);
      tests.push(refs.targets ? this.sharesCategoryTest(cats) : (r) => cats.has(refs.categoryId[r]));
    }
    if (q.refIds?.length) {
      const ids = new Set(q.refIds);
      tests.push((r) => ids.has(refs.refId[r]));
    }
    if (q.split) {
      const split = q.split;
      this.checkSplit(split);
      // G_REFER compares splits exactly; REFER lets testA match testAB.
      const labelMatches = refs.splitNames.map((label) => (refs.targets ? label === split : splitMatches(split, label)));
      tests.push((r) => labelMatches[refs.split[r]]);
    }
    return allOf(tests);
  }

  /**
   * Ref rows matching all given filters (and `extra`, if given), in REFER's order: file
   * order, or with imageIds image by image in the order given, each image once. Unknown
   * image ids are an error (REFER raised KeyError, or crashed on every image_ids list);
   * other unknown ids just match nothing. One pass, no intermediate arrays.
   */
  /** gRefCOCO: a ref matches when one of its targets' categories is in `cats`; -1 selects no-target refs (G_REFER). */
  private sharesCategoryTest(cats: Set<number>): (row: number) => boolean {
    const targets = this.refs.targets!;
    return (r) => {
      if (targets.noTarget[r]) return cats.has(-1);
      for (let t = targets.start[r]; t < targets.start[r + 1]; t++) if (cats.has(targets.categoryId[t])) return true;
      return false;
    };
  }

  refRows(q: RefQuery = {}, extra?: (row: number) => boolean): number[] {
    const keep = allOf([this.refTest(q), extra]) ?? (() => true);
    const rows: number[] = [];
    if (q.imageIds?.length) {
      for (const imageId of new Set(q.imageIds)) for (const r of groupMembers(this.refsByImage, this.imageRow(imageId))) if (keep(r)) rows.push(r);
    } else {
      for (let r = 0, n = this.refCount; r < n; r++) if (keep(r)) rows.push(r);
    }
    return rows;
  }

  /**
   * gRefCOCO's getRefIds with G_REFER's semantics (grefer.ts): repeated images repeat,
   * unknown or ref-less images have no refs, catIds [-1] selects no-target refs, splits
   * compare exactly; plus a noTarget filter.
   */
  gReferRefIds(filter: GReferRefFilter): number[] {
    return gReferRefIds(this.gRefer, filter);
  }

  /** gRefCOCO's getAnnIds(image_ids, ref_ids) with G_REFER's semantics, in file order where G_REFER answers in set order. */
  gReferAnnIds(filter: { imageIds?: readonly number[]; refIds?: readonly number[] }): number[] {
    return gReferAnnIds(this.gRefer, filter);
  }

  getRefIds(q: RefQuery = {}): number[] {
    return this.refRows(q).map((r) => this.refs.refId[r]);
  }

  /**
   * Annotation rows in file order (or image by image, unknown image ids skipped as REFER
   * does), filtered by category and — unlike REFER, which ignores it — by the refs given
   * (an unknown ref id is an error).
   */
  annotationRows(q: Omit<RefQuery, 'split'> = {}): number[] {
    const { categoryId } = this.instances.tables.annotations;
    const cats = q.catIds?.length ? new Set(q.catIds) : undefined;
    const ofRefs = q.refIds?.length ? new Set(q.refIds.flatMap((id) => this.annotationsOfRef(this.refRow(id)))) : undefined;
    const keep = (a: number) => (!cats || cats.has(categoryId[a])) && (!ofRefs || ofRefs.has(a));
    const rows: number[] = [];
    if (q.imageIds?.length) {
      for (const imageId of q.imageIds) {
        const image = this.instances.imageRowById.get(imageId);
        if (image !== undefined) for (const a of groupMembers(this.instances.annsByImage, image)) if (keep(a)) rows.push(a);
      }
    } else {
      for (let a = 0, n = this.instances.annotationCount; a < n; a++) if (keep(a)) rows.push(a);
    }
    return rows;
  }

  getAnnIds(q: Omit<RefQuery, 'split'> = {}): AnnId[] {
    return this.annotationRows(q).map((a) => this.instances.annId(a));
  }

  /** Image ids of the given refs (each once, in order of first appearance), or all. */
  getImgIds(refIds: readonly number[] = []): number[] {
    const ids = this.instances.tables.images.id;
    if (refIds.length === 0) return Array.from(ids);
    return [...new Set(refIds.map((id) => ids[this.refs.imageRow[this.refRow(id)]]))];
  }

  getCatIds(): number[] {
    return Array.from(this.instances.tables.categories.id);
  }

  /** getRefBox: the bbox [x, y, w, h] of the ref's annotation. */
  getRefBox(refId: number): number[] {
    return this.annBbox(this.referredAnnotation(this.refRow(refId)));
  }

  loadRefs(refIds: readonly number[]): ReferRef[] {
    return refIds.map((id) => this.refAt(this.refRow(id)));
  }

  loadAnns(annIds: readonly AnnId[]): ReferAnnotation[] {
    return annIds.map((id) => this.annotationAt(this.annotationRow(id)));
  }

  loadImgs(imageIds: readonly number[]): ReferImage[] {
    return imageIds.map((id) => this.imageAt(this.imageRow(id)));
  }

  /** loadCats: category names, as REFER's Cats maps id → name. */
  loadCats(catIds: readonly number[]): string[] {
    return catIds.map((id) => this.instances.tables.categories.name[this.categoryRow(id)]);
  }

  // ---- relations: what the graph, the routes and the renders ask of a row ------------

  /**
   * The annotation rows a ref points at: one in REFER's datasets, several or none in
   * gRefCOCO. The only place that knows how many objects a ref has.
   */
  annotationsOfRef(refRow: number): number[] {
    const { targets } = this.refs;
    if (!targets) return [this.refs.annRow[refRow]];
    return Array.from(targets.annRow.subarray(targets.start[refRow], targets.start[refRow + 1]));
  }

  /** The one object of a ref that names exactly one (every REFER ref), else undefined. */
  singleTarget(refRow: number): number | undefined {
    const rows = this.annotationsOfRef(refRow);
    return rows.length === 1 ? rows[0] : undefined;
  }

  /**
   * The objects whose union is the ref's mask: REFER's one; gRefCOCO's non-crowd targets
   * (ReLA's ground truth: crowd targets are skipped), so none for a no-target ref.
   */
  maskedAnnotationsOfRef(refRow: number): number[] {
    const rows = this.annotationsOfRef(refRow);
    return this.refs.targets ? rows.filter((a) => this.annIscrowd(a) !== 1) : rows;
  }

  /** gRefCOCO's no-target refs (ann_id [-1]); false for every REFER ref. */
  isNoTarget(refRow: number): boolean {
    return this.refs.targets?.noTarget[refRow] === 1;
  }

  /** The distinct category rows of a ref's targets, in ann_id order (none for no target). */
  categoriesOfRef(refRow: number): number[] {
    const { targets } = this.refs;
    if (!targets) return [this.categoryOfRef(refRow)];
    const rows = new Set<number>();
    for (let t = targets.start[refRow]; t < targets.start[refRow + 1]; t++) rows.add(this.definedCategoryRow(targets.categoryId[t]));
    return [...rows];
  }

  /** G_REFER's getRefBox: one [x, y, w, h] per target in ann_id order; [] for no target. */
  refBoxes(refRow: number): number[][] {
    return this.annotationsOfRef(refRow).map((a) => this.annBbox(a));
  }

  /**
   * The one object of a single-target ref (REFER's ann_id, getRefBox, the ref's mask);
   * a ref with several objects or none is an error naming it.
   */
  referredAnnotation(refRow: number): number {
    const rows = this.annotationsOfRef(refRow);
    if (rows.length !== 1) throw new DataError(`${this.name}: ref ${this.refId(refRow)} points at ${rows.length} objects, not one`);
    return rows[0];
  }

  refsOfImage(imageRow: number): Int32Array {
    return groupMembers(this.refsByImage, imageRow);
  }

  annotationsOfImage(imageRow: number): Int32Array {
    return groupMembers(this.instances.annsByImage, imageRow);
  }

  refsOfAnnotation(annotationRow: number): Int32Array {
    return groupMembers(this.refsByAnn, annotationRow);
  }

  refsOfCategory(categoryRow: number): Int32Array {
    return groupMembers(this.refsByCategory, categoryRow);
  }

  /** Every annotation's [x, y, w, h], four numbers per annotation row (a view: do not modify). */
  get annotationBoxes(): Float64Array {
    return this.instances.tables.annotations.bbox;
  }

  /** A category's name, or undefined for an id instances.json does not define. */
  categoryNameOf(categoryId: number): string | undefined {
    const row = this.instances.categoryRowById.get(categoryId);
    return row === undefined ? undefined : this.instances.tables.categories.name[row];
  }

  /** Sentence rows of a ref, in order. */
  sentencesOfRef(refRow: number): number[] {
    const rows: number[] = [];
    for (let s = this.refs.sentStart[refRow]; s < this.refs.sentStart[refRow + 1]; s++) rows.push(s);
    return rows;
  }

  imageOfRef(refRow: number): number {
    return this.refs.imageRow[refRow];
  }

  categoryOfRef(refRow: number): number {
    if (this.isNoTarget(refRow)) throw new DataError(`${this.name}: ref ${this.refId(refRow)} has no target, hence no category`);
    return this.definedCategoryRow(this.refs.categoryId[refRow]);
  }

  refOfSentenceRow(sentRow: number): number {
    return this.refOfSentence[sentRow];
  }

  imageOfAnnotation(annotationRow: number): number {
    return this.instances.tables.annotations.imageRow[annotationRow];
  }

  categoryOfAnnotation(annotationRow: number): number {
    return this.definedCategoryRow(this.instances.tables.annotations.categoryId[annotationRow]);
  }

  private definedCategoryRow(categoryId: number): number {
    const row = this.instances.categoryRowById.get(categoryId);
    // The readers drop records whose category is unknown, so this means a broken index.
    if (row === undefined) throw new DataError(`${this.name}: category ${categoryId} is referenced but not defined in instances.json`);
    return row;
  }

  // ---- single values of a row ---------------------------------------------------------

  get imageCount(): number {
    return this.instances.tables.images.id.length;
  }

  get annotationCount(): number {
    return this.instances.annotationCount;
  }

  get categoryCount(): number {
    return this.instances.tables.categories.id.length;
  }

  get sentenceCount(): number {
    return this.refs.sentId.length;
  }

  refId(refRow: number): number {
    return this.refs.refId[refRow];
  }

  refSplit(refRow: number): string {
    return this.refs.splitNames[this.refs.split[refRow]];
  }

  refCategoryId(refRow: number): number {
    return this.refs.categoryId[refRow];
  }

  sentIdsOfRef(refRow: number): number[] {
    return Array.from(this.refs.sentId.subarray(this.refs.sentStart[refRow], this.refs.sentStart[refRow + 1]));
  }

  /** The ref's made-up file_name; undefined in RefClef. */
  refFileName(refRow: number): string | undefined {
    return optionalString(this.refs.fileName, refRow);
  }

  sentId(sentRow: number): number {
    return this.refs.sentId[sentRow];
  }

  sentText(sentRow: number): string {
    return stringAt(this.refs.sent, sentRow);
  }

  sentRaw(sentRow: number): string {
    return stringAt(this.refs.raw, sentRow);
  }

  imageId(imageRow: number): number {
    return this.instances.tables.images.id[imageRow];
  }

  imageFileName(imageRow: number): string {
    return stringAt(this.instances.tables.images.fileName, imageRow);
  }

  /** [height, width] of an image, as instances.json gives it. */
  imageSize(imageRow: number): [number, number] {
    const { images } = this.instances.tables;
    return [images.height[imageRow], images.width[imageRow]];
  }

  annId(annotationRow: number): AnnId {
    return this.instances.annId(annotationRow);
  }

  annCategoryId(annotationRow: number): number {
    return this.instances.tables.annotations.categoryId[annotationRow];
  }

  annArea(annotationRow: number): number {
    return this.instances.tables.annotations.area[annotationRow];
  }

  /** 0 or 1; undefined in RefClef, which has no iscrowd field. */
  annIscrowd(annotationRow: number): number | undefined {
    return this.instances.tables.annotations.iscrowd?.[annotationRow];
  }

  /** RefClef's mask file name; undefined elsewhere. */
  annMaskName(annotationRow: number): string | undefined {
    return optionalString(this.instances.tables.annotations.maskName, annotationRow);
  }

  categoryId(categoryRow: number): number {
    return this.instances.tables.categories.id[categoryRow];
  }

  categoryAt(categoryRow: number): ReferCategory {
    const { categories } = this.instances.tables;
    return { id: categories.id[categoryRow], name: categories.name[categoryRow], supercategory: categories.supercategory[categoryRow] };
  }

  /** Number of segmentation parts (polygons or RLEs) of an annotation. */
  segmentationPartCount(annotationRow: number): number {
    const seg = this.instances.tables.annotations.segmentation;
    return seg.partStart[annotationRow + 1] - seg.partStart[annotationRow];
  }

  /** The polygons of an annotation as flat [x1, y1, x2, y2, …] lists (RLE parts have none). */
  polygonsOfAnnotation(annotationRow: number): Float64Array[] {
    const seg = this.instances.tables.annotations.segmentation;
    const polygons: Float64Array[] = [];
    for (let p = seg.partStart[annotationRow]; p < seg.partStart[annotationRow + 1]; p++) {
      if (seg.partRle[p] < 0) polygons.push(seg.coords.subarray(seg.partCoordStart[p], seg.partCoordStart[p + 1]));
    }
    return polygons;
  }

  // ---- records, shaped as REFER returns them -----------------------------------------

  sentenceAt(row: number): ReferSentence {
    const { refs } = this;
    return { sent_id: refs.sentId[row], raw: stringAt(refs.raw, row), sent: stringAt(refs.sent, row), tokens: this.tokensAt(row) };
  }

  tokensAt(row: number): string[] {
    return this.refs.tokenExceptions[row] ?? stringAt(this.refs.sent, row).split(' ');
  }

  /** A ref as REFER's Refs holds it; in gRefCOCO the ref must have exactly one target (see gRefAt). */
  refAt(row: number): ReferRef {
    const { refs } = this;
    const sentences: ReferSentence[] = [];
    for (let s = refs.sentStart[row]; s < refs.sentStart[row + 1]; s++) sentences.push(this.sentenceAt(s));
    const ref: ReferRef = {
      ref_id: refs.refId[row],
      ann_id: this.instances.annId(this.referredAnnotation(row)),
      category_id: refs.categoryId[row],
      image_id: this.instances.tables.images.id[refs.imageRow[row]],
      split: refs.splitNames[refs.split[row]],
      sent_ids: sentences.map((s) => s.sent_id),
      sentences,
    };
    const fileName = optionalString(refs.fileName, row);
    if (fileName !== undefined) ref.file_name = fileName;
    return ref;
  }

  /** A gRefCOCO ref as G_REFER's Refs holds it (target lists, [-1] for no target). */
  gRefAt(row: number): GReferRef {
    const { refs } = this;
    const targets = refs.targets;
    if (!targets) throw new DataError(`${this.name}: not a gRefCOCO pair; use refAt`);
    const sentences = this.sentencesOfRef(row).map((s) => this.sentenceAt(s));
    const span = [targets.start[row], targets.start[row + 1]] as const;
    const noTarget = targets.noTarget[row] === 1;
    const ids = this.instances.tables.annotations.id;
    return {
      ref_id: refs.refId[row],
      ann_id: noTarget ? [-1] : Array.from(targets.annRow.subarray(...span), (a) => ids[a]),
      category_id: noTarget ? [-1] : Array.from(targets.categoryId.subarray(...span)),
      no_target: noTarget,
      image_id: this.instances.tables.images.id[refs.imageRow[row]],
      split: refs.splitNames[refs.split[row]],
      sent_ids: sentences.map((s) => s.sent_id),
      file_name: optionalString(refs.fileName, row) ?? '',
      sentences,
    };
  }

  annBbox(row: number): number[] {
    return Array.from(this.instances.tables.annotations.bbox.subarray(row * 4, row * 4 + 4));
  }

  segmentationAt(row: number): ReferSegmentation {
    const seg = this.instances.tables.annotations.segmentation;
    const parts: ({ counts: string | number[]; size: [number, number] } | number[])[] = [];
    for (let p = seg.partStart[row]; p < seg.partStart[row + 1]; p++) {
      const coords = Array.from(seg.coords.subarray(seg.partCoordStart[p], seg.partCoordStart[p + 1]));
      const rle = seg.partRle[p];
      parts.push(rle < 0 ? coords : { counts: coords.length > 0 ? coords : stringAt(seg.rleCounts, rle), size: [seg.rleHeight[rle], seg.rleWidth[rle]] });
    }
    if (seg.isDict[row]) return parts[0] as { counts: string | number[]; size: [number, number] };
    return parts as ReferSegmentation;
  }

  annotationAt(row: number): ReferAnnotation {
    const { annotations, images } = this.instances.tables;
    const ann: ReferAnnotation = {
      id: this.instances.annId(row),
      image_id: images.id[annotations.imageRow[row]],
      category_id: annotations.categoryId[row],
      bbox: this.annBbox(row),
      area: annotations.area[row],
      segmentation: this.segmentationAt(row),
    };
    if (annotations.iscrowd) ann.iscrowd = annotations.iscrowd[row];
    const maskName = optionalString(annotations.maskName, row);
    if (maskName !== undefined) ann.mask_name = maskName;
    return ann;
  }

  imageAt(row: number): ReferImage {
    const images = this.instances.tables.images;
    const image: ReferImage = { id: images.id[row], file_name: stringAt(images.fileName, row), height: images.height[row], width: images.width[row] };
    const cocoUrl = optionalString(images.cocoUrl, row);
    if (cocoUrl !== undefined) image.coco_url = cocoUrl;
    const flickrUrl = optionalString(images.flickrUrl, row);
    if (flickrUrl !== undefined) image.flickr_url = flickrUrl;
    if (images.license && !Number.isNaN(images.license[row])) image.license = images.license[row];
    const date = optionalString(images.dateCaptured, row);
    if (date !== undefined) image.date_captured = date;
    return image;
  }

  // ---- bulk-transfer columns (the export's data.jsonl section headers) --------------

  /**
   * What a client needs to index the bulk transfer without parsing its records: ids
   * and relations as rows, in file order. Views of the tables: do not modify.
   */
  bulkKeyColumns(): BulkKeyColumns {
    const { refs } = this;
    const { annotations, images } = this.instances.tables;
    const refAnnRow = new Int32Array(this.refCount);
    for (let r = 0; r < refAnnRow.length; r++) refAnnRow[r] = this.referredAnnotation(r);
    const annId = new Array<AnnId>(this.annotationCount);
    for (let a = 0; a < annId.length; a++) annId[a] = this.instances.annId(a);
    return { refId: refs.refId, refAnnRow, refImageRow: refs.imageRow, refCategoryId: refs.categoryId, sentStart: refs.sentStart, sentId: refs.sentId, annId, annImageRow: annotations.imageRow, imageId: images.id };
  }
}

/** Store.bulkKeyColumns(): ids and relation rows, one entry per row (sentStart: one more, CSR). */
export interface BulkKeyColumns {
  refId: ArrayLike<number>;
  refAnnRow: ArrayLike<number>;
  refImageRow: ArrayLike<number>;
  refCategoryId: ArrayLike<number>;
  sentStart: ArrayLike<number>;
  sentId: ArrayLike<number>;
  annId: readonly AnnId[];
  annImageRow: ArrayLike<number>;
  imageId: ArrayLike<number>;
}
