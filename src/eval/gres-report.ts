/**
 * The GRES part of a masks report on gRefCOCO: every scored sentence (or ref) becomes a
 * GRES sample — the ref's union mask and "no target" as ground truth, the entry's mask
 * and `no_target` as prediction — in the split's order (refs-file order, then sentence
 * order, as ReLA's loader makes them), and src/eval/gres.ts computes ReLA's metrics.
 * Positions without a prediction are left out: GRES has no notion of a missing answer.
 */
import type { GroundTruth } from './ground-truth';
import { gresMetrics, type GresMetrics, type GresSample, type GresSampleScore } from './gres';
import { predictedMask } from './masks';
import { refRowOf, type Matching } from './matching';
import type { MaskEntry, Parsed } from './predictions';

/** Every sample is of this source: the pair evaluated. */
const SOURCE = 'grefcoco';

export interface GresReport {
  /** gIoU, cIoU, Pr@0.7/0.8/0.9 (percent), N_acc, T_acc (fractions); null where undefined (no pixels, no targeted sample). */
  metrics: GresMetrics;
  outcomes: Record<GresSampleScore['outcome'], number>;
  n: number;
  per_sample: (GresSampleScore & { ref_id: number; sent_id?: number; no_target: boolean; predicted_no_target: boolean })[];
}

export function gresReport(source: string, gt: GroundTruth, parsed: Parsed<MaskEntry>, m: Matching): GresReport {
  const samples: GresSample[] = [];
  const ids: { refRow: number; entry: MaskEntry }[] = [];
  for (let p = 0; p < m.rows.length; p++) {
    const e = m.entryAt[p];
    if (e < 0) continue;
    const refRow = refRowOf(gt, parsed.unit, m.rows[p]);
    const gtMask = gt.refMask(refRow);
    const entry = parsed.entries[e];
    samples.push({ source: SOURCE, gtNoTarget: gt.isNoTarget(refRow), predNoTarget: entry.noTarget === true, gt: gtMask, pred: predictedMask(source, entry, gtMask.h, gtMask.w) });
    ids.push({ refRow, entry });
  }
  const result = gresMetrics(samples);
  const empty: GresMetrics = { gIoU: null, cIoU: null, 'Pr@0.7': null, 'Pr@0.8': null, 'Pr@0.9': null, N_acc: 0, T_acc: 0 };
  return {
    metrics: result.results[0]?.[1] ?? empty,
    outcomes: result.outcomes[0]?.[1] ?? { TP: 0, FN: 0, FP: 0, TN: 0 },
    n: samples.length,
    per_sample: result.samples.map((score, i) => ({
      ...(parsed.unit === 'sent' ? { sent_id: ids[i].entry.id } : {}),
      ref_id: gt.refId(ids[i].refRow),
      no_target: samples[i].gtNoTarget,
      predicted_no_target: samples[i].predNoTarget,
      ...score,
    })),
  };
}
