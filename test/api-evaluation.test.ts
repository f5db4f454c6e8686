/**
 * Evaluation in the graph, through yoga.fetch: a report POSTed to /evaluate read back
 * with evaluation(id) (numbers as the golden answers, samples worst first linked to
 * their refs), boxes scored in the query itself (evaluateBoxes), and refBoxIou.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql, onlyError, testApp } from './api-helpers';
import { GOLDEN_EVAL } from './eval-golden-helpers';

const yoga = testApp();
const CASE = 'refcoco_unc_val_boxes_by_sent';
const predictionsText = readFileSync(join(GOLDEN_EVAL, 'predictions', `${CASE}.json`), 'utf8');
const golden = JSON.parse(readFileSync(join(GOLDEN_EVAL, 'answers', `${CASE}.json`), 'utf8'));

async function postEvaluate(query: string, body: string): Promise<{ id: string; per_sample: { iou: number | null }[] }> {
  const response = await yoga.fetch(`http://localhost/evaluate?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(response.status).toBe(200);
  return response.json();
}

const REPORT = `query ($id: ID!, $order: EvaluationSampleOrder, $first: Int, $after: String) {
  evaluation(id: $id) {
    id task split dataset { name splitBy }
    counts { universe entries evaluated missing duplicates unknown }
    overall { given { n accuracy: metric(name: "accuracy@0.5") meanIou: metric(name: "mean_iou") metrics { name value } } all { n } }
    perCategory { categoryId name given { n metrics { name value } } }
    samples(first: $first, after: $after, orderBy: $order) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { index entry sentId refId iou hit predictedBox groundTruthBox ref { refId renderUrl(mode: BOX) } } }
    }
  }
}`;

describe('evaluation(id) of a report from POST /evaluate', () => {
  let id: string;
  let perSample: { iou: number | null }[];
  beforeAll(async () => {
    const posted = await postEvaluate('dataset=refcoco&splitBy=unc&split=val&task=boxes', predictionsText);
    id = posted.id;
    perSample = posted.per_sample;
  });

  test('has the golden counts and overall numbers', async () => {
    const r = await gql(yoga, REPORT, { id, first: 5 });
    expect(r.body.errors).toBeUndefined();
    const e = r.body.data.evaluation;
    expect(e).toMatchObject({ id, task: 'BOXES', split: 'val', dataset: { name: 'refcoco', splitBy: 'unc' } });
    expect(e.counts).toEqual(golden.counts);
    expect(e.overall.given.n).toBe(golden.overall.given.n);
    expect(e.overall.given.accuracy).toBe(golden.overall.given.accuracy['0.5']);
    expect(e.overall.given.meanIou).toBe(golden.overall.given.mean_iou);
    expect(e.overall.given.metrics).toContainEqual({ name: 'accuracy@0.9', value: golden.overall.given.accuracy['0.9'] });
    expect(e.overall.all.n).toBe(golden.overall.all.n);
    const perCategoryN = e.perCategory.reduce((sum: number, c: { given: { n: number } }) => sum + c.given.n, 0);
    expect(perCategoryN).toBe(golden.overall.given.n);
  });

  test('samples IOU_ASC come worst first, linked to their refs, and page to the end', async () => {
    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const r = await gql(yoga, REPORT, { id, order: 'IOU_ASC', first: 7, after });
      expect(r.body.errors).toBeUndefined();
      const page = r.body.data.evaluation.samples;
      for (const { node } of page.edges) {
        seen.push(node.iou ?? 0);
        expect(node.ref.refId).toBe(node.refId);
        expect(node.ref.renderUrl).toMatch(/^\/renders\/.+\.png\?mode=BOX/);
        expect(node.predictedBox).toEqual(golden.per_sample[node.index].pred);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(perSample.length);
    expect(seen).toEqual([...perSample.map((s) => s.iou ?? 0)].sort((a, b) => a - b));
  });

  test('FILE_ORDER keeps the per_sample order', async () => {
    const r = await gql(yoga, REPORT, { id, order: 'FILE_ORDER', first: 3 });
    expect(r.body.data.evaluation.samples.edges.map((e: { node: { index: number } }) => e.node.index)).toEqual([0, 1, 2]);
    expect(r.body.data.evaluation.samples.edges[0].node.sentId).toBe(golden.per_sample[0].sent_id);
  });

  test('a boxes report refuses a CIDEr order, naming the orders it has', async () => {
    const r = await gql(yoga, REPORT, { id, order: 'CIDER_ASC', first: 3 });
    expect(onlyError(r)).toMatch(/boxes report has no CIDEr: order by IOU_ASC or IOU_DESC/);
  });
});

test('an expressions report gives the golden scores and orders by CIDEr', async () => {
  const name = 'refcoco_unc_val_captions';
  const answer = JSON.parse(readFileSync(join(GOLDEN_EVAL, 'answers', `${name}.json`), 'utf8'));
  const posted = await postEvaluate('dataset=refcoco&splitBy=unc&split=val&task=expressions', readFileSync(join(GOLDEN_EVAL, 'predictions', `${name}.json`), 'utf8'));
  const r = await gql(yoga, `query ($id: ID!) { evaluation(id: $id) { task overall { given { cider: metric(name: "CIDEr") meteor: metric(name: "METEOR") } all { n } } samples(first: 50, orderBy: CIDER_ASC) { edges { node { cider predictedSentence iou predictedBox } } } } }`, { id: posted.id });
  expect(r.body.errors).toBeUndefined();
  const e = r.body.data.evaluation;
  expect(e.task).toBe('EXPRESSIONS');
  expect(e.overall.given.cider).toBeCloseTo(answer.overall.CIDEr, 12);
  expect(e.overall.given.meteor).toBeNull();
  expect(e.overall.all).toBeNull();
  const ciders = e.samples.edges.map((x: { node: { cider: number } }) => x.node.cider);
  expect(ciders).toEqual([...ciders].sort((a: number, b: number) => a - b));
  expect(e.samples.edges[0].node.iou).toBeNull();
  expect(typeof e.samples.edges[0].node.predictedSentence).toBe('string');
  // The sentence is not a box: asking for predictedBox too is null, not an error.
  expect(e.samples.edges[0].node.predictedBox).toBeNull();
});

test('evaluation of an unknown id is null', async () => {
  const r = await gql(yoga, '{ evaluation(id: "no-such-report") { id } }');
  expect(r.body).toEqual({ data: { evaluation: null } });
});

const EVALUATE_BOXES = `query ($predictions: [BoxPredictionInput!]!, $iou: IouConvention, $format: BoxFormat) {
  evaluateBoxes(dataset: "refcoco", splitBy: "unc", split: "val", predictions: $predictions, iou: $iou, boxFormat: $format) {
    id counts { entries evaluated unknown } overall { given { accuracy: metric(name: "accuracy@0.5") meanIou: metric(name: "mean_iou") } }
  }
}`;

describe('evaluateBoxes', () => {
  const goldenPredictions = (JSON.parse(predictionsText) as { sent_id: number; box: number[] }[]).map((p) => ({ sentId: p.sent_id, box: p.box }));

  test('scores the golden file as POST /evaluate does, and stores the report', async () => {
    const r = await gql(yoga, EVALUATE_BOXES, { predictions: goldenPredictions });
    expect(r.body.errors).toBeUndefined();
    const e = r.body.data.evaluateBoxes;
    expect(e.overall.given.accuracy).toBe(golden.overall.given.accuracy['0.5']);
    expect(e.overall.given.meanIou).toBe(golden.overall.given.mean_iou);
    expect(e.counts).toEqual({ entries: golden.counts.entries, evaluated: golden.counts.evaluated, unknown: golden.counts.unknown });
    const again = await gql(yoga, 'query ($id: ID!) { evaluation(id: $id) { id } }', { id: e.id });
    expect(again.body.data.evaluation.id).toBe(e.id);
  });

  test('the same boxes as xyxy corners give the same accuracy', async () => {
    const corners = goldenPredictions.map((p) => ({ sentId: p.sentId, box: [p.box[0], p.box[1], p.box[0] + p.box[2], p.box[1] + p.box[3]] }));
    const r = await gql(yoga, EVALUATE_BOXES, { predictions: corners, format: 'XYXY', iou: 'CONTINUOUS' });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.evaluateBoxes.overall.given.accuracy).toBe(golden.overall.given_continuous.accuracy['0.5']);
  });

  test('a box that is not four numbers is refused, naming the prediction', async () => {
    const r = await gql(yoga, EVALUATE_BOXES, { predictions: [goldenPredictions[0], { sentId: goldenPredictions[1].sentId, box: [1, 2, 3] }] });
    expect(onlyError(r)).toMatch(/evaluateBoxes: predictions: prediction 1: box must be four finite numbers/);
  });

  test('an unknown split is refused', async () => {
    const r = await gql(yoga, EVALUATE_BOXES.replace('split: "val"', 'split: "nope"'), { predictions: goldenPredictions.slice(0, 1) });
    expect(onlyError(r)).toMatch(/nope/);
  });

  test('too many predictions for the cost limit are refused before scoring', async () => {
    // 21,000 predictions cost more than the limit of 20,000 but fit the 1 MB body limit.
    const many = Array.from({ length: 21_000 }, () => ({ sentId: 224, box: [1, 1, 1, 1] }));
    const r = await gql(yoga, EVALUATE_BOXES, { predictions: many });
    expect(onlyError(r)).toMatch(/too expensive/);
  });
});

describe('Dataset.refBoxIou', () => {
  const Q = `query ($refId: Int!, $box: [Float!]!, $iou: IouConvention) { dataset(name: "refcoco", splitBy: "unc") { refBoxIou(refId: $refId, box: $box, iou: $iou) { iou hit publishedIou continuousIou groundTruthBox iouConvention } } }`;
  const sample = golden.per_sample[0];

  test("the ref's own box has IoU 1", async () => {
    const r = await gql(yoga, Q, { refId: sample.ref_id, box: sample.gt });
    const c = r.body.data.dataset.refBoxIou;
    // computeIoU in float64 on fractional corners: 1 up to rounding, as in Python.
    expect(c.iou).toBeCloseTo(1, 12);
    expect(c).toMatchObject({ hit: true, groundTruthBox: sample.gt, iouConvention: 'PUBLISHED' });
  });

  test('a predicted box scores as the golden per-sample row, in both conventions', async () => {
    const r = await gql(yoga, Q, { refId: sample.ref_id, box: sample.pred, iou: 'CONTINUOUS' });
    expect(r.body.data.dataset.refBoxIou).toMatchObject({ iou: sample.iou_continuous, publishedIou: sample.iou, continuousIou: sample.iou_continuous, iouConvention: 'CONTINUOUS' });
  });

  test('a zero-area box far away has IoU 0 and misses', async () => {
    const r = await gql(yoga, Q, { refId: sample.ref_id, box: [5000, 5000, 0, 0] });
    expect(r.body.data.dataset.refBoxIou).toMatchObject({ iou: 0, hit: false });
  });

  test('a box of three numbers and an unknown ref are refused by name', async () => {
    expect(onlyError(await gql(yoga, Q, { refId: sample.ref_id, box: [1, 2, 3] }))).toMatch(/refBoxIou: box must be four finite numbers/);
    expect(onlyError(await gql(yoga, Q, { refId: 987654321, box: [1, 2, 3, 4] }))).toMatch(/no ref with ref_id 987654321/);
  });
});
