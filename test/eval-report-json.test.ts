/** The report written in pieces is exactly JSON.stringify of it, whatever its arrays. */
import { reportJsonPieces } from '../src/eval/report-json';
import { SampleRows } from '../src/eval/sample-rows';

/** Rows made on demand, as a box report's columns are: some fields undefined, as sent_id of a by-ref row. */
class MadeRows extends SampleRows<{ i: number; sent?: number; v: number | null }> {
  constructor(readonly length: number) {
    super();
  }

  row(i: number) {
    return { sent: i % 2 ? i : undefined, i, v: i % 3 ? i / 7 : null };
  }
}

test.each([
  ['empty', {}],
  ['small', { counts: { universe: 2 }, per_sample: [{ a: 1 }], id: 'x' }],
  ['undefined fields dropped', { a: undefined, b: 1, c: [undefined, 2] }],
  ['long arrays', { per_sample: Array.from({ length: 1234 }, (_, i) => ({ i, v: i % 3 ? i / 7 : null, sub: [i] })), overridden: Array.from({ length: 1001 }, (_, i) => i), tail: 'end' }],
  ['rows made on demand, over several pieces and within one', { per_sample: new MadeRows(1234), small: new MadeRows(3), none: new MadeRows(0) }],
  ['an array of exactly one piece and an empty one', { a: Array.from({ length: 500 }, (_, i) => i), b: [] }],
])('%s', (_name, report) => {
  expect([...reportJsonPieces(report as Record<string, unknown>)].join('')).toBe(JSON.stringify(report));
});
