/**
 * Reads a refs(<splitBy>).p pickle into columnar tables, joining each ref to its
 * annotation and image rows. A malformed ref, or one that points at an annotation or
 * image that instances.json does not have, is skipped and counted.
 */
import { stringColumn } from './columns';
import { DataError } from './errors';
import { readPickle, type PickleDict, type PickleValue } from './pickle';
import { Problems } from './problems';
import type { AnnId, RefTables } from './tables';

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
function readSentences(ref: PickleDict): SentenceRecord[] | string {
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

export function readRefs(data: Uint8Array, fileName: string, join: RefJoin): RefTables {
  const root = readPickle(data, fileName);
  if (!Array.isArray(root)) throw new DataError(`${fileName}: expected a pickled list of refs, found ${root === null ? 'None' : typeof root}`);
  const problems = new Problems(fileName);
  const refId: number[] = [];
  const annRow: number[] = [];
  const imageRow: number[] = [];
  const categoryId: number[] = [];
  const split: number[] = [];
  const splitNames: string[] = [];
  const splitIndex = new Map<string, number>();
  const fileNames: string[] = [];
  let hasFileName = false;
  const sentStart: number[] = [0];
  const sentId: number[] = [];
  const raw: string[] = [];
  const sent: string[] = [];
  const tokenExceptions: Record<string, string[]> = {};
  const seenRefs = new Set<number>();
  const seenSents = new Set<number>();

  root.forEach((ref, i) => {
    const where = `ref[${i}]`;
    if (!isDict(ref) || !isInt(ref.ref_id)) return problems.add('a ref needs an integer ref_id', where);
    const at = `${where} (ref_id ${ref.ref_id})`;
    if (seenRefs.has(ref.ref_id)) return problems.add('duplicate ref_id (the first one is kept)', at);
    if (!(isInt(ref.ann_id) || typeof ref.ann_id === 'string')) return problems.add('ann_id must be an integer or a string', at);
    if (!isInt(ref.image_id)) return problems.add('image_id must be an integer', at);
    if (!isInt(ref.category_id) || !join.categoryExists(ref.category_id)) return problems.add('category_id is not in instances.json categories', `${at}, category_id ${String(ref.category_id)}`);
    if (typeof ref.split !== 'string' || ref.split === '') return problems.add('split must be a non-empty string', at);
    const aRow = join.annRow(ref.ann_id);
    if (aRow === undefined) return problems.add('ann_id is not in instances.json', `${at}, ann_id ${JSON.stringify(ref.ann_id)}`);
    const iRow = join.imageRow(ref.image_id);
    if (iRow === undefined) return problems.add('image_id is not in instances.json', `${at}, image_id ${ref.image_id}`);
    if (join.imageOfAnn(aRow) !== iRow) return problems.add("image_id is not the image of the ref's annotation", `${at}, image_id ${ref.image_id}`);
    const sentences = readSentences(ref);
    if (typeof sentences === 'string') return problems.add(sentences, at);
    const dup = sentences.find((s) => seenSents.has(s.id));
    if (dup) return problems.add('duplicate sent_id (the first one is kept)', `${at}, sent_id ${dup.id}`);

    seenRefs.add(ref.ref_id);
    refId.push(ref.ref_id);
    annRow.push(aRow);
    imageRow.push(iRow);
    categoryId.push(ref.category_id);
    let s = splitIndex.get(ref.split);
    if (s === undefined) {
      s = splitNames.push(ref.split) - 1;
      if (s > 255) throw new DataError(`${fileName}: more than 256 distinct split labels (${at}): not a REFER refs file`);
      splitIndex.set(ref.split, s);
    }
    split.push(s);
    if (typeof ref.file_name === 'string') hasFileName = true;
    fileNames.push(typeof ref.file_name === 'string' ? ref.file_name : '');
    for (const sentence of sentences) {
      seenSents.add(sentence.id);
      sentId.push(sentence.id);
      raw.push(sentence.raw);
      if (sentence.tokens) tokenExceptions[sentId.length - 1] = sentence.tokens;
      sent.push(sentence.sent);
    }
    sentStart.push(sentId.length);
  });

  const tables: RefTables = {
    refId: Float64Array.from(refId),
    annRow: Int32Array.from(annRow),
    imageRow: Int32Array.from(imageRow),
    categoryId: Int32Array.from(categoryId),
    split: Uint8Array.from(split),
    splitNames,
    sentStart: Uint32Array.from(sentStart),
    sentId: Float64Array.from(sentId),
    raw: stringColumn(raw),
    sent: stringColumn(sent),
    tokenExceptions,
    warnings: problems.list(),
  };
  if (hasFileName) tables.fileName = stringColumn(fileNames);
  return tables;
}
