/**
 * Expression generation as REFER's evaluation/refEvaluation.py scores it: only the refs
 * given, a repeated ref_id keeping its first position and its last sentence, refs outside
 * the split scored too (they change CIDEr's IDF, so the split-only numbers are given as
 * well), an unknown ref_id or an empty file refused. METEOR and SPICE need Java: null.
 */
import { DataError } from '../core/errors';
import { bleuComps, bleuScores, bleuTotals, type BleuComps } from './bleu';
import { ciderSteps } from './cider';
import type { GroundTruth } from './ground-truth';
import { SentenceCorpus } from './ngrams';
import { numpyMean } from './numpy-sum';
import type { Parsed, SentenceEntry } from './predictions';
import { tokenizeCaption } from './ptb-tokenizer';
import { rougeL } from './rouge';
import { ArrayRows } from './sample-rows';
import { runSteps } from './steps';

/** Refs tokenised or scored between two progress reports. */
const EXPRESSION_STEP = 64;
/** Entries matched, or per-sample rows built, between two progress reports. */
const ROW_STEP = 2048;

export const UNAVAILABLE_METRICS = {
  METEOR: 'not computed: METEOR 1.5 needs Java and its jar, which this server does not run (reported as null, never estimated)',
  SPICE: 'not computed: SPICE needs Java and Stanford CoreNLP (reported as null, never estimated)',
};

/** One ref to score: its tokenised prediction and ground-truth sentences. */
export interface Scored {
  refRow: number;
  pred: string;
  gts: string[];
}

export interface ExpressionScores {
  Bleu_1: number;
  Bleu_2: number;
  Bleu_3: number;
  Bleu_4: number;
  METEOR: null;
  ROUGE_L: number;
  CIDEr: number;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** s.encode('ascii', 'ignore'): non-ASCII characters dropped. */
function asciiOnly(s: string): string {
  return NON_ASCII.test(s) ? s.replace(/[^\x00-\x7f]/g, '') : s;
}

/** refEvaluation's scorers (BLEU, ROUGE-L, CIDEr-D) on tokenised sentences, scored together. */
export function scoreExpressions(items: readonly Scored[]) {
  return runSteps(scoreExpressionSteps(items));
}

function* scoreExpressionSteps(items: readonly Scored[]) {
  const corpus = new SentenceCorpus();
  const hyps: number[] = new Array(items.length);
  const refs: number[][] = new Array(items.length);
  const comps: BleuComps[] = new Array(items.length);
  const perBleu: number[][] = new Array(items.length);
  const rouge: number[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    hyps[i] = corpus.add(it.pred);
    refs[i] = it.gts.map((g) => corpus.add(g));
    comps[i] = bleuComps(corpus, hyps[i], refs[i]);
    perBleu[i] = bleuScores(comps[i]);
    rouge[i] = rougeL(corpus, hyps[i], refs[i]);
    if (i % EXPRESSION_STEP === EXPRESSION_STEP - 1) yield { stage: 'scoring', done: i + 1, total: items.length };
  }
  const cider = yield* ciderSteps(corpus, hyps, refs);
  const totals = bleuTotals(comps);
  const corpusBleu = bleuScores(totals);
  const overall = {
    Bleu_1: corpusBleu[0],
    Bleu_2: corpusBleu[1],
    Bleu_3: corpusBleu[2],
    Bleu_4: corpusBleu[3],
    METEOR: null,
    ROUGE_L: numpyMean(rouge),
    CIDEr: numpyMean(cider.scores),
  };
  return { overall, totals, comps, perBleu, rouge, cider };
}

function scoresOf(s: ReturnType<typeof scoreExpressions>): ExpressionScores {
  return s.overall;
}

export function evaluateExpressions(source: string, gt: GroundTruth, split: string, parsed: Parsed<SentenceEntry>) {
  return runSteps(evaluateExpressionSteps(source, gt, split, parsed));
}

export function* evaluateExpressionSteps(source: string, gt: GroundTruth, split: string, parsed: Parsed<SentenceEntry>) {
  const { entries } = parsed;
  if (entries.length === 0) throw new DataError(`${source}: no predictions: refEvaluation needs at least one {"ref_id", "sent"}`);
  const splitRefs = gt.universe(split).refRows;
  const universe = splitRefs.length;
  const inSplitRow = new Uint8Array(gt.rowCount('ref'));
  for (const r of splitRefs) inSplitRow[r] = 1;
  const inSplit = { has: (row: number) => inSplitRow[row] === 1 };
  // Dict semantics: insertion order of the first entry, value of the last.
  const sentOfRef = new Map<number, string>();
  const rowOfRef = new Map<number, number>();
  let duplicates = 0;
  const unknownEntries: { entry: number; ref_id: number; in_dataset: boolean }[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const row = gt.rowOfId('ref', e.id);
    if (row < 0) throw new DataError(`${source}: prediction ${e.index}: ref_id ${e.id} is not a ref of ${gt.name} (refEvaluation raises KeyError)`);
    if (sentOfRef.has(e.id)) duplicates++;
    sentOfRef.set(e.id, e.sent);
    rowOfRef.set(e.id, row);
    if (!inSplit.has(row)) unknownEntries.push({ entry: e.index, ref_id: e.id, in_dataset: true });
    if (i % ROW_STEP === ROW_STEP - 1) yield { stage: 'matching', done: i + 1, total: entries.length };
  }
  const items: Scored[] = [];
  for (const [refId, sent] of sentOfRef) {
    const refRow = rowOfRef.get(refId)!;
    items.push({ refRow, pred: tokenizeCaption(sent), gts: gt.refSentences(refRow).map((s) => tokenizeCaption(asciiOnly(s))) });
    if (items.length % EXPRESSION_STEP === 0) yield { stage: 'tokenising', done: items.length, total: sentOfRef.size };
  }
  const scored = yield* scoreExpressionSteps(items);
  const inSplitItems = items.filter((it) => inSplit.has(it.refRow));
  const evaluatedInSplit = inSplitItems.length;
  const perSample: (ExpressionScores & Record<string, unknown>)[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const b = scored.perBleu[i];
    const c: BleuComps = scored.comps[i];
    perSample.push({
      ref_id: gt.refId(it.refRow),
      Bleu_1: b[0],
      Bleu_2: b[1],
      Bleu_3: b[2],
      Bleu_4: b[3],
      METEOR: null,
      ROUGE_L: scored.rouge[i],
      CIDEr: scored.cider.scores[i],
      pred: it.pred,
      gts: it.gts,
      bleu_comps: c,
      in_split: inSplit.has(it.refRow),
    });
    if (i % ROW_STEP === ROW_STEP - 1) yield { stage: 'per-sample rows', done: i + 1, total: items.length };
  }
  const splitOnly = evaluatedInSplit < items.length && evaluatedInSplit > 0 ? scoresOf(yield* scoreExpressionSteps(inSplitItems)) : undefined;
  const duplicateRateBlock = yield* duplicateRateSteps(gt, sentOfRef, rowOfRef);
  yield { stage: 'summarising', done: items.length, total: items.length };
  const categories = yield* perGroupSteps(items, perSample, (it) => gt.categoryId(it.refRow));
  const splits = gt.splitLabelsOf(split).length < 2 ? [] : yield* perGroupSteps(items, perSample, (it) => gt.splitLabel(it.refRow));
  const report = {
    task: 'expressions' as const,
    counts: { split_refs: universe, tokenizer_unsafe_skipped: 0, universe, entries: entries.length, evaluated: items.length, missing: universe - evaluatedInSplit, duplicates, unknown: unknownEntries.length },
    overall: { ...scored.overall, bleu_totals: scored.totals, cider_num_refs: scored.cider.numRefs, cider_log_num_refs: scored.cider.logNumRefs, unavailable: UNAVAILABLE_METRICS },
    overall_split_only: splitOnly,
    overall_duplicate_rate: duplicateRateBlock,
    per_category: categories.map(([id, scores]) => ({ category_id: id, name: gt.categoryName(id), ...scores })),
    per_split: splits.map(([label, scores]) => ({ split: label, ...scores })),
    unknown_entries: unknownEntries,
    per_sample: new ArrayRows(perSample),
  };
  return report;
}

/** Mean per-ref scores of each group, a group a step (BLEU here is the mean of per-ref BLEU, not a corpus BLEU). */
function* perGroupSteps<K>(items: readonly Scored[], samples: readonly ExpressionScores[], keyOf: (it: Scored) => K) {
  const groups = new Map<K, number[]>();
  items.forEach((it, i) => {
    const k = keyOf(it);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(i);
  });
  const out: [K, { n: number; Bleu_4: number; ROUGE_L: number; CIDEr: number }][] = [];
  for (const [k, idx] of groups) {
    out.push([k, { n: idx.length, Bleu_4: numpyMean(idx.map((i) => samples[i].Bleu_4)), ROUGE_L: numpyMean(idx.map((i) => samples[i].ROUGE_L)), CIDEr: numpyMean(idx.map((i) => samples[i].CIDEr)) }]);
    yield { stage: 'per category', done: out.length, total: groups.size };
  }
  return out;
}

/** pyEvalDemo.ipynb section 2: images whose predicted (raw) sentences are not all distinct. */
function* duplicateRateSteps(gt: GroundTruth, sentOfRef: ReadonlyMap<number, string>, rowOfRef: ReadonlyMap<number, number>) {
  const byImage = new Map<number, string[]>();
  for (const [refId, sent] of sentOfRef) {
    const image = gt.imageId(rowOfRef.get(refId)!);
    let sents = byImage.get(image);
    if (!sents) byImage.set(image, (sents = []));
    sents.push(sent);
    if (byImage.size % ROW_STEP === 0 && sents.length === 1) yield { stage: 'duplicate rate', done: byImage.size, total: sentOfRef.size };
  }
  let duplicateImages = 0;
  for (const sents of byImage.values()) if (new Set(sents).size < sents.length) duplicateImages++;
  return { duplicate_images: duplicateImages, images: byImage.size, percent: (100 * duplicateImages) / byImage.size };
}
