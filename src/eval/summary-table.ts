/**
 * The text a terminal user reads: refEvaluation's "<metric>: %.3f" lines for expressions,
 * and the same layout for boxes (accuracy at each threshold, mean IoU) and masks (LAVT's
 * precision@X, mIoU, oIoU), headed by the counts.
 */
import type { EvaluationReport } from './evaluate';

const f3 = (v: number | null) => (v === null ? 'null' : v.toFixed(3));

export function summaryTable(title: string, report: EvaluationReport): string {
  const c = report.counts;
  const lines = [`${title}: ${c.universe} in the split, ${c.entries} predictions, ${c.evaluated} evaluated, ${c.missing} missing, ${c.duplicates} duplicates, ${c.unknown} outside the split`];
  if (report.task === 'expressions') {
    const o = report.overall;
    lines.push(`${JSON.stringify(o.bleu_totals)}`);
    for (const key of ['Bleu_1', 'Bleu_2', 'Bleu_3', 'Bleu_4', 'METEOR', 'ROUGE_L', 'CIDEr'] as const) lines.push(`${key}: ${f3(o[key])}`);
    lines.push(`(METEOR ${o.unavailable.METEOR})`);
    if (report.overall_split_only) lines.push(`split only (refs outside ${title} dropped): CIDEr ${f3(report.overall_split_only.CIDEr)}, Bleu_4 ${f3(report.overall_split_only.Bleu_4)}`);
  } else if (report.task === 'boxes') {
    const { given, all } = report.overall;
    lines.push(`IoU: ${report.overall.iou === 'published' ? 'computeIoU (REFER/MAttNet)' : 'continuous (torchvision box_iou)'}`);
    for (const t of Object.keys(given.accuracy)) lines.push(`accuracy@${t}: ${f3(given.accuracy[t])}   (whole split: ${f3(all.accuracy[t])})`);
    lines.push(`mean IoU: ${f3(given.mean_iou)}   (whole split: ${f3(all.mean_iou)})`);
  } else {
    const { given, all } = report.overall;
    for (const t of Object.keys(given.precision)) lines.push(`precision@${t}: ${(100 * given.precision[t]).toFixed(2)}`);
    lines.push(`mIoU: ${(100 * given.mIoU).toFixed(2)}   (whole split: ${(100 * all.mIoU).toFixed(2)})`);
    lines.push(`oIoU: ${given.oIoU === null ? 'null' : (100 * given.oIoU).toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}
