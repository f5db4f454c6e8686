/**
 * A report as JSON text in pieces, so that a server can send a report of 100,000+ rows
 * without one long JSON.stringify: the pieces concatenated are JSON.stringify(report).
 */
import { SampleRows } from './sample-rows';

/** Array elements serialised per piece. */
const ROWS_PER_PIECE = 500;

/** Elements [from, to) of an array or of per-sample rows (made into objects only for their piece). */
function slice(value: readonly unknown[] | SampleRows<unknown>, from: number, to: number): unknown[] {
  if (!(value instanceof SampleRows)) return value.slice(from, to);
  const rows: unknown[] = [];
  for (let i = from; i < to; i++) rows.push(value.row(i));
  return rows;
}

export function* reportJsonPieces(report: Record<string, unknown>): Generator<string, void, void> {
  let first = true;
  for (const [key, value] of Object.entries(report)) {
    if (value === undefined) continue;
    yield `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!(Array.isArray(value) || value instanceof SampleRows) || value.length <= ROWS_PER_PIECE) {
      yield JSON.stringify(value);
      continue;
    }
    for (let from = 0; from < value.length; from += ROWS_PER_PIECE) {
      // An array's JSON is its elements' JSON joined by commas (undefined as null, as JSON.stringify does).
      const piece = JSON.stringify(slice(value, from, Math.min(value.length, from + ROWS_PER_PIECE)));
      yield `${from === 0 ? '[' : ','}${piece.slice(1, -1)}`;
    }
    yield ']';
  }
  yield first ? '{}' : '}';
}
