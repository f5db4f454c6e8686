/**
 * Parity with the published Python code: every prediction file of the golden eval set,
 * replayed in-process; every overall number and per-sample row must match its answer
 * (boxes and masks exactly, caption scores to 1e-9 relative). Files where the reference
 * code raised must be refused with a DataError that names the problem.
 */
import { DataError } from '../src/core/errors';
import { evaluatePredictions, evaluationSetup } from '../src/eval/evaluate';
import { goldenCatalog } from './api-helpers';
import { expectMatchesGolden, goldenCases } from './eval-golden-helpers';

const cases = goldenCases();

test('the golden set is all there', () => {
  expect(cases).toHaveLength(227);
});

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  test(c.answer.error ? 'is refused as the reference code refuses it' : 'matches the answer of the reference code', () => {
    const setup = evaluationSetup(goldenCatalog(), { dataset: c.dataset, splitBy: c.splitBy, split: c.split, task: c.task });
    if (c.answer.error) {
      expect(() => evaluatePredictions(setup, c.name, c.predictions)).toThrow(DataError);
      return;
    }
    expectMatchesGolden(evaluatePredictions(setup, c.name, c.predictions) as Record<string, any>, c);
  });
});
