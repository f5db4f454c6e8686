/**
 * Comprehension accuracy: a predicted box against the ref's box (getRefBox), per
 * sentence or per ref, with the published computeIoU and the continuous IoU.
 *
 * The hot path is typed arrays end to end: predictions as one Float64Array (four numbers
 * an entry), the GT boxes of the universe by position, IoUs by position; the per-sample
 * rows stay columns over those arrays (box-sample-rows.ts).
 */
import { DataError } from '../core/errors';
import { continuousIouAt, continuousUnionAt, publishedIouAt, publishedUnionAt } from './box-iou';
import { BoxSampleRows } from './box-sample-rows';
import { CONTINUOUS_ZERO, emptyBoxScores, PUBLISHED_ZERO, ZERO_DIVISION, type BoxScores } from './box-scores';
import { allPositions, perCategorySteps, perSplitSteps, type CategoryBreakdown, type SplitBreakdown } from './breakdown';
import type { GroundTruth } from './ground-truth';
import { matchCounts, matchIdSteps, refRowOf, type Matching } from './matching';
import { numpyMean } from './numpy-sum';
import { toPixelXywh, type BoxFormat, type BoxPredictions, type BoxScale } from './predictions';
import { unknownEntryRows, type IdKey } from './report-rows';
import { runSteps, type Steps } from './steps';

/** Boxes scored between two progress reports (a few hundred µs of work). */
const BOX_STEP = 4096;

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

/**
 * Universe positions [from, to): the entry matched there (entryAt), its pixel box in
 * `pred` (four numbers an entry) against the position's GT box in `truth`.
 */
function scoreBoxRange(entryAt: Int32Array, pred: Float64Array, truth: Float64Array, scores: BoxScores, from: number, to: number): void {
  const { published, continuous } = scores;
  for (let p = from; p < to; p++) {
    const e = entryAt[p];
    if (e < 0) continue;
    const a = e * 4;
    const g = p * 4;
    const iou = publishedIouAt(pred, a, truth, g);
    const iouContinuous = continuousIouAt(pred, a, truth, g);
    published[p] = iou;
    continuous[p] = iouContinuous;
    // Only a non-finite quotient can come from a zero union: the rare path.
    if (!Number.isFinite(iou) || !Number.isFinite(iouContinuous)) flagZeroUnion(pred, a, truth, g, scores, p);
  }
}

function flagZeroUnion(pred: Float64Array, a: number, truth: Float64Array, g: number, scores: BoxScores, p: number): void {
  if (publishedUnionAt(pred, a, truth, g) === 0) {
    scores.zeroUnion[p] |= PUBLISHED_ZERO;
    scores.published[p] = 0;
    scores.publishedErrors++;
  }
  if (continuousUnionAt(pred, a, truth, g) === 0) {
    scores.zeroUnion[p] |= CONTINUOUS_ZERO;
    scores.continuous[p] = 0;
  }
}

/**
 * Both IoUs of every matched universe position; `pred` the entries' pixel boxes
 * (pixelBoxSteps). What the Python figure times, with the id matching before it.
 */
export function scoreBoxes(gt: GroundTruth, m: Matching, pred: Float64Array, split: string): BoxScores {
  const scores = emptyBoxScores(m.rows.length);
  scoreBoxRange(m.entryAt, pred, gt.universeBoxes(m.unit, split), scores, 0, m.rows.length);
  return scores;
}

function* boxScoreSteps(gt: GroundTruth, m: Matching, pred: Float64Array, split: string): Steps<BoxScores> {
  const n = m.rows.length;
  const scores = emptyBoxScores(n);
  const truth = gt.universeBoxes(m.unit, split);
  for (let from = 0; from < n; from += BOX_STEP) {
    scoreBoxRange(m.entryAt, pred, truth, scores, from, Math.min(n, from + BOX_STEP));
    yield { stage: 'scoring', done: Math.min(n, from + BOX_STEP), total: n };
  }
  return scores;
}

const isPlainPixels = (options: BoxOptions) => options.boxFormat === 'xywh' && options.boxScale === 'pixels';

/** The entries' boxes as [x, y, w, h] in pixels of their ref's image: the file's own array when written so. */
function* pixelBoxSteps(gt: GroundTruth, predictions: BoxPredictions, options: BoxOptions): Steps<Float64Array> {
  const { ids, boxes, unit } = predictions;
  if (isPlainPixels(options)) return boxes;
  const pixels = new Float64Array(boxes.length);
  for (let e = 0; e < ids.length; e++) {
    const row = gt.rowOfId(unit, ids[e]);
    const at = e * 4;
    const written = boxes.subarray(at, at + 4);
    // An id the pair does not know has no image: its box stays as written (nothing scores it).
    if (row < 0) pixels.set(written, at);
    else {
      const [h, w] = gt.imageSize(refRowOf(gt, unit, row));
      pixels.set(toPixelXywh(written, options.boxFormat, options.boxScale, h, w), at);
    }
    if (e % BOX_STEP === BOX_STEP - 1) yield { stage: 'converting boxes', done: e + 1, total: ids.length };
  }
  return pixels;
}

/** The per-sample rows, in universe order: the matched positions, their entries and ref ids (no object per row). */
function sampleRows(gt: GroundTruth, m: Matching, split: string, ids: Float64Array, pred: Float64Array, scores: BoxScores, options: BoxOptions): BoxSampleRows {
  const { unit, entryAt } = m;
  const refRows = gt.universeRefRows(unit, split);
  let n = 0;
  for (let p = 0; p < entryAt.length; p++) if (entryAt[p] >= 0) n++;
  const positions = new Int32Array(n);
  const entries = new Int32Array(n);
  const refIds = new Float64Array(n);
  for (let p = 0, i = 0; p < entryAt.length; p++) {
    if (entryAt[p] < 0) continue;
    positions[i] = p;
    entries[i] = entryAt[p];
    refIds[i++] = gt.refId(refRows[p]);
  }
  return new BoxSampleRows({ unit, continuous: options.iou === 'continuous', positions, entries, refIds, ids, pred, truth: gt.universeBoxes(unit, split), scores });
}

/** Blocks over groups of universe positions of one IoU (NaN where nothing was predicted). */
function blockOf(ious: Float64Array, matched: Int32Array, thresholds: readonly number[]) {
  const values = new Float64Array(ious.length);
  return (positions: ArrayLike<number>, includeMissing: boolean): BoxBlock => {
    let n = 0;
    for (let k = 0; k < positions.length; k++) {
      const p = positions[k];
      if (matched[p] < 0 && !includeMissing) continue;
      const v = ious[p];
      values[n++] = Number.isNaN(v) ? 0 : v;
    }
    const correct: Record<string, number> = {};
    const accuracy: Record<string, number> = {};
    for (const t of thresholds) {
      let c = 0;
      for (let k = 0; k < n; k++) if (values[k] >= t) c++;
      correct[String(t)] = c;
      accuracy[String(t)] = n ? c / n : 0;
    }
    return { n, correct, accuracy, mean_iou: n ? numpyMean(values.subarray(0, n)) : 0 };
  };
}

type EntryLoop = { error: { type: string; message: string } } | { n: number; 'correct_0.5': number; 'accuracy_0.5': number };

/** MAttNet's loop: every entry in file order, no split filter; stops where the reference raises. */
function* entryLoopSteps(gt: GroundTruth, predictions: BoxPredictions, pred: Float64Array): Steps<EntryLoop> {
  const { ids, unit } = predictions;
  const column = gt.boxColumn;
  const offsets = gt.refBoxOffsets();
  let correct = 0;
  for (let e = 0; e < ids.length; e++) {
    if (e % BOX_STEP === BOX_STEP - 1) yield { stage: 'entry loop', done: e, total: ids.length };
    const row = gt.rowOfId(unit, ids[e]);
    if (row < 0) return { error: { type: 'KeyError', message: String(ids[e]) } };
    const g = offsets[refRowOf(gt, unit, row)];
    const iou = publishedIouAt(pred, e * 4, column, g);
    if (!Number.isFinite(iou) && publishedUnionAt(pred, e * 4, column, g) === 0) return { error: ZERO_DIVISION };
    if (iou >= 0.5) correct++;
  }
  const n = ids.length;
  return { n, 'correct_0.5': correct, 'accuracy_0.5': n ? correct / n : 0 };
}

export function evaluateBoxes(gt: GroundTruth, split: string, predictions: BoxPredictions, options: BoxOptions) {
  return runSteps(evaluateBoxSteps(gt, split, predictions, options));
}

export function* evaluateBoxSteps(gt: GroundTruth, split: string, predictions: BoxPredictions, options: BoxOptions) {
  const { unit, ids } = predictions;
  const m: Matching = yield* matchIdSteps(gt, unit, split, ids);
  const n = m.rows.length;
  const pred = yield* pixelBoxSteps(gt, predictions, options);
  const scores = yield* boxScoreSteps(gt, m, pred, split);
  const samples = sampleRows(gt, m, split, ids, pred, scores, options);
  const summarising = { stage: 'summarising', done: n, total: n };
  const thresholds = options.thresholds;
  const publishedBlock = blockOf(scores.published, m.entryAt, thresholds);
  const continuousBlock = blockOf(scores.continuous, m.entryAt, thresholds);
  const headline = options.iou === 'published' ? publishedBlock : continuousBlock;
  const all = allPositions(n);
  yield summarising;
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
    published_errors: scores.publishedErrors,
    iou: options.iou,
    accuracy: (options.iou === 'published' ? given : givenContinuous).accuracy['0.5'] ?? null,
    accuracy_all: (options.iou === 'published' ? publishedAll : allContinuous).accuracy['0.5'] ?? null,
    entry_loop: yield* entryLoopSteps(gt, predictions, pred),
  };
  const key: IdKey = unit === 'sent' ? 'sent_id' : 'ref_id';
  const refRows = gt.universeRefRows(unit, split);
  const categories = (yield* perCategorySteps(gt, refRows, headline)) as CategoryBreakdown<BoxBlock>[];
  const splits = (yield* perSplitSteps(gt, split, refRows, headline)) as SplitBreakdown<BoxBlock>[];
  return {
    task: 'boxes' as const,
    counts: matchCounts(m, ids.length),
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
