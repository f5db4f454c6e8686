/**
 * Evaluation reports kept in memory for later reading (GraphQL `evaluation(id)`), bounded
 * by count and by per-sample rows; the oldest go first. One per app, passed in, so tests
 * and servers never share reports.
 */
import { randomUUID } from 'node:crypto';
import type { EvaluationReport } from './evaluate';

export interface StoredReport {
  id: string;
  dataset: string;
  splitBy: string;
  split: string;
  createdAt: string;
  report: EvaluationReport;
}

export class EvaluationReports {
  private readonly reports = new Map<string, StoredReport>();
  private rows = 0;

  constructor(
    readonly maxReports = 64,
    /** 2M rows is about 600 MB of JSON-shaped objects at most; a full refcoco split is 11k. */
    readonly maxRows = 2_000_000,
  ) {}

  get size(): number {
    return this.reports.size;
  }

  add(entry: Omit<StoredReport, 'id' | 'createdAt'>): StoredReport {
    const stored: StoredReport = { id: randomUUID(), createdAt: new Date().toISOString(), ...entry };
    this.reports.set(stored.id, stored);
    this.rows += stored.report.per_sample.length;
    // Map order is insertion order: the first key is the oldest report. The newest stays.
    for (const [id, old] of this.reports) {
      if (this.reports.size <= 1 || (this.reports.size <= this.maxReports && this.rows <= this.maxRows)) break;
      this.reports.delete(id);
      this.rows -= old.report.per_sample.length;
    }
    return stored;
  }

  get(id: string): StoredReport | undefined {
    return this.reports.get(id);
  }
}
