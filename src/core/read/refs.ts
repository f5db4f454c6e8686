/**
 * Reads a refs(<splitBy>).p pickle into columnar tables, joining each ref to its
 * annotation and image rows. A malformed ref, or one that points at an annotation or
 * image that instances.json does not have, is skipped and counted.
 *
 * Two steps, so that the first can run in a worker thread while instances.json is read:
 * parseRefs needs only the pickle; joinRefs resolves ids to rows of the instances.
 */
import { stringAt, stringColumn } from '../store/columns';
import { DataError } from '../errors';
import { readPickle, type PickleDict, type PickleValue } from './pickle';
import { Problems } from '../problems';
import type { ByteProgress } from './progress';
import type { LoadWarning } from '../problems';
import type { AnnId, RefTables, RefTextTables } from '../store/tables';

export interface RefJoin {
  annRow(id: AnnId): number | undefined;
  imageRow(id: number): number | undefined;
  /** The image of an annotation row. */
  imageOfAnn(annRow: number): number;
  categoryExists(id: number): boolean;
}

function isDict(v: PickleValue | undefined): v is PickleDict {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function isInt(v: PickleValue | undefined): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

interface SentenceRecord { id: number; raw: string; sent: string; tokens: string[] | null }

/** Validates a ref's sentences; returns them or a problem description. */
export function readSentences(ref: PickleDict): SentenceRecord[] | string {
  const list = ref.sentences;
  if (!Array.isArray(list)) return 'sentences must be a list';
  const out: SentenceRecord[] = [];
  for (const s of list) {
    if (!isDict(s) || !isInt(s.sent_id)) return 'a sentence needs an integer sent_id';
    const { raw, sent, tokens } = s;
    if (typeof sent !== 'string' || typeof raw !== 'string') return `sentence ${s.sent_id}: raw and sent must be strings`;
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) return `sentence ${s.sent_id}: tokens must be a list of strings`;
    const tokenList = tokens as string[];
    // Keep tokens only where they are not simply the words of `sent`.
    const derivable = sent !== '' && tokenList.join(' ') === sent && !tokenList.some((t) => t === '' || t.includes(' '));
    out.push({ id: s.sent_id, raw, sent, tokens: derivable ? null : tokenList });
  }
  return out;
}

/** A refs file's columns before the join: ids where RefTables has rows. */
export interface ParsedRefs extends Omit<RefTables, 'annRow' | 'imageRow'> {
  annId: AnnId[];
  imageId: Float64Array;
  /** Position of each ref in the file's list, for messages. */
  fileIndex: Int32Array;
}

/**
 * The split and sentence columns of a refs file, filled ref by ref; shared by the REFER
 * and gRefCOCO readers, whose refs differ only in how they name their objects.
 */
export class RefTextColumns {
  readonly split: number[] = [];
  readonly splitNames: string[] = [];
  private readonly splitIndex = new Map<string, number>();
  readonly sentStart: number[] = [0];
  readonly sentId: number[] = [];
  private readonly raw: string[] = [];
  private readonly sent: string[] = [];
  readonly tokenExceptions: Record<string, string[]> = {};
  private readonly seenSents = new Set<number>();

  constructor(private readonly fileName: string, private readonly kind: string) {}

  /** The first of `sentences` whose sent_id an earlier ref already has. */
  duplicateSentence(sentences: readonly { id: number }[]): { id: number } | undefined {
    return sentences.find((s) => this.seenSents.has(s.id));
  }

  /** One ref's split label and sentences, in file order. */
  add(splitLabel: string, sentences: readonly SentenceRecord[], at: string): void {
    let s = this.splitIndex.get(splitLabel);
    if (s === undefined) {
      s = this.splitNames.push(splitLabel) - 1;
      if (s > 255) throw new DataError(`${this.fileName}: more than 256 distinct split labels (${at}): not a ${this.kind} refs file`);
      this.splitIndex.set(splitLabel, s);
    }
    this.split.push(s);
    for (const sentence of sentences) {
      this.seenSents.add(sentence.id);
      this.sentId.push(sentence.id);
      this.raw.push(sentence.raw);
      if (sentence.tokens) this.tokenExceptions[this.sentId.length - 1] = sentence.tokens;
      this.sent.push(sentence.sent);
    }
    this.sentStart.push(this.sentId.length);
  }

  columns(): RefTextTables {
    return {
      split: Uint8Array.from(this.split),
      splitNames: this.splitNames,
      sentStart: Uint32Array.from(this.sentStart),
      sentId: Float64Array.from(this.sentId),
      raw: stringColumn(this.raw),
      sent: stringColumn(this.sent),
      tokenExceptions: this.tokenExceptions,
    };
  }
}

export function parseRefs(data: Uint8Array, fileName: string, onProgress?: ByteProgress): ParsedRefs {
  const root = readPickle(data, fileName, onProgress);
  if (!Array.isArray(root)) throw new DataError(`${fileName}: expected a pickled list of refs, found ${root === null ? 'None' : typeof root}`);
  const problems = new Problems(fileName);
  const refId: number[] = [];
  const annId: AnnId[] = [];
  const imageId: number[] = [];
  const categoryId: number[] = [];
  const fileIndex: number[] = [];
  const text = new RefTextColumns(fileName, 'REFER');
  const fileNames: string[] = [];
  let hasFileName = false;
  const seenRefs = new Set<number>();

  root.forEach((ref, i) => {
    const where = `ref[${i}]`;
    if (!isDict(ref) || !isInt(ref.ref_id)) return problems.add('a ref needs an integer ref_id', where);
    const at = `${where} (ref_id ${ref.ref_id})`;
    if (seenRefs.has(ref.ref_id)) return problems.add('duplicate ref_id (the first one is kept)', at);
    if (!(isInt(ref.ann_id) || typeof ref.ann_id === 'string')) return problems.add('ann_id must be an integer or a string', at);
    if (!isInt(ref.image_id)) return problems.add('image_id must be an integer', at);
    if (!isInt(ref.category_id) || ref.category_id < -(2 ** 31) || ref.category_id >= 2 ** 31) return problems.add('category_id must be a 32-bit integer', at);
    if (typeof ref.split !== 'string' || ref.split === '') return problems.add('split must be a non-empty string', at);
    const sentences = readSentences(ref);
    if (typeof sentences === 'string') return problems.add(sentences, at);
    const dup = text.duplicateSentence(sentences);
    if (dup) return problems.add('duplicate sent_id (the first one is kept)', `${at}, sent_id ${dup.id}`);

    seenRefs.add(ref.ref_id);
    refId.push(ref.ref_id);
    annId.push(ref.ann_id);
    imageId.push(ref.image_id);
    categoryId.push(ref.category_id);
    fileIndex.push(i);
    if (typeof ref.file_name === 'string') hasFileName = true;
    fileNames.push(typeof ref.file_name === 'string' ? ref.file_name : '');
    text.add(ref.split, sentences, at);
  });

  const parsed: ParsedRefs = {
    refId: Float64Array.from(refId),
    annId,
    imageId: Float64Array.from(imageId),
    categoryId: Int32Array.from(categoryId),
    fileIndex: Int32Array.from(fileIndex),
    ...text.columns(),
    warnings: problems.list(),
  };
  if (hasFileName) parsed.fileName = stringColumn(fileNames);
  return parsed;
}

/** Resolves annotation and image ids to rows; refs that do not resolve are skipped. */
export function joinRefs(parsed: ParsedRefs, fileName: string, join: RefJoin): RefTables {
  const problems = new Problems(fileName);
  const n = parsed.refId.length;
  const annRow = new Int32Array(n);
  const imageRow = new Int32Array(n);
  const keep: number[] = [];
  for (let r = 0; r < n; r++) {
    const at = `ref[${parsed.fileIndex[r]}] (ref_id ${parsed.refId[r]})`;
    const aRow = join.annRow(parsed.annId[r]);
    const iRow = join.imageRow(parsed.imageId[r]);
    if (!join.categoryExists(parsed.categoryId[r])) problems.add('category_id is not in instances.json categories', `${at}, category_id ${parsed.categoryId[r]}`);
    else if (aRow === undefined) problems.add('ann_id is not in instances.json', `${at}, ann_id ${JSON.stringify(parsed.annId[r])}`);
    else if (iRow === undefined) problems.add('image_id is not in instances.json', `${at}, image_id ${parsed.imageId[r]}`);
    else if (join.imageOfAnn(aRow) !== iRow) problems.add("image_id is not the image of the ref's annotation", `${at}, image_id ${parsed.imageId[r]}`);
    else {
      annRow[r] = aRow;
      imageRow[r] = iRow;
      keep.push(r);
    }
  }
  const { annId: _annId, imageId: _imageId, fileIndex: _fileIndex, ...columns } = parsed;
  const warnings: LoadWarning[] = [...parsed.warnings, ...problems.list()];
  if (keep.length === n) return { ...columns, annRow, imageRow, warnings };
  return { ...keepRefs(columns, keep), annRow: Int32Array.from(keep, (r) => annRow[r]), imageRow: Int32Array.from(keep, (r) => imageRow[r]), warnings };
}

/** The columns of the refs `keep` (rows, ascending) and their sentences. */
function keepRefs(t: Omit<RefTables, 'annRow' | 'imageRow'>, keep: number[]): Omit<RefTables, 'annRow' | 'imageRow' | 'warnings'> {
  const sentRows = keep.flatMap((r) => Array.from({ length: t.sentStart[r + 1] - t.sentStart[r] }, (_, k) => t.sentStart[r] + k));
  const sentStart = [0];
  for (const r of keep) sentStart.push(sentStart[sentStart.length - 1] + t.sentStart[r + 1] - t.sentStart[r]);
  const tokenExceptions: Record<string, string[]> = {};
  sentRows.forEach((s, i) => {
    if (t.tokenExceptions[s]) tokenExceptions[i] = t.tokenExceptions[s];
  });
  const kept: Omit<RefTables, 'annRow' | 'imageRow' | 'warnings'> = {
    refId: Float64Array.from(keep, (r) => t.refId[r]),
    categoryId: Int32Array.from(keep, (r) => t.categoryId[r]),
    split: Uint8Array.from(keep, (r) => t.split[r]),
    splitNames: t.splitNames,
    sentStart: Uint32Array.from(sentStart),
    sentId: Float64Array.from(sentRows, (s) => t.sentId[s]),
    raw: stringColumn(sentRows.map((s) => stringAt(t.raw, s))),
    sent: stringColumn(sentRows.map((s) => stringAt(t.sent, s))),
    tokenExceptions,
  };
  if (t.fileName) {
    const fileName = t.fileName;
    kept.fileName = stringColumn(keep.map((r) => stringAt(fileName, r)));
  }
  return kept;
}

export function readRefs(data: Uint8Array, fileName: string, join: RefJoin): RefTables {
  return joinRefs(parseRefs(data, fileName), fileName, join);
}
