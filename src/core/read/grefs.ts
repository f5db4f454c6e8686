/**
 * Reads gRefCOCO's grefs(unc).json (or the grefs(unc).p beside it, which wins, as in
 * G_REFER) into columnar tables shaped for refs with several targets or none.
 *
 * Two steps, as for REFER's refs: parseGRefs needs only the refs file; joinGRefs resolves
 * annotation and image ids to rows of instances.json. A malformed ref, or one naming an
 * annotation or image that instances.json lacks, is skipped and counted (G_REFER's
 * constructor dies with a KeyError there).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringAt, stringColumn, type StringColumn } from '../store/columns';
import { DataError, NotFoundError } from '../errors';
import { IdIndex } from '../store/id-index';
import { JsonScanner } from './json-scanner';
import { readInstances } from './instances';
import { readPickle, type PickleDict, type PickleValue } from './pickle';
import { readSentences, RefTextColumns } from './refs';
import { Problems, type LoadWarning } from '../problems';
import type { InstancesTables, RefTables, RefTextTables } from '../store/tables';

/** grefs(<splitBy>) of gRefCOCO. Rows keep file order. */
export interface GRefTables extends RefTextTables {
  refId: Float64Array;
  imageRow: Int32Array;
  /** Ref r's targets are rows targetStart[r] .. targetStart[r+1] of the target columns,
   * in the order of the ref's ann_id list; a no-target ref has none. */
  targetStart: Uint32Array;
  targetAnnRow: Int32Array;
  /** The ref's category_id entry for each target (parallel to targetAnnRow). */
  targetCategoryId: Int32Array;
  /** 1 for a no-target ref (ann_id [-1]). */
  noTarget: Uint8Array;
  fileName: StringColumn;
  warnings: LoadWarning[];
}

/** A refs file's columns before the join: ids where GRefTables has rows. */
export interface ParsedGRefs extends Omit<GRefTables, 'imageRow' | 'targetAnnRow'> {
  imageId: Float64Array;
  /** Annotation ids of the targets, parallel to targetCategoryId. */
  targetAnnId: Float64Array;
  /** Position of each ref in the file's list, for messages. */
  fileIndex: Int32Array;
}

/** The marker G_REFER uses in ann_id and category_id for "no target". */
const NO_TARGET = -1;

type Value = PickleValue;

function isDict(v: Value | undefined): v is PickleDict {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function isInt(v: Value | undefined): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/**
 * A list of integers; a scalar integer (RefCOCO's shape, which G_REFER's index also
 * accepts) is read as a list of one.
 */
function intList(v: Value | undefined): number[] | null {
  if (isInt(v)) return [v];
  if (!Array.isArray(v) || !v.every(isInt)) return null;
  return v as number[];
}

/** The targets of a ref record, or a problem description. */
function readTargets(ref: PickleDict): { annIds: number[]; categoryIds: number[]; noTarget: boolean } | string {
  const annIds = intList(ref.ann_id);
  const categoryIds = intList(ref.category_id);
  if (!annIds || annIds.length === 0) return 'ann_id must be a non-empty list of integers';
  if (!categoryIds || categoryIds.length !== annIds.length) return 'category_id must be a list of integers parallel to ann_id';
  const noTarget = annIds.length === 1 && annIds[0] === NO_TARGET;
  if (noTarget !== (categoryIds.length === 1 && categoryIds[0] === NO_TARGET)) return 'ann_id and category_id disagree on "no target" ([-1])';
  if (!noTarget && annIds.includes(NO_TARGET)) return 'ann_id mixes -1 (no target) with targets';
  if (typeof ref.no_target === 'boolean' && ref.no_target !== noTarget) return 'no_target disagrees with ann_id';
  return noTarget ? { annIds: [], categoryIds: [], noTarget } : { annIds, categoryIds, noTarget };
}

/** The list of ref records of a grefs file: a JSON list (streamed) or a pickled list. */
function refRecords(data: Uint8Array, fileName: string, onRef: (ref: Value, index: number) => void): void {
  if (fileName.endsWith('.p')) {
    const root = readPickle(data, fileName);
    if (!Array.isArray(root)) throw new DataError(`${fileName}: expected a pickled list of refs, found ${root === null ? 'None' : typeof root}`);
    root.forEach(onRef);
    return;
  }
  const s = new JsonScanner(data, fileName);
  if (s.peek() !== 0x5b) throw new DataError(`${fileName}: expected a JSON list of refs`);
  s.array((i) => onRef(s.peek() === 0x7b ? readRecord(s, REF_KEYS, REF_KEY_NAMES) : s.value(), i));
  s.end();
}

/** The ref and sentence fields we read; others are skipped. Keys are matched as bytes
 * (JsonScanner.memberKey): 2M key strings were most of the garbage of a generic parse. */
const REF_KEY_NAMES = ['ann_id', 'category_id', 'file_name', 'image_id', 'no_target', 'ref_id', 'split', 'sentences'] as const;
const SENTENCE_KEY_NAMES = ['raw', 'sent', 'sent_id', 'tokens'] as const;
const REF_KEYS = REF_KEY_NAMES.map((k) => Buffer.from(k, 'latin1'));
const SENTENCE_KEYS = SENTENCE_KEY_NAMES.map((k) => Buffer.from(k, 'latin1'));

/** One JSON object as a dict of the named fields; a ref's sentences are read the same way. */
function readRecord(s: JsonScanner, keys: readonly Uint8Array[], names: readonly string[]): PickleDict {
  const record: PickleDict = {};
  if (!s.openObject()) return record;
  do {
    const k = s.memberKey(keys);
    if (k < 0) s.skip();
    else if (names[k] === 'sentences' && s.peek() === 0x5b) {
      const list: Value[] = [];
      s.array(() => list.push(s.peek() === 0x7b ? readRecord(s, SENTENCE_KEYS, SENTENCE_KEY_NAMES) : s.value()));
      record.sentences = list;
    } else record[names[k]] = s.value();
  } while (s.nextMember());
  return record;
}

export function parseGRefs(data: Uint8Array, fileName: string): ParsedGRefs {
  const problems = new Problems(fileName);
  const refId: number[] = [];
  const imageId: number[] = [];
  const targetStart: number[] = [0];
  const targetAnnId: number[] = [];
  const targetCategoryId: number[] = [];
  const noTarget: number[] = [];
  const fileIndex: number[] = [];
  const text = new RefTextColumns(fileName, 'gRefCOCO');
  const fileNames: string[] = [];
  const seenRefs = new Set<number>();

  refRecords(data, fileName, (ref, i) => {
    const where = `ref[${i}]`;
    if (!isDict(ref) || !isInt(ref.ref_id)) return problems.add('a ref needs an integer ref_id', where);
    const at = `${where} (ref_id ${ref.ref_id})`;
    if (seenRefs.has(ref.ref_id)) return problems.add('duplicate ref_id (the first one is kept)', at);
    const targets = readTargets(ref);
    if (typeof targets === 'string') return problems.add(targets, at);
    if (!isInt(ref.image_id)) return problems.add('image_id must be an integer', at);
    if (typeof ref.split !== 'string' || ref.split === '') return problems.add('split must be a non-empty string', at);
    const sentences = readSentences(ref);
    if (typeof sentences === 'string') return problems.add(sentences, at);
    const dup = text.duplicateSentence(sentences);
    if (dup) return problems.add('duplicate sent_id (the first one is kept)', `${at}, sent_id ${dup.id}`);

    seenRefs.add(ref.ref_id);
    refId.push(ref.ref_id);
    imageId.push(ref.image_id);
    targetAnnId.push(...targets.annIds);
    targetCategoryId.push(...targets.categoryIds);
    targetStart.push(targetAnnId.length);
    noTarget.push(targets.noTarget ? 1 : 0);
    fileIndex.push(i);
    fileNames.push(typeof ref.file_name === 'string' ? ref.file_name : '');
    text.add(ref.split, sentences, at);
  });

  return {
    refId: Float64Array.from(refId),
    imageId: Float64Array.from(imageId),
    targetStart: Uint32Array.from(targetStart),
    targetAnnId: Float64Array.from(targetAnnId),
    targetCategoryId: Int32Array.from(targetCategoryId),
    noTarget: Uint8Array.from(noTarget),
    fileIndex: Int32Array.from(fileIndex),
    fileName: stringColumn(fileNames),
    ...text.columns(),
    warnings: problems.list(),
  };
}

/** Why ref r of `parsed` does not resolve against the instances, as [problem, detail], or null. */
function joinProblem(parsed: ParsedGRefs, r: number, instances: InstancesTables, annRows: IdIndex<number>, imageRow: number | undefined, categories: Set<number>): [string, string] | null {
  if (imageRow === undefined) return ['image_id is not in instances.json', `image_id ${parsed.imageId[r]}`];
  for (let t = parsed.targetStart[r]; t < parsed.targetStart[r + 1]; t++) {
    const annId = parsed.targetAnnId[t];
    const row = annRows.get(annId);
    if (row === undefined) return ['ann_id is not in instances.json', `ann_id ${annId}`];
    if (instances.annotations.imageRow[row] !== imageRow) return ["a target annotation is not on the ref's image", `ann_id ${annId}, image_id ${parsed.imageId[r]}`];
    if (!categories.has(parsed.targetCategoryId[t])) return ['category_id is not in instances.json categories', `category_id ${parsed.targetCategoryId[t]}`];
  }
  return null;
}

/** Resolves ids to rows of `instances`; refs that do not resolve are skipped and counted. */
export function joinGRefs(parsed: ParsedGRefs, fileName: string, instances: InstancesTables): GRefTables {
  const problems = new Problems(fileName);
  const annRows = new IdIndex(instances.annotations.id);
  const imageRows = new IdIndex(instances.images.id);
  const categories = new Set(instances.categories.id);
  const keep: number[] = [];
  const imageRow: number[] = [];
  for (let r = 0; r < parsed.refId.length; r++) {
    const row = imageRows.get(parsed.imageId[r]);
    const problem = joinProblem(parsed, r, instances, annRows, row, categories);
    if (problem) {
      problems.add(problem[0], `ref[${parsed.fileIndex[r]}] (ref_id ${parsed.refId[r]}), ${problem[1]}`);
      continue;
    }
    keep.push(r);
    imageRow.push(row!);
  }
  return keepGRefs(parsed, keep, Int32Array.from(imageRow), annRows, [...parsed.warnings, ...problems.list()]);
}

/** The columns of the refs `keep` (rows, ascending), their targets and sentences. */
function keepGRefs(t: ParsedGRefs, keep: number[], imageRow: Int32Array, annRows: IdIndex<number>, warnings: LoadWarning[]): GRefTables {
  const targetStart = [0];
  const targetAnnRow: number[] = [];
  const targetCategoryId: number[] = [];
  const sentStart = [0];
  const sentRows: number[] = [];
  for (const r of keep) {
    for (let k = t.targetStart[r]; k < t.targetStart[r + 1]; k++) {
      targetAnnRow.push(annRows.get(t.targetAnnId[k])!);
      targetCategoryId.push(t.targetCategoryId[k]);
    }
    targetStart.push(targetAnnRow.length);
    for (let s = t.sentStart[r]; s < t.sentStart[r + 1]; s++) sentRows.push(s);
    sentStart.push(sentRows.length);
  }
  const all = keep.length === t.refId.length;
  const tokenExceptions: Record<string, string[]> = {};
  sentRows.forEach((s, i) => {
    if (t.tokenExceptions[s]) tokenExceptions[i] = t.tokenExceptions[s];
  });
  return {
    refId: Float64Array.from(keep, (r) => t.refId[r]),
    imageRow,
    targetStart: Uint32Array.from(targetStart),
    targetAnnRow: Int32Array.from(targetAnnRow),
    targetCategoryId: Int32Array.from(targetCategoryId),
    noTarget: Uint8Array.from(keep, (r) => t.noTarget[r]),
    split: Uint8Array.from(keep, (r) => t.split[r]),
    splitNames: t.splitNames,
    fileName: all ? t.fileName : stringColumn(keep.map((r) => stringAt(t.fileName, r))),
    sentStart: Uint32Array.from(sentStart),
    sentId: all ? t.sentId : Float64Array.from(sentRows, (s) => t.sentId[s]),
    raw: all ? t.raw : stringColumn(sentRows.map((s) => stringAt(t.raw, s))),
    sent: all ? t.sent : stringColumn(sentRows.map((s) => stringAt(t.sent, s))),
    tokenExceptions,
    warnings,
  };
}

/**
 * gRefCOCO's tables as the store's refs: the targets become RefTables.targets, and the
 * single-object columns hold the one target (or -1) and the first target's category.
 */
export function gRefsAsRefTables(g: GRefTables): RefTables {
  const refs = g.refId.length;
  const annRow = new Int32Array(refs).fill(-1);
  const categoryId = new Int32Array(refs).fill(-1);
  for (let r = 0; r < refs; r++) {
    const first = g.targetStart[r];
    const count = g.targetStart[r + 1] - first;
    if (count === 1) annRow[r] = g.targetAnnRow[first];
    if (count > 0) categoryId[r] = g.targetCategoryId[first];
  }
  return {
    refId: g.refId,
    annRow,
    imageRow: g.imageRow,
    categoryId,
    targets: { start: g.targetStart, annRow: g.targetAnnRow, categoryId: g.targetCategoryId, noTarget: g.noTarget },
    split: g.split,
    splitNames: g.splitNames,
    fileName: g.fileName,
    sentStart: g.sentStart,
    sentId: g.sentId,
    raw: g.raw,
    sent: g.sent,
    tokenExceptions: g.tokenExceptions,
    warnings: g.warnings,
  };
}

/** The store's refs of a gRefCOCO pair seen as GRefTables again (no copies), for G_REFER's queries. */
export function refTablesAsGRefs(refs: RefTables): GRefTables {
  const { targets } = refs;
  if (!targets || !refs.fileName) throw new DataError('these refs are not gRefCOCO refs: they have no target lists');
  return {
    refId: refs.refId,
    imageRow: refs.imageRow,
    targetStart: targets.start,
    targetAnnRow: targets.annRow,
    targetCategoryId: targets.categoryId,
    noTarget: targets.noTarget,
    split: refs.split,
    splitNames: refs.splitNames,
    fileName: refs.fileName,
    sentStart: refs.sentStart,
    sentId: refs.sentId,
    raw: refs.raw,
    sent: refs.sent,
    tokenExceptions: refs.tokenExceptions,
    warnings: refs.warnings,
  };
}

export function readGRefs(data: Uint8Array, fileName: string, instances: InstancesTables): GRefTables {
  return joinGRefs(parseGRefs(data, fileName), fileName, instances);
}

/** The path of a gRefCOCO pair's refs file: grefs(<splitBy>).p if it exists, else .json. */
export function grefsPath(dataRoot: string, splitBy: string): string {
  const pickle = join(dataRoot, 'grefcoco', `grefs(${splitBy}).p`);
  return existsSync(pickle) ? pickle : join(dataRoot, 'grefcoco', `grefs(${splitBy}).json`);
}

export interface GRefDataset {
  instances: InstancesTables;
  grefs: GRefTables;
}

/** Reads `<dataRoot>/grefcoco/` as G_REFER(dataRoot, 'grefcoco', splitBy) does. */
export function readGRefDataset(dataRoot: string, dataset = 'grefcoco', splitBy = 'unc'): GRefDataset {
  if (dataset !== 'grefcoco') throw new NotFoundError(`no gRefCOCO dataset is called "${dataset}" (only "grefcoco")`);
  const refsFile = grefsPath(dataRoot, splitBy);
  const instancesFile = join(dataRoot, 'grefcoco', 'instances.json');
  for (const file of [refsFile, instancesFile]) if (!existsSync(file)) throw new NotFoundError(`${file}: file not found`);
  const instances = readInstances(readFileSync(instancesFile), instancesFile);
  return { instances, grefs: readGRefs(readFileSync(refsFile), refsFile, instances) };
}
