/**
 * The GRES metrics against ReLA's evaluator (after 884ef17) on the golden predictions:
 * every case's numbers bit for bit, the per-sample I, U and IoU of its detailed file,
 * and its TP/TN/FP/FN line. Where the original divides by zero, the metric is null.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rleFromString } from '../src/mask';
import { DataError } from '../src/core/errors';
import { gresMetrics, type GresSample } from '../src/eval/gres';

const GOLDEN = join(__dirname, 'fixtures/golden/grefcoco');

interface InputSample { source: string; height: number; width: number; gt_nt: boolean; pred_nt: boolean; gt_rle: string; pred_rle: string }
interface InputCase { name: string; samples: InputSample[] }
interface AnswerCase {
  name: string;
  results?: [string, Record<string, number>][];
  detailed_results_file?: { I: number; U: number; cIoU: number }[];
  log?: string[];
  error?: { type: string; message: string };
}

const inputs = (JSON.parse(readFileSync(join(GOLDEN, 'inputs/gres_predictions.json'), 'utf8')) as { cases: InputCase[] }).cases;
const answers = (JSON.parse(readFileSync(join(GOLDEN, 'answers/gres_metrics.json'), 'utf8')) as { cases: AnswerCase[] }).cases;

function samplesOf(c: InputCase): GresSample[] {
  return c.samples.map((s) => ({
    source: s.source,
    gtNoTarget: s.gt_nt,
    predNoTarget: s.pred_nt,
    gt: rleFromString(s.gt_rle, s.height, s.width),
    pred: rleFromString(s.pred_rle, s.height, s.width),
  }));
}

const cases = inputs.map((c) => [c.name, c, answers.find((a) => a.name === c.name)!] as const);

test('every golden case has an answer', () => {
  expect(answers.map((a) => a.name).sort()).toEqual(inputs.map((c) => c.name).sort());
});

describe.each(cases)('%s', (_, input, answer) => {
  const result = gresMetrics(samplesOf(input));

  test('per-sample I, U and IoU as the detailed results file', () => {
    if (!answer.detailed_results_file) return expect(answer.error).toBeDefined();
    expect(result.samples.map(({ I, U, iou }) => ({ I, U, cIoU: iou }))).toEqual(answer.detailed_results_file.map(({ I, U, cIoU }) => ({ I, U, cIoU })));
  });

  test('TP/TN/FP/FN per source as logged', () => {
    if (!answer.log) return expect(answer.error).toBeDefined();
    const lines = result.outcomes.map(([, o]) => `{'TP': ${o.TP}, 'TN': ${o.TN}, 'FP': ${o.FP}, 'FN': ${o.FN}}`);
    const logged = answer.log.filter((l) => l.startsWith("{'TP'"));
    // Where the original crashed, it logged the sources it had finished before the crash.
    expect(answer.error ? lines.slice(0, logged.length) : lines).toEqual(logged);
  });

  test('the metrics, bit for bit (null where the original divides by zero)', () => {
    if (answer.results) return expect(result.results).toEqual(answer.results);
    // The original raises ZeroDivisionError: the undefined metrics are null, the rest defined.
    const [[source, m]] = result.results;
    expect(source).toBe('grefcoco');
    expect(m.gIoU).not.toBeNull();
    expect(input.name === 'only_no_target_all_right' ? m.cIoU : m.T_acc).toBeNull();
    expect([m['Pr@0.7'], m['Pr@0.8'], m['Pr@0.9']]).toEqual([null, null, null]);
  });
});

test('masks of different sizes are an error naming the sample', () => {
  const gt = rleFromString('PlY;', 640, 579);
  const pred = rleFromString('PlY;', 579, 640);
  expect(() => gresMetrics([{ source: 'grefcoco', gtNoTarget: false, predNoTarget: false, gt, pred: gt }, { source: 'grefcoco', gtNoTarget: false, predNoTarget: false, gt, pred }])).toThrow(DataError);
  expect(() => gresMetrics([{ source: 'grefcoco', gtNoTarget: false, predNoTarget: false, gt, pred }])).toThrow(/sample 0: predicted mask is 579x640, ground truth is 640x579/);
});
