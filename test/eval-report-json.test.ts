/** The report written in pieces is exactly JSON.stringify of it, whatever its arrays. */
import { reportJsonPieces } from '../src/eval/report-json';

test.each([
  ['empty', {}],
  ['small', { counts: { universe: 2 }, per_sample: [{ a: 1 }], id: 'x' }],
  ['undefined fields dropped', { a: undefined, b: 1, c: [undefined, 2] }],
  ['long arrays', { per_sample: Array.from({ length: 1234 }, (_, i) => ({ i, v: i % 3 ? i / 7 : null, sub: [i] })), overridden: Array.from({ length: 1001 }, (_, i) => i), tail: 'end' }],
  ['an array of exactly one piece and an empty one', { a: Array.from({ length: 500 }, (_, i) => i), b: [] }],
])('%s', (_name, report) => {
  expect([...reportJsonPieces(report as Record<string, unknown>)].join('')).toBe(JSON.stringify(report));
});
