/**
 * The GRES metrics of gRefCOCO (ReLA's ReferEvaluator, after its metric fix 884ef17),
 * as pure functions over per-sentence predictions: a mask and a "no target" flag each.
 *
 * The code's "positive" is "no target": a no-target sample answered "no target" is a TP
 * (IoU 1, adds nothing to the pixel sums), answered with a mask a FN (IoU 0, its pixels
 * add to ΣU). A targeted sample answered "no target" is a FP (I set to 0, U kept, IoU 0),
 * answered with a mask a TN (IoU I/U). Only targeted samples count for Pr@. The
 * arithmetic follows the original's order of operations so the doubles match bit for bit.
 * Where the original divides by zero (no pixels at all, no targeted sample) the metric is
 * null: undefined, not a crash.
 */
import { rleArea, rleMerge, type Rle } from '../mask';
import { DataError } from '../core/errors';

export interface GresSample {
  /** The dataset the sample comes from (`grefcoco`, `refcoco`): metrics are per source. */
  source: string;
  gtNoTarget: boolean;
  predNoTarget: boolean;
  /** The union of the ref's non-crowd targets (all zero for a no-target ref). */
  gt: Rle;
  /** The predicted mask, of the same size (ignored for a right "no target"). */
  pred: Rle;
}

export interface GresSampleScore {
  I: number;
  U: number;
  /** The sample's IoU (the original's detailed file calls it cIoU). */
  iou: number;
  outcome: 'TP' | 'FN' | 'FP' | 'TN';
}

export interface GresMetrics {
  gIoU: number | null;
  cIoU: number | null;
  'Pr@0.7': number | null;
  'Pr@0.8': number | null;
  'Pr@0.9': number | null;
  /** TP / (TP + FN), a fraction; 0 when the source has no no-target sample. */
  N_acc?: number | null;
  /** TN / (TN + FP), a fraction; 0 when the source has no no-target sample. */
  T_acc?: number | null;
}

export const PR_THRESHOLDS = [0.7, 0.8, 0.9] as const;

/** Sources in the order the original reports them; others follow in order of appearance. */
const SOURCE_ORDER = ['refcoco', 'grefcoco'];

export function scoreSample(s: GresSample, where = 'sample'): GresSampleScore {
  if (s.gt.h !== s.pred.h || s.gt.w !== s.pred.w) {
    throw new DataError(`${where}: predicted mask is ${s.pred.h}x${s.pred.w}, ground truth is ${s.gt.h}x${s.gt.w}`);
  }
  if (s.gtNoTarget && s.predNoTarget) return { I: 0, U: 0, iou: 1, outcome: 'TP' };
  const I = rleArea(rleMerge([s.pred, s.gt], true));
  const U = rleArea(rleMerge([s.pred, s.gt]));
  if (s.gtNoTarget) return { I: 0, U, iou: 0, outcome: 'FN' };
  if (s.predNoTarget) return { I: 0, U, iou: 0, outcome: 'FP' };
  return { I, U, iou: U === 0 ? 0 : I / U, outcome: 'TN' };
}

/** Running sums of one source. */
interface Totals {
  n: number;
  iouSum: number;
  I: number;
  U: number;
  targeted: number;
  /** Targeted samples at or above each PR_THRESHOLDS entry. */
  hits: number[];
  outcomes: Record<GresSampleScore['outcome'], number>;
}

function newTotals(): Totals {
  return { n: 0, iouSum: 0, I: 0, U: 0, targeted: 0, hits: PR_THRESHOLDS.map(() => 0), outcomes: { TP: 0, FN: 0, FP: 0, TN: 0 } };
}

function add(t: Totals, s: GresSample, score: GresSampleScore): void {
  t.n++;
  t.iouSum += score.iou;
  t.I += score.I;
  t.U += score.U;
  t.outcomes[score.outcome]++;
  if (s.gtNoTarget) return;
  t.targeted++;
  PR_THRESHOLDS.forEach((th, k) => {
    if (score.iou >= th) t.hits[k]++;
  });
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

function precisions(hits: number[], targeted: number): Pick<GresMetrics, 'Pr@0.7' | 'Pr@0.8' | 'Pr@0.9'> {
  const [p7, p8, p9] = hits.map((h) => ratio(h * 100, targeted));
  return { 'Pr@0.7': p7, 'Pr@0.8': p8, 'Pr@0.9': p9 };
}

function sourceMetrics(t: Totals): GresMetrics {
  const { TP, FN, FP, TN } = t.outcomes;
  const hasNoTarget = TP + FN > 0;
  return {
    gIoU: t.n === 0 ? null : 100 * (t.iouSum / t.n),
    cIoU: ratio(t.I * 100, t.U),
    T_acc: hasNoTarget ? ratio(TN, TN + FP) : 0,
    N_acc: hasNoTarget ? ratio(TP, TP + FN) : 0,
    ...precisions(t.hits, t.targeted),
  };
}

export interface GresResult {
  /** [source, metrics] in the original's order, and `full` when there are several sources. */
  results: [string, GresMetrics][];
  /** Per sample, in input order. */
  samples: GresSampleScore[];
  /** TP/FN/FP/TN counts per source, in the order of `results`. */
  outcomes: [string, Record<GresSampleScore['outcome'], number>][];
}

export function gresMetrics(samples: readonly GresSample[]): GresResult {
  const bySource = new Map<string, Totals>();
  const scores = samples.map((s, i) => {
    const score = scoreSample(s, `sample ${i}`);
    let t = bySource.get(s.source);
    if (!t) bySource.set(s.source, (t = newTotals()));
    add(t, s, score);
    return score;
  });
  const sources = [...SOURCE_ORDER.filter((s) => bySource.has(s)), ...[...bySource.keys()].filter((s) => !SOURCE_ORDER.includes(s))];
  const results: [string, GresMetrics][] = sources.map((s) => [s, sourceMetrics(bySource.get(s)!)]);
  const outcomes = sources.map((s): [string, Totals['outcomes']] => [s, bySource.get(s)!.outcomes]);
  if (sources.length > 1) {
    const all = newTotals();
    for (const s of sources) {
      const t = bySource.get(s)!;
      all.n += t.n;
      all.iouSum += t.iouSum;
      all.I += t.I;
      all.U += t.U;
      all.targeted += t.targeted;
      t.hits.forEach((h, k) => (all.hits[k] += h));
    }
    results.push(['full', { gIoU: ratio(100 * all.iouSum, all.n), cIoU: ratio(100 * all.I, all.U), ...precisions(all.hits, all.targeted) }]);
  }
  return { results, samples: scores, outcomes };
}
