/**
 * A box report's per-sample rows are typed columns (src/eval/box-sample-rows.ts): read
 * as rows they are the report's rows, in pieces or whole; the sort accessors read the
 * same IoUs the rows show; a row read is a fresh object, so a reader changing it changes
 * nothing that the report writes later.
 */
import { BoxSampleRows } from '../src/eval/box-sample-rows';
import { evaluatePredictions, evaluationSetup } from '../src/eval/evaluate';
import { GroundTruth } from '../src/eval/ground-truth';
import { reportJsonPieces } from '../src/eval/report-json';
import { sampleOrder } from '../src/eval/report-view';
import { ArrayRows } from '../src/eval/sample-rows';
import { goldenCatalog } from './api-helpers';

const catalog = goldenCatalog();
const gt = new GroundTruth(catalog.get('refcoco', 'unc'));
const train = gt.universe('train').sentRows;

/** Every train sentence but every 9th, a jittered box each; every 50th a box of minus the GT's area (computeIoU's union is 0 there: it raises). */
function boxReport(iou: 'published' | 'continuous') {
  const predictions = [];
  for (let k = 0; k < train.length; k++) {
    if (k % 9 === 8) continue;
    const b = gt.refBox(gt.refRowOfSentence(train[k]));
    const box = k % 50 === 0 ? [0, 0, -b[2], b[3]] : [b[0] + (k % 7) - 3, b[1] + (k % 5) - 2, b[2] * (0.8 + (k % 4) / 10), b[3]];
    predictions.push({ sent_id: gt.idOfRow('sent', train[k]), box });
  }
  const setup = evaluationSetup(catalog, { dataset: 'refcoco', splitBy: 'unc', split: 'train', task: 'boxes', iou });
  return evaluatePredictions(setup, 'test', predictions);
}

describe.each(['published', 'continuous'] as const)('iou=%s', (iou) => {
  const report = boxReport(iou);
  if (report.task !== 'boxes') throw new Error('a boxes report');
  const rows = report.per_sample;

  test('the rows are columns, one per sample scored, with zero-union rows among them', () => {
    expect(rows).toBeInstanceOf(BoxSampleRows);
    expect(rows.length).toBe(report.counts.evaluated);
    expect(rows.length).toBeGreaterThan(200);
    expect(rows.toJSON().filter((r) => r.error?.type === 'ZeroDivisionError').length).toBe(report.overall.published_errors);
    expect(report.overall.published_errors).toBeGreaterThan(0);
  });

  test('written as the server writes it, the report is JSON.stringify of it, rows as the array toJSON gives', () => {
    const text = [...reportJsonPieces(report as unknown as Record<string, unknown>)].join('');
    expect(text).toBe(JSON.stringify(report));
    expect(JSON.parse(text).per_sample).toEqual(JSON.parse(JSON.stringify(rows.toJSON())));
  });

  test('the sort accessors read the IoUs the rows show, and IOU_ASC ranks by the convention asked', () => {
    for (let i = 0; i < rows.length; i++) {
      const row = rows.row(i);
      expect([rows.iou(i), rows.iouContinuous(i)]).toEqual([row.iou, row.iou_continuous]);
    }
    const ranked = sampleOrder(report, 'IOU_ASC').map((i) => rows.row(i)[iou === 'published' ? 'iou' : 'iou_continuous'] ?? 0);
    for (let k = 1; k < ranked.length; k++) expect(ranked[k]).toBeGreaterThanOrEqual(ranked[k - 1]);
  });

  test('a row read is a fresh object', () => {
    const first = rows.row(0);
    first.gt[0] = -1;
    first.hit = !first.hit;
    expect(rows.row(0).gt[0]).not.toBe(-1);
    expect(rows.row(0).hit).toBe(!first.hit);
  });
});

test('ArrayRows reads the array it holds, and toJSON copies it', () => {
  const held = [{ a: 1 }, { a: 2 }];
  const rows = new ArrayRows(held);
  expect([rows.length, rows.row(1)]).toEqual([2, { a: 2 }]);
  expect(rows.toJSON()).toEqual(held);
  expect(rows.toJSON()).not.toBe(held);
});
