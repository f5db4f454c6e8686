/**
 * A stored report read in pieces, for GraphQL and the explorer: its blocks as flat
 * (name, value) metrics, and its per-sample rows in a chosen order. No GraphQL here.
 */
import { DataError } from '../core/errors';
import type { EvaluationReport } from './evaluate';

export interface Metric {
  name: string;
  /** null where the reference code has no number (METEOR, oIoU of an empty union, …). */
  value: number | null;
}

/**
 * A block's numbers, flattened: `mean_iou` stays `mean_iou`, `accuracy: {"0.5": …}`
 * becomes `accuracy@0.5`. The names are the golden answers' keys, so nothing is renamed.
 */
export function metricsOf(block: object): Metric[] {
  const metrics: Metric[] = [];
  for (const [key, value] of Object.entries(block)) {
    if (key === 'n') continue;
    if (typeof value === 'number' || value === null) metrics.push({ name: key, value });
    else if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [sub, v] of Object.entries(value as Record<string, unknown>)) if (typeof v === 'number') metrics.push({ name: `${key}@${sub}`, value: v });
    }
  }
  return metrics;
}

export interface MetricBlock {
  /** Samples the numbers are over; null where the report does not count them. */
  n: number | null;
  metrics: Metric[];
}

function blockOf(block: object): MetricBlock {
  const n = (block as { n?: unknown }).n;
  return { n: typeof n === 'number' ? n : null, metrics: metricsOf(block) };
}

/** `given` (the distinct in-split predictions) and `all` (the whole split); expressions have only `given`. */
export function overallBlocks(report: EvaluationReport): { given: MetricBlock; all: MetricBlock | null } {
  if (report.task === 'expressions') {
    const { bleu_totals: _totals, unavailable: _why, cider_num_refs: _n, cider_log_num_refs: _log, ...scores } = report.overall;
    return { given: { n: report.counts.evaluated, metrics: metricsOf(scores) }, all: null };
  }
  return { given: blockOf(report.overall.given), all: blockOf(report.overall.all) };
}

export interface CategoryView {
  categoryId: number;
  name: string;
  given: MetricBlock;
  all: MetricBlock | null;
}

export function categoryBlocks(report: EvaluationReport): CategoryView[] {
  if (report.task === 'expressions') {
    return report.per_category.map(({ category_id, name, n, ...scores }) => ({ categoryId: category_id, name, given: { n, metrics: metricsOf(scores) }, all: null }));
  }
  return report.per_category.map((c) => ({ categoryId: c.category_id, name: c.name, given: blockOf(c.given), all: blockOf(c.all) }));
}

export type SampleOrder = 'FILE_ORDER' | 'IOU_ASC' | 'IOU_DESC' | 'CIDER_ASC' | 'CIDER_DESC';

/**
 * The number a sample is ranked by: IoU for boxes and masks (a division by zero, which
 * the reference scores as wrong, ranks as 0), CIDEr-D for expressions.
 */
function scoreOf(report: EvaluationReport, what: 'IOU' | 'CIDER'): (index: number) => number {
  if (report.task === 'expressions') {
    if (what !== 'CIDER') throw new DataError('samples: an expressions report has no IoU: order by CIDER_ASC or CIDER_DESC');
    return (i) => report.per_sample.row(i).CIDEr;
  }
  if (what !== 'IOU') throw new DataError(`samples: a ${report.task} report has no CIDEr: order by IOU_ASC or IOU_DESC`);
  if (report.task === 'boxes') {
    const rows = report.per_sample;
    // Read from the columns: no row object is made to rank a sample.
    return report.overall.iou === 'continuous' ? (i) => rows.iouContinuous(i) ?? 0 : (i) => rows.iou(i) ?? 0;
  }
  return (i) => report.per_sample.row(i).iou;
}

/** Indices into per_sample in the asked order; ties keep file order (the sort is stable). */
export function sampleOrder(report: EvaluationReport, order: SampleOrder): number[] {
  const indices = Array.from({ length: report.per_sample.length }, (_, i) => i);
  if (order === 'FILE_ORDER') return indices;
  const [what, direction] = order.split('_') as ['IOU' | 'CIDER', 'ASC' | 'DESC'];
  const score = scoreOf(report, what);
  const sign = direction === 'ASC' ? 1 : -1;
  const scores = Float64Array.from(indices, score);
  return indices.sort((a, b) => sign * (scores[a] - scores[b]));
}
