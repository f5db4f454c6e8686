/**
 * Referring segmentation as LAVT's test.py scores it: per sample I = |P∧G|, U = |P∨G|,
 * iou = I/U (0 when U = 0); mIoU the numpy mean of iou, oIoU = ΣI/ΣU, precision@X the
 * share with iou ≥ X. The GT is the union mask of the ref's object.
 */
import { DataError } from '../core/errors';
import { rleFromCounts, rleFromString, type Rle } from '../mask';
import { missingIds } from './boxes';
import { allPositions, perCategorySteps, perSplitSteps, type BlockOf } from './breakdown';
import type { GroundTruth } from './ground-truth';
import { LavtTargets } from './lavt-target';
import { intersectionArea, maskArea } from './mask-overlap';
import { idsOf, matchCounts, matchIdSteps, refRowOf, type Matching } from './matching';
import { numpyMean } from './numpy-sum';
import type { MaskEntry, Parsed } from './predictions';
import { unknownEntryRows } from './report-rows';
import { ArrayRows } from './sample-rows';
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
  /** I and U against LAVT's literal target, where they differ from the union's. */
  lavt_eq1?: { I: number; U: number };
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

function emptyScores(n: number): MaskScores {
  return { I: new Float64Array(n), U: new Float64Array(n), iou: new Float64Array(n) };
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

/** Scores positions [from, to) of the job; split so that callers can yield between chunks. */
export function scoreMaskRange(source: string, gt: GroundTruth, entries: readonly MaskEntry[], job: MaskJob, from: number, to: number): void {
  const { matching: m, scores, lavtScores, samples } = job;
  const unit = m.unit;
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
    const sample: MaskSample = { ...(unit === 'sent' ? { sent_id: entries[e].id } : {}), ref_id: gt.refId(refRow), gt_area: gtArea, entry: e, pred_area: predArea, I, U, iou, hit: iou >= 0.5 };
    const target = job.lavtTargets.of(refRow, g);
    if (target) {
      const lavtI = intersectionArea(pred, target);
      const lavtU = predArea + maskArea(target) - lavtI;
      lavtScores.I[p] = lavtI;
      lavtScores.U[p] = lavtU;
      lavtScores.iou[p] = lavtU === 0 ? 0 : lavtI / lavtU;
      sample.lavt_eq1 = { I: lavtI, U: lavtU };
    } else {
      lavtScores.I[p] = I;
      lavtScores.U[p] = U;
      lavtScores.iou[p] = iou;
    }
    samples.push(sample);
  }
}

export interface MaskJob {
  matching: Matching;
  scores: MaskScores;
  /** The same predictions against LAVT's literal target. */
  lavtScores: MaskScores;
  lavtTargets: LavtTargets;
  samples: MaskSample[];
}

export function startMasks(gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>): MaskJob {
  return runSteps(startMaskSteps(gt, split, parsed));
}

function* startMaskSteps(gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>): Steps<MaskJob> {
  const matching = yield* matchIdSteps(gt, parsed.unit, split, idsOf(parsed.entries));
  const n = matching.rows.length;
  return { matching, scores: emptyScores(n), lavtScores: emptyScores(n), lavtTargets: new LavtTargets(gt), samples: [] };
}

export function finishMasks(gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>, job: MaskJob) {
  return runSteps(finishMaskSteps(gt, split, parsed, job));
}

export function* finishMaskSteps(gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>, job: MaskJob) {
  const { matching: m, scores, samples } = job;
  const block = blockOf(scores, m.entryAt);
  const all = allPositions(m.rows.length);
  const given = block(all, false);
  const lavtGiven = blockOf(job.lavtScores, m.entryAt)(all, false);
  const entryLoop = yield* maskEntryLoopSteps(gt, parsed, job);
  const refRows = gt.universeRefRows(m.unit, split);
  const perCategory = yield* perCategorySteps(gt, refRows, block);
  const perSplit = yield* perSplitSteps(gt, split, refRows, block);
  return {
    task: 'masks' as const,
    counts: matchCounts(m, parsed.entries.length),
    overall: { given, all: block(all, true), mIoU: given.mIoU, oIoU: given.oIoU, given_lavt_gt_eq1: lavtGiven, entry_loop: entryLoop },
    per_category: perCategory,
    per_split: perSplit,
    missing_ids: missingIds(gt, m),
    overridden_entries: m.overriddenEntries,
    unknown_entries: unknownEntryRows(parsed.unit === 'sent' ? 'sent_id' : 'ref_id', m.unknownEntries),
    per_sample: new ArrayRows(samples),
  };
}

type MaskEntryLoop = { error: { type: string; message: string } } | { n: number; mIoU: number; oIoU: number | null; cum_I: number; cum_U: number };

/**
 * MAttNet's eval_masks loop: every entry in file order, its GT looked up whatever the
 * split, a repeated id counted each time; an id the pair does not know stops it
 * (KeyError), as does a mask that cannot be decoded. Entries that the report scored
 * already are not decoded again.
 */
function* maskEntryLoopSteps(gt: GroundTruth, parsed: Parsed<MaskEntry>, job: MaskJob): Steps<MaskEntryLoop> {
  const { entries, unit } = parsed;
  const { matching: m, scores } = job;
  const positionOf = new Int32Array(entries.length).fill(-1);
  for (let p = 0; p < m.entryAt.length; p++) if (m.entryAt[p] >= 0) positionOf[m.entryAt[p]] = p;
  const ious = new Float64Array(entries.length);
  let cumI = 0;
  let cumU = 0;
  let decoded = 0;
  for (let e = 0; e < entries.length; e++) {
    const p = positionOf[e];
    let I: number;
    let U: number;
    if (p >= 0) {
      I = scores.I[p];
      U = scores.U[p];
    } else {
      const row = gt.rowOfId(unit, entries[e].id);
      if (row < 0) return { error: { type: 'KeyError', message: String(entries[e].id) } };
      const g = gt.refMask(refRowOf(gt, unit, row));
      let pred: Rle;
      try {
        pred = predictedMask('entry loop', entries[e], g.h, g.w);
      } catch (error) {
        if (!(error instanceof DataError)) throw error;
        return { error: { type: 'ValueError', message: error.message } };
      }
      I = intersectionArea(pred, g);
      U = maskArea(pred) + maskArea(g) - I;
      if (++decoded % MASK_STEP === 0) yield { stage: 'entry loop', done: e, total: entries.length };
    }
    ious[e] = U === 0 ? 0 : I / U;
    cumI += I;
    cumU += U;
  }
  const n = entries.length;
  return { n, mIoU: n ? numpyMean(ious) : 0, oIoU: cumU === 0 ? null : cumI / cumU, cum_I: cumI, cum_U: cumU };
}

/** Samples decoded between two progress reports (a decode is up to ~1 ms on large images). */
const MASK_STEP = 8;

/** Matches and scores every sample, a step at a time; the job is what finishMasks reports on. */
export function* scoreMaskSteps(source: string, gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>) {
  const job = yield* startMaskSteps(gt, split, parsed);
  const n = job.matching.rows.length;
  for (let from = 0; from < n; from += MASK_STEP) {
    scoreMaskRange(source, gt, parsed.entries, job, from, Math.min(n, from + MASK_STEP));
    yield { stage: 'scoring', done: from, total: n };
  }
  return job;
}
