/**
 * Comprehension accuracy: a predicted box against the ref's box (getRefBox), per
 * sentence or per ref, with the published computeIoU and the continuous IoU.
 */
import { DataError } from '../core/errors';
import { continuousIou, publishedIou } from './box-iou';
import { perCategory, perSplit, type CategoryBreakdown, type SplitBreakdown } from './breakdown';
import type { GroundTruth } from './ground-truth';
import { matchCounts, matchEntrySteps, refRowOf, type Matching } from './matching';
import { numpyMean } from './numpy-sum';
import { toPixelXywh, type BoxEntry, type BoxFormat, type BoxScale, type Parsed } from './predictions';
import { unknownEntryRows, type IdKey } from './report-rows';
import { runSteps, type Steps } from './steps';

/** Boxes scored between two progress reports. */
const BOX_STEP = 2048;

export type IouConvention = 'published' | 'continuous';
export const IOU_CONVENTIONS: readonly IouConvention[] = ['published', 'continuous'];
export const DEFAULT_BOX_THRESHOLDS: readonly number[] = [0.25, 0.5, 0.75, 0.9];

export interface BoxOptions {
  thresholds: readonly number[];
  iou: IouConvention;
  boxFormat: BoxFormat;
  boxScale: BoxScale;
}

export interface BoxBlock {
  n: number;
  correct: Record<string, number>;
  accuracy: Record<string, number>;
  mean_iou: number;
}

export interface BoxSample {
  sent_id?: number;
  ref_id: number;
  gt: number[];
  entry: number;
  pred: number[];
  iou: number | null;
  iou_continuous: number | null;
  hit: boolean;
  error?: { type: string; message: string };
}

const ZERO_DIVISION = { type: 'ZeroDivisionError', message: 'float division by zero' };

/** IoUs over universe positions: null where computeIoU divides by zero; NaN where nothing was predicted. */
function blockOf(ious: Float64Array, matched: Int32Array, thresholds: readonly number[]) {
  return (positions: readonly number[], includeMissing: boolean): BoxBlock => {
    const values: number[] = [];
    for (const p of positions) {
      if (matched[p] < 0 && !includeMissing) continue;
      const v = ious[p];
      values.push(Number.isNaN(v) ? 0 : v);
    }
    const correct: Record<string, number> = {};
    const accuracy: Record<string, number> = {};
    for (const t of thresholds) {
      let c = 0;
      for (const v of values) if (v >= t) c++;
      correct[String(t)] = c;
      accuracy[String(t)] = values.length ? c / values.length : 0;
    }
    return { n: values.length, correct, accuracy, mean_iou: values.length ? numpyMean(values) : 0 };
  };
}

type EntryLoop = { error: { type: string; message: string } } | { n: number; 'correct_0.5': number; 'accuracy_0.5': number };

/** MAttNet's loop: every entry in file order, no split filter; stops where the reference raises. */
function* entryLoopSteps(gt: GroundTruth, parsed: Parsed<BoxEntry>, toPixels: (box: [number, number, number, number], refRow: number) => number[]): Steps<EntryLoop> {
  let correct = 0;
  for (let i = 0; i < parsed.entries.length; i++) {
    const e = parsed.entries[i];
    if (i % BOX_STEP === BOX_STEP - 1) yield { stage: 'entry loop', done: i, total: parsed.entries.length };
    const row = gt.rowOfId(parsed.unit, e.id);
    if (row < 0) return { error: { type: 'KeyError', message: String(e.id) } };
    const refRow = refRowOf(gt, parsed.unit, row);
    const iou = publishedIou(toPixels(e.box, refRow), gt.refBox(refRow));
    if (iou === null) return { error: ZERO_DIVISION };
    if (iou >= 0.5) correct++;
  }
  const n = parsed.entries.length;
  return { n, 'correct_0.5': correct, 'accuracy_0.5': n ? correct / n : 0 };
}

/**
 * Both IoUs of every matched universe position (NaN where nothing was predicted; a
 * published-IoU division by zero as 0) and, unless `withRows` is false, the per-sample rows.
 */
export function scoreBoxSamples(gt: GroundTruth, m: Matching, entries: readonly BoxEntry[], options: BoxOptions, toPixels: PixelBoxes, withRows = true): BoxScores {
  const scores = emptyScores(m.rows.length);
  scoreBoxRange(gt, m, entries, options, toPixels, withRows, scores, 0, m.rows.length);
  return scores;
}

type PixelBoxes = (box: [number, number, number, number], refRow: number) => number[];

export interface BoxScores {
  published: Float64Array;
  continuous: Float64Array;
  publishedErrors: number;
  samples: BoxSample[];
}

function emptyScores(n: number): BoxScores {
  return { published: new Float64Array(n).fill(NaN), continuous: new Float64Array(n).fill(NaN), publishedErrors: 0, samples: [] };
}

/** scoreBoxSamples in slices: the hot loop stays a plain function, the generator only steps it. */
export function* boxScoreSteps(gt: GroundTruth, m: Matching, entries: readonly BoxEntry[], options: BoxOptions, toPixels: PixelBoxes, withRows = true): Steps<BoxScores> {
  const n = m.rows.length;
  const scores = emptyScores(n);
  for (let from = 0; from < n; from += BOX_STEP) {
    scoreBoxRange(gt, m, entries, options, toPixels, withRows, scores, from, Math.min(n, from + BOX_STEP));
    yield { stage: 'scoring', done: Math.min(n, from + BOX_STEP), total: n };
  }
  return scores;
}

/** Universe positions [from, to) scored into `scores`. */
function scoreBoxRange(gt: GroundTruth, m: Matching, entries: readonly BoxEntry[], options: BoxOptions, toPixels: PixelBoxes, withRows: boolean, scores: BoxScores, from: number, to: number): void {
  const { unit } = m;
  const boxes = gt.boxColumn;
  const offsets = gt.refBoxOffsets();
  for (let p = from; p < to; p++) {
    const e = m.entryAt[p];
    if (e < 0) continue;
    const refRow = refRowOf(gt, unit, m.rows[p]);
    const pred = toPixels(entries[e].box, refRow);
    const offset = offsets[refRow];
    const iou = publishedIou(pred, boxes, offset);
    const iouContinuous = continuousIou(pred, boxes, offset);
    if (iou === null) scores.publishedErrors++;
    scores.published[p] = iou ?? 0;
    scores.continuous[p] = iouContinuous ?? 0;
    const chosen = options.iou === 'published' ? iou : iouContinuous;
    if (!withRows) continue;
    // sent_id first, as the golden rows have it; undefined is left out of the JSON.
    const sample: BoxSample = { sent_id: unit === 'sent' ? entries[e].id : undefined, ref_id: gt.refId(refRow), gt: [boxes[offset], boxes[offset + 1], boxes[offset + 2], boxes[offset + 3]], entry: e, pred, iou, iou_continuous: iouContinuous, hit: chosen !== null && chosen >= 0.5 };
    if (iou === null) sample.error = ZERO_DIVISION;
    scores.samples.push(sample);
  }
}

/** A box as written, in pixels [x, y, w, h] of its ref's image. */
export function pixelBoxes(gt: GroundTruth, options: BoxOptions) {
  return (box: [number, number, number, number], refRow: number): number[] => {
    if (options.boxFormat === 'xywh' && options.boxScale === 'pixels') return box;
    const [h, w] = gt.imageSize(refRow);
    return toPixelXywh(box, options.boxFormat, options.boxScale, h, w);
  };
}

export function evaluateBoxes(gt: GroundTruth, split: string, parsed: Parsed<BoxEntry>, options: BoxOptions) {
  return runSteps(evaluateBoxSteps(gt, split, parsed, options));
}

export function* evaluateBoxSteps(gt: GroundTruth, split: string, parsed: Parsed<BoxEntry>, options: BoxOptions) {
  const { unit, entries } = parsed;
  const m: Matching = yield* matchEntrySteps(gt, unit, split, entries);
  const rows = m.rows;
  const toPixels = pixelBoxes(gt, options);
  const { published, continuous, publishedErrors, samples } = yield* boxScoreSteps(gt, m, entries, options, toPixels);
  const summarising = { stage: 'summarising', done: rows.length, total: rows.length };
  const thresholds = options.thresholds;
  const publishedBlock = blockOf(published, m.entryAt, thresholds);
  const continuousBlock = blockOf(continuous, m.entryAt, thresholds);
  const headline = options.iou === 'published' ? publishedBlock : continuousBlock;
  const all = Array.from(rows.keys());
  const given = publishedBlock(all, false);
  yield summarising;
  const publishedAll = publishedBlock(all, true);
  yield summarising;
  const givenContinuous = continuousBlock(all, false);
  yield summarising;
  const allContinuous = continuousBlock(all, true);
  yield summarising;
  const overall = {
    given,
    all: publishedAll,
    given_continuous: givenContinuous,
    all_continuous: allContinuous,
    published_errors: publishedErrors,
    iou: options.iou,
    accuracy: (options.iou === 'published' ? given : givenContinuous).accuracy['0.5'] ?? null,
    accuracy_all: (options.iou === 'published' ? publishedAll : allContinuous).accuracy['0.5'] ?? null,
    entry_loop: yield* entryLoopSteps(gt, parsed, toPixels),
  };
  const key: IdKey = unit === 'sent' ? 'sent_id' : 'ref_id';
  const categories = perCategory(gt, unit, rows, headline) as CategoryBreakdown<BoxBlock>[];
  yield summarising;
  const splits = perSplit(gt, unit, rows, headline) as SplitBreakdown<BoxBlock>[];
  yield summarising;
  return {
    task: 'boxes' as const,
    counts: matchCounts(m, entries.length),
    overall,
    per_category: categories,
    per_split: splits,
    missing_ids: missingIds(gt, m),
    overridden_entries: m.overriddenEntries,
    unknown_entries: unknownEntryRows(key, m.unknownEntries),
    per_sample: samples,
  };
}

export function missingIds(gt: GroundTruth, m: Matching): number[] {
  const ids: number[] = [];
  for (let p = 0; p < m.rows.length; p++) if (m.entryAt[p] < 0) ids.push(gt.idOfRow(m.unit, m.rows[p]));
  return ids;
}

export function checkThresholds(thresholds: readonly number[]): void {
  for (const t of thresholds) if (!(t >= 0 && t <= 1)) throw new DataError(`thresholds must be numbers in [0, 1], got ${t}`);
}
