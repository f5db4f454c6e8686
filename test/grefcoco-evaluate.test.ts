/**
 * GRES through POST /evaluate: on grefcoco/unc, task=masks takes a `no_target` answer beside
 * each sentence's mask and reports ReLA's gIoU, cIoU, Pr@0.7/0.8/0.9, N_acc and T_acc,
 * equal to answers/gres_metrics.json for the golden predictions of each split.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { testApp } from './api-helpers';

const GOLDEN = join(__dirname, 'fixtures/golden/grefcoco');

interface Sample { sent_id: number; height: number; width: number; pred_nt: boolean; gt_nt: boolean; pred_rle: string }
interface Case { name: string; samples: Sample[] }
const inputs = JSON.parse(readFileSync(join(GOLDEN, 'inputs/gres_predictions.json'), 'utf8')) as { cases: Case[] };
const answers = JSON.parse(readFileSync(join(GOLDEN, 'answers/gres_metrics.json'), 'utf8')) as { cases: { name: string; results: [string, Record<string, number>][]; log: string[] }[] };

const yoga = testApp({}, loadCatalog({ dataRoot: join(GOLDEN, 'data'), cacheDir: null }));

async function evaluate(split: string, predictions: unknown) {
  const response = await yoga.fetch(`http://localhost/evaluate?dataset=grefcoco&splitBy=unc&split=${split}&task=masks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(predictions),
  });
  return { status: response.status, body: await response.json() };
}

const predictionsOf = (c: Case) => c.samples.map((s) => ({ sent_id: s.sent_id, segmentation: { size: [s.height, s.width], counts: s.pred_rle }, no_target: s.pred_nt }));

describe.each(['val', 'testA', 'testB'])('split %s', (split) => {
  const c = inputs.cases.find((x) => x.name === `grefcoco_${split}`)!;
  const answer = answers.cases.find((x) => x.name === c.name)!;

  it("reports ReLA's GRES metrics exactly", async () => {
    const r = await evaluate(split, predictionsOf(c));
    expect(r.status).toBe(200);
    const [[source, expected]] = answer.results;
    expect(source).toBe('grefcoco');
    expect(r.body.gres.metrics).toEqual(expected);
    expect(r.body.gres.n).toBe(c.samples.length);
    const outcomes = JSON.parse(answer.log[0].replace(/'/g, '"'));
    expect(r.body.gres.outcomes).toEqual(outcomes);
    expect(r.body.gres.per_sample.map((s: { no_target: boolean }) => s.no_target)).toEqual(c.samples.map((s) => s.gt_nt));
  });
});

it('a no_target that is not a boolean is a 400 naming the prediction', async () => {
  const c = inputs.cases.find((x) => x.name === 'grefcoco_val')!;
  const predictions = predictionsOf(c);
  (predictions[2] as Record<string, unknown>).no_target = 'yes';
  const r = await evaluate('val', predictions);
  expect(r.status).toBe(400);
  expect(r.body.error).toMatch(/prediction 2: no_target must be true or false, got "yes"/);
});

it('an unknown split of grefcoco is a 400 listing its splits', async () => {
  const r = await evaluate('test', []);
  expect(r.status).toBe(400);
  expect(r.body.error).toMatch(/valid splits: train, testB, val, testA/);
});
