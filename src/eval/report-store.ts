/**
 * Evaluation reports kept in memory for later reading (GraphQL `evaluation(id)`), bounded
 * by count and by per-sample rows; the oldest go first. One per app, passed in, so tests
 * and servers never share reports.
 */
import { randomUUID } from 'node:crypto';
import type { Rle } from '../mask';
import type { EvaluationReport } from './evaluate';
import { predictedMask } from './masks';
import type { MaskEntry } from './predictions';

export interface StoredReport {
  id: string;
  dataset: string;
  splitBy: string;
  split: string;
  createdAt: string;
  report: EvaluationReport;
  /** Masks reports: the file's entries as read (in file order), so that a sample's mask can be drawn (renders' overlayReport). */
  predictions?: readonly MaskEntry[];
}

/** What a report weighs against maxRows: its per_sample rows, and a kept prediction (an RLE, heavier than a row) as one more. */
function rowsOf(stored: StoredReport): number {
  return stored.report.per_sample.length + (stored.predictions?.length ?? 0);
}

export class EvaluationReports {
  private readonly reports = new Map<string, StoredReport>();
  private rows = 0;

  constructor(
    readonly maxReports = 64,
    /** 2M rows of masks or expressions are about 600 MB of objects (box rows are columns, ~100 bytes a row); a full refcoco split is 11k. */
    readonly maxRows = 2_000_000,
  ) {}

  get size(): number {
    return this.reports.size;
  }

  add(entry: Omit<StoredReport, 'id' | 'createdAt'>): StoredReport {
    // Only a masks report draws from its file; the others' files are not kept.
    const { predictions, ...rest } = entry;
    const kept = rest.report.task === 'masks' && predictions ? { predictions } : {};
    const stored: StoredReport = { id: randomUUID(), createdAt: new Date().toISOString(), ...rest, ...kept };
    this.reports.set(stored.id, stored);
    this.rows += rowsOf(stored);
    // Map order is insertion order: the first key is the oldest report. The newest stays.
    for (const [id, old] of this.reports) {
      if (this.reports.size <= 1 || (this.reports.size <= this.maxReports && this.rows <= this.maxRows)) break;
      this.reports.delete(id);
      this.rows -= rowsOf(old);
    }
    return stored;
  }

  get(id: string): StoredReport | undefined {
    return this.reports.get(id);
  }

  /**
   * The predicted mask of per_sample row `sampleIndex` of a masks report, decoded from the
   * file; null when there is no such report (or it was evicted), no such row, or the report
   * is of another task.
   */
  predictedMask(reportId: string, sampleIndex: number): Rle | null {
    const stored = this.reports.get(reportId);
    if (stored?.report.task !== 'masks' || !stored.predictions) return null;
    const rows = stored.report.per_sample;
    if (!(sampleIndex >= 0 && sampleIndex < rows.length)) return null;
    const row = rows.row(sampleIndex);
    const entry = stored.predictions[row.entry];
    if (entry?.index !== row.entry) return null;
    return predictedMask(`evaluation report ${reportId}`, entry, entry.size[0], entry.size[1]);
  }
}
