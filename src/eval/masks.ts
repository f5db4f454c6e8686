/**
 * Referring segmentation as LAVT's test.py scores it: per sample I = |P∧G|, U = |P∨G|,
 * iou = I/U (0 when U = 0); mIoU the numpy mean of iou, oIoU = ΣI/ΣU, precision@X the
 * share with iou ≥ X. The GT is the union mask of the ref's object.
 */
import { DataError } from '../core/errors';
import { rleFromCounts, rleFromString, type Rle } from '../mask';
import { missingIds } from './boxes';
import { allPositions, perCategorySteps, perSplitSteps, type BlockOf } from './breakdown';
import type { GroundTruth, Unit } from './ground-truth';
import { intersectionArea, maskArea } from './mask-overlap';
import { idsOf, matchCounts, matchIdSteps, refRowOf, type Matching } from './matching';
import { numpyMean } from './numpy-sum';
import type { MaskEntry, Parsed } from './predictions';
import { unknownEntryRows } from './report-rows';
import { runSteps, type Steps } from './steps';

export const MASK_THRESHOLDS: readonly number[] = [0.5, 0.6, 0.7, 0.8, 0.9];

export interface MaskBlock {
  n: number;
  mIoU: number;
  oIoU: number | null;
  cum_I: number;
  cum_U: number;
  precision_correct: Record<string, number>;
  precision: Record<string, number>;
}

export interface MaskSample {
  sent_id?: number;
  ref_id: number;
  gt_area: number;
  entry: number;
  pred_area: number;
  I: number;
  U: number;
  iou: number;
  hit: boolean;
}

/** The predicted mask of an entry, checked against the size of the ref's image. */
export function predictedMask(source: string, entry: MaskEntry, h: number, w: number): Rle {
  const [ph, pw] = entry.size;
  if (ph !== h || pw !== w) throw new DataError(`${source}: prediction ${entry.index}: segmentation.size is [${ph}, ${pw}], but the image is [${h}, ${w}] ([height, width])`);
  let rle: Rle;
  try {
    rle = typeof entry.counts === 'string' ? rleFromString(entry.counts, h, w) : rleFromCounts(entry.counts, h, w);
  } catch (e) {
    throw new DataError(`${source}: prediction ${entry.index}: segmentation.counts is not a valid RLE: ${(e as Error).message}`);
  }
  let total = 0;
  for (const c of rle.counts) total += c;
  if (total !== h * w) throw new DataError(`${source}: prediction ${entry.index}: segmentation.counts sum to ${total} pixels, but a ${h}x${w} mask has ${h * w}`);
  return rle;
}

/** Per-position I, U, iou; a missing prediction is the empty mask (I = 0, U = the GT's area). */
export interface MaskScores {
  I: Float64Array;
  U: Float64Array;
  iou: Float64Array;
}

function blockOf(scores: MaskScores, matched: Int32Array): BlockOf<MaskBlock> {
  const ious = new Float64Array(matched.length);
  return (positions, includeMissing) => {
    let n = 0;
    let cumI = 0;
    let cumU = 0;
    for (let k = 0; k < positions.length; k++) {
      const p = positions[k];
      if (matched[p] < 0 && !includeMissing) continue;
      ious[n++] = scores.iou[p];
      cumI += scores.I[p];
      cumU += scores.U[p];
    }
    const precisionCorrect: Record<string, number> = {};
    const precision: Record<string, number> = {};
    for (const t of MASK_THRESHOLDS) {
      let c = 0;
      for (let k = 0; k < n; k++) if (ious[k] >= t) c++;
      precisionCorrect[String(t)] = c;
      precision[String(t)] = n ? c / n : 0;
    }
    return { n, mIoU: n ? numpyMean(ious.subarray(0, n)) : 0, oIoU: cumU === 0 ? null : cumI / cumU, cum_I: cumI, cum_U: cumU, precision_correct: precisionCorrect, precision };
  };
}

/** Scores positions [from, to) into `scores` and `samples`; split so that callers can yield between chunks. */
export function scoreMaskRange(source: string, gt: GroundTruth, unit: Unit, m: Matching, entries: readonly MaskEntry[], scores: MaskScores, samples: MaskSample[], from: number, to: number): void {
  for (let p = from; p < to; p++) {
    const refRow = refRowOf(gt, unit, m.rows[p]);
    const g = gt.refMask(refRow);
    const gtArea = maskArea(g);
    const e = m.entryAt[p];
    if (e < 0) {
      scores.U[p] = gtArea;
      continue;
    }
    const pred = predictedMask(source, entries[e], g.h, g.w);
    const predArea = maskArea(pred);
    const I = intersectionArea(pred, g);
    const U = predArea + gtArea - I;
    const iou = U === 0 ? 0 : I / U;
    scores.I[p] = I;
    scores.U[p] = U;
    scores.iou[p] = iou;
    samples.push({ ...(unit === 'sent' ? { sent_id: entries[e].id } : {}), ref_id: gt.refId(refRow), gt_area: gtArea, entry: e, pred_area: predArea, I, U, iou, hit: iou >= 0.5 });
  }
}

export interface MaskJob {
  matching: Matching;
  scores: MaskScores;
  samples: MaskSample[];
}

export function startMasks(gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>): MaskJob {
  return runSteps(startMaskSteps(gt, split, parsed));
}

function* startMaskSteps(gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>): Steps<MaskJob> {
  const matching = yield* matchIdSteps(gt, parsed.unit, split, idsOf(parsed.entries));
  const n = matching.rows.length;
  return { matching, scores: { I: new Float64Array(n), U: new Float64Array(n), iou: new Float64Array(n) }, samples: [] };
}

export function finishMasks(gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>, job: MaskJob) {
  return runSteps(finishMaskSteps(gt, split, parsed, job));
}

export function* finishMaskSteps(gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>, job: MaskJob) {
  const { matching: m, scores, samples } = job;
  const block = blockOf(scores, m.entryAt);
  const all = allPositions(m.rows.length);
  const given = block(all, false);
  const refRows = gt.universeRefRows(m.unit, split);
  const perCategory = yield* perCategorySteps(gt, refRows, block);
  const perSplit = yield* perSplitSteps(gt, split, refRows, block);
  return {
    task: 'masks' as const,
    counts: matchCounts(m, parsed.entries.length),
    overall: { given, all: block(all, true), mIoU: given.mIoU, oIoU: given.oIoU },
    per_category: perCategory,
    per_split: perSplit,
    missing_ids: missingIds(gt, m),
    overridden_entries: m.overriddenEntries,
    unknown_entries: unknownEntryRows(parsed.unit === 'sent' ? 'sent_id' : 'ref_id', m.unknownEntries),
    per_sample: samples,
  };
}

/** Samples decoded between two progress reports (a decode is up to ~1 ms on large images). */
const MASK_STEP = 8;

/** Matches and scores every sample, a step at a time; the job is what finishMasks reports on. */
export function* scoreMaskSteps(source: string, gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>) {
  const job = yield* startMaskSteps(gt, split, parsed);
  const n = job.matching.rows.length;
  for (let from = 0; from < n; from += MASK_STEP) {
    scoreMaskRange(source, gt, parsed.unit, job.matching, parsed.entries, job.scores, job.samples, from, Math.min(n, from + MASK_STEP));
    yield { stage: 'scoring', done: from, total: n };
  }
  return job;
}
