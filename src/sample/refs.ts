/**
 * Refs of a generated dataset: exact ref and sentence counts per split, expressions in
 * the dataset's style, and the pickled list in the shape REFER's refs(<splitBy>).p has.
 */
import { PickleText, type Picklable } from './pickle-writer';
import { partition, type Random } from './random';
import { expressionTokens, rawExpression, type Category, type ExpressionStyle } from './vocabulary';

export interface Sentence {
  sentId: number;
  raw: string;
  tokens: string[];
}

export interface Ref {
  annId: number | string;
  imageId: number;
  category: Category;
  person: boolean;
  /** REFER's made-up `file_name`; absent in RefClef. */
  fileName?: string;
  /** Split label per splitBy, e.g. { unc: 'testA', google: 'train' }. */
  splits: Record<string, string>;
  sentenceCount: number;
  sentences: Sentence[];
}

/** `n` at `fraction` of full scale: at least 1. */
export function scaled(n: number, fraction: number): number {
  return Math.max(1, Math.round(n * fraction));
}

/** Every split label REFER uses; Python interns such literals, so the pickles share them. */
export const SPLIT_NAMES = ['train', 'val', 'test', 'testA', 'testB', 'testC', 'testAB', 'testBC', 'testAC'];

/** Hands out exactly `sentences` sentences over `refs` (at least one each). */
export function assignSentenceCounts(rng: Random, refs: readonly Ref[], sentences: number): void {
  const cap = Math.max(4, Math.ceil(sentences / Math.max(1, refs.length)) + 3);
  const counts = partition(rng, sentences, refs.length, cap);
  refs.forEach((ref, i) => (ref.sentenceCount = counts[i]));
}

/** Writes each ref's expressions; sent_ids run from 0 in the order of `refs`. */
export function writeSentences(rng: Random, refs: readonly Ref[], style: ExpressionStyle): number {
  let sentId = 0;
  for (const ref of refs) {
    for (let k = 0; k < ref.sentenceCount; k++) {
      const tokens = expressionTokens(rng, ref.category, style, ref.person);
      ref.sentences.push({ sentId: sentId++, raw: rawExpression(rng, tokens), tokens });
    }
  }
  return sentId;
}

function sentenceRecord(s: Sentence): Picklable {
  // ' '.join([word]) is `word` itself in Python: a one-token sentence's sent is its token.
  const single = s.tokens.length === 1 ? new PickleText(s.tokens[0]) : undefined;
  return {
    tokens: single ? [single] : s.tokens,
    raw: s.raw,
    sent_id: s.sentId,
    sent: single ?? s.tokens.join(' '),
  };
}

/**
 * The list REFER pickles for one splitBy. Keys are in the order Python 2's dict gave
 * them in the real files. `refIds[i]` is the ref_id of `refs[i]`.
 */
export function refsRecords(refs: readonly Ref[], splitBy: string, refIds: readonly number[]): Picklable[] {
  return refs.map((ref, i) => {
    const record: Record<string, Picklable> = { sent_ids: ref.sentences.map((s) => s.sentId) };
    if (ref.fileName !== undefined) record.file_name = ref.fileName;
    record.ann_id = ref.annId;
    record.ref_id = refIds[i];
    record.image_id = ref.imageId;
    record.split = ref.splits[splitBy];
    record.sentences = ref.sentences.map(sentenceRecord);
    record.category_id = ref.category.id;
    return record;
  });
}

export function countSentences(refs: readonly Ref[]): number {
  let n = 0;
  for (const ref of refs) n += ref.sentences.length;
  return n;
}

/** Refs per split label, in first-seen order. */
export function splitCounts(refs: readonly Ref[], splitBy: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const ref of refs) {
    const split = ref.splits[splitBy];
    counts[split] = (counts[split] ?? 0) + 1;
  }
  return counts;
}

/** `n` split labels over `ratios`, by largest remainder, each label at least once when
 * there is room. */
export function apportion(n: number, ratios: Record<string, number>): Record<string, number> {
  const names = Object.keys(ratios);
  const total = names.reduce((t, k) => t + ratios[k], 0);
  const exact = names.map((k) => (n * ratios[k]) / total);
  const counts = exact.map((x) => (n >= names.length ? Math.max(1, Math.floor(x)) : Math.floor(x)));
  let left = n - counts.reduce((t, c) => t + c, 0);
  const order = names.map((_, i) => i).sort((a, b) => exact[b] - Math.floor(exact[b]) - (exact[a] - Math.floor(exact[a])));
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k]]++;
  for (let k = counts.length - 1; left < 0; k = (k - 1 + counts.length) % counts.length) {
    if (counts[k] > 1) {
      counts[k]--;
      left++;
    }
  }
  return Object.fromEntries(names.map((k, i) => [k, counts[i]]));
}

/** One refs(<splitBy>).p: its refs in file order and their ref_ids. */
export interface PairRefs {
  splitBy: string;
  refs: Ref[];
  refIds: number[];
}

/** A dataset ready to be written: its pairs' refs and a writer for its instances.json. */
export interface BuiltDataset {
  name: string;
  images: number;
  annotations: number;
  /** Writes instances.json to `path`; returns its size in bytes. */
  writeInstances(path: string): number;
  pairs: PairRefs[];
}
