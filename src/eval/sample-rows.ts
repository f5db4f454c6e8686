/**
 * A report's per-sample rows as their readers see them (the JSON writer, GraphQL's
 * samples, the report store): a count, and row i as the report's JSON has it. A box
 * report of a 120k-sentence split keeps its rows as typed columns (box-sample-rows.ts)
 * rather than 360k long-lived objects that every major GC walks while the server answers;
 * the other tasks keep the objects they built (ArrayRows).
 */
export abstract class SampleRows<Row> {
  abstract readonly length: number;

  /** Row i, 0 ≤ i < length: a fresh object for columnar rows, so read it once and keep it. */
  abstract row(i: number): Row;

  /** Every row: JSON.stringify(report) writes per_sample as this array (the CLI's --json). */
  toJSON(): Row[] {
    return Array.from({ length: this.length }, (_, i) => this.row(i));
  }
}

/** Rows kept as the objects they are. */
export class ArrayRows<Row> extends SampleRows<Row> {
  constructor(private readonly rows: readonly Row[]) {
    super();
  }

  get length(): number {
    return this.rows.length;
  }

  row(i: number): Row {
    return this.rows[i];
  }

  toJSON(): Row[] {
    return [...this.rows];
  }
}
