/**
 * EvaluationReports.predictedMask, which renders' overlayReport draws from: a masks
 * report keeps its predictions file and decodes one sample's mask on demand; other
 * reports keep no file; a kept file weighs against the store's bound.
 */
import { evaluatePredictions, evaluationSetup } from '../src/eval/evaluate';
import { EvaluationReports } from '../src/eval/report-store';
import { parseMaskPredictions } from '../src/eval/predictions';
import { rleFromBbox, rleFromCounts, rleToString } from '../src/mask';
import { goldenCatalog } from './api-helpers';

const catalog = goldenCatalog();
const REF = { id: 78, width: 374, height: 560 };
const OTHER_REF = { id: 80 };
const where = { dataset: 'refcoco', splitBy: 'unc', split: 'val' };

function report(task: string, predictions: unknown[]) {
  return evaluatePredictions(evaluationSetup(catalog, { ...where, task }), 'test', predictions);
}

// Two refs of one image: one mask as a compressed string, one as uncompressed counts.
const first = rleFromBbox([20, 30, 50, 40], REF.height, REF.width);
const second = rleFromBbox([100, 10, 5, 300], REF.height, REF.width);
const predictions = [
  { ref_id: REF.id, segmentation: { size: [REF.height, REF.width], counts: rleToString(first) } },
  { ref_id: OTHER_REF.id, segmentation: { size: [REF.height, REF.width], counts: Array.from(second.counts) } },
];
/** What POST /evaluate keeps of a masks file: its entries as read. */
const entries = parseMaskPredictions('test', predictions).entries;

test("a masks report's sample decodes to the mask its file gave, whichever way the RLE was written", () => {
  const store = new EvaluationReports();
  const masks = report('masks', predictions);
  const { id } = store.add({ ...where, report: masks, predictions: entries });
  expect(masks.per_sample.toJSON().map((row) => row.ref_id)).toEqual([REF.id, OTHER_REF.id]);
  const decoded = [0, 1].map((i) => store.predictedMask(id, i));
  expect(decoded.map((m) => m && { h: m.h, w: m.w, counts: Array.from(m.counts) })).toEqual(
    [first, rleFromCounts(Array.from(second.counts), REF.height, REF.width)].map((m) => ({ h: m.h, w: m.w, counts: Array.from(m.counts) })),
  );
});

test('no mask: an unknown report, a row beyond per_sample, a report of another task', () => {
  const store = new EvaluationReports();
  const { id } = store.add({ ...where, report: report('masks', predictions), predictions: entries });
  expect(store.predictedMask('no-such-report', 0)).toBeNull();
  expect(store.predictedMask(id, 2)).toBeNull();
  expect(store.predictedMask(id, -1)).toBeNull();
  const boxes = [{ ref_id: REF.id, box: [1, 2, 3, 4] }];
  const boxReport = store.add({ ...where, report: report('boxes', boxes), predictions: entries });
  expect(boxReport.predictions).toBeUndefined();
  expect(store.predictedMask(boxReport.id, 0)).toBeNull();
});

test('a kept predictions file counts against the row bound: the older report goes first', () => {
  const masks = report('masks', predictions);
  // Two rows of per_sample and two kept predictions each: 8 rows for two reports, over a bound of 6.
  const store = new EvaluationReports(10, 6);
  const older = store.add({ ...where, report: masks, predictions: entries }).id;
  const newer = store.add({ ...where, report: masks, predictions: entries }).id;
  expect(store.get(older)).toBeUndefined();
  expect(store.predictedMask(newer, 0)).not.toBeNull();
  // Without the file each weighs only its rows, and both fit.
  const light = new EvaluationReports(10, 6);
  const ids = [1, 2].map(() => light.add({ ...where, report: masks }).id);
  expect(ids.map((i) => light.get(i) !== undefined)).toEqual([true, true]);
});
