/** Edge cases of the evaluation core beyond the golden files, and its building blocks. */
import { DataError } from '../src/core/errors';
import { evaluatePredictions, evaluationSetup, type EvaluationReport } from '../src/eval/evaluate';
import { GroundTruth } from '../src/eval/ground-truth';
import { JsonArrayStream } from '../src/eval/json-array-stream';
import { tokenizeCaption } from '../src/eval/ptb-tokenizer';
import { EvaluationReports } from '../src/eval/report-store';
import { rleFromBbox, rleToString } from '../src/mask';
import { goldenCatalog } from './api-helpers';

const catalog = goldenCatalog();
const gt = new GroundTruth(catalog.get('refcoco', 'unc'));
const valSentences = gt.universe('val').sentRows;
const sentId = (p: number) => gt.idOfRow('sent', valSentences[p]);
const refOf = (p: number) => gt.refRowOfSentence(valSentences[p]);

function run(task: string, predictions: unknown, split = 'val', extra: Record<string, unknown> = {}): any {
  const setup = evaluationSetup(catalog, { dataset: 'refcoco', splitBy: 'unc', split, task, ...extra });
  return evaluatePredictions(setup, 'test', predictions) as EvaluationReport;
}

describe('boxes', () => {
  test('no predictions: nothing given, the whole split counted wrong', () => {
    const r = run('boxes', []);
    expect(r.counts).toEqual({ universe: valSentences.length, entries: 0, evaluated: 0, missing: valSentences.length, duplicates: 0, unknown: 0 });
    expect(r.overall.given).toMatchObject({ n: 0, mean_iou: 0 });
    expect(r.overall.all).toMatchObject({ n: valSentences.length, mean_iou: 0, accuracy: { '0.5': 0 } });
    expect(r.missing_ids).toHaveLength(valSentences.length);
  });

  test('a zero-area box and a box outside the image score 0; the exact box is a hit', () => {
    const box = Array.from(gt.refBox(refOf(0)));
    const r = run('boxes', [
      { sent_id: sentId(0), box: [box[0], box[1], 0, 0] },
      { sent_id: sentId(1), box: [-5000, -5000, 10, 10] },
      { sent_id: sentId(2), box: Array.from(gt.refBox(refOf(2))) },
    ]);
    const [zero, outside, exact] = r.per_sample.toJSON();
    expect([zero.iou, zero.iou_continuous, zero.hit]).toEqual([0, 0, false]);
    expect([outside.iou, outside.iou_continuous, outside.hit]).toEqual([0, 0, false]);
    expect(exact.iou_continuous).toBe(1);
    expect(exact.hit).toBe(true);
  });

  test('normalised boxes ([0, 1] and [0, 1000] of the image) and xyxy score as their pixel box', () => {
    const r0 = refOf(0);
    const [h, w] = gt.imageSize(r0);
    const [x, y, bw, bh] = gt.refBox(r0);
    const pixels = run('boxes', [{ sent_id: sentId(0), box: [x, y, bw, bh] }], 'val', { iou: 'continuous' });
    const unit = run('boxes', [{ sent_id: sentId(0), box: [x / w, y / h, (x + bw) / w, (y + bh) / h] }], 'val', { boxFormat: 'xyxy', boxScale: '1', iou: 'continuous' });
    const thousand = run('boxes', [{ sent_id: sentId(0), box: [(x / w) * 1000, (y / h) * 1000, (bw / w) * 1000, (bh / h) * 1000] }], 'val', { boxScale: '1000', iou: 'continuous' });
    for (const r of [unit, thousand]) {
      expect(r.per_sample.row(0).iou_continuous).toBeCloseTo(pixels.per_sample.row(0).iou_continuous, 9);
      expect(r.per_sample.row(0).hit).toBe(true);
    }
  });

  test('a split of one ref (refcoco unc testB) is scored', () => {
    const { sentRows } = gt.universe('testB');
    const r = run('boxes', Array.from(sentRows, (s) => ({ sent_id: gt.idOfRow('sent', s), box: Array.from(gt.refBox(gt.refRowOfSentence(s))) })), 'testB', { iou: 'continuous' });
    expect(r.counts.universe).toBe(sentRows.length);
    expect(r.overall.accuracy).toBe(1);
  });

  test('a combined split is broken down per split label, every split per category', () => {
    const { sentRows } = gt.universe('test');
    const r = run('boxes', Array.from(sentRows, (s) => ({ sent_id: gt.idOfRow('sent', s), box: Array.from(gt.refBox(gt.refRowOfSentence(s))) })), 'test');
    expect(r.per_split.map((s: { split: string }) => s.split).sort()).toEqual(['testA', 'testB']);
    expect(r.per_split.reduce((n: number, s: { all: { n: number } }) => n + s.all.n, 0)).toBe(sentRows.length);
    expect(r.per_category.reduce((n: number, c: { all: { n: number } }) => n + c.all.n, 0)).toBe(sentRows.length);
    expect(run('boxes', [], 'val').per_split).toEqual([]);
  });

  test('bad input names the prediction', () => {
    expect(() => run('boxes', { sent_id: 1 })).toThrow(/predictions must be a JSON array/);
    expect(() => run('boxes', [{ sent_id: sentId(0), box: [1, 2, 3, Infinity] }])).toThrow(/prediction 0: box must be four finite numbers/);
    expect(() => run('boxes', [{ sent_id: 1.5, box: [1, 2, 3, 4] }])).toThrow(/prediction 0: sent_id must be an integer/);
    expect(() => run('boxes', [null])).toThrow(DataError);
  });
});

describe('masks', () => {
  test('an empty mask scores I = 0, U = the GT area, iou 0; a box mask is scored', () => {
    const [h, w] = gt.imageSize(refOf(0));
    const r = run('masks', [
      { sent_id: sentId(0), segmentation: { size: [h, w], counts: [h * w] } },
      { sent_id: sentId(1), segmentation: { size: [h, w], counts: rleToString(rleFromBbox(gt.refBox(refOf(1)), h, w)) } },
    ]);
    expect(r.per_sample.row(0)).toMatchObject({ I: 0, pred_area: 0, iou: 0 });
    expect(r.per_sample.row(0).U).toBe(r.per_sample.row(0).gt_area);
    expect(r.per_sample.row(1).I).toBeGreaterThan(0);
    expect(r.per_sample.row(1).iou).toBe(r.per_sample.row(1).I / r.per_sample.row(1).U);
  });

  test('a compressed RLE that does not cover the image is refused', () => {
    const [h, w] = gt.imageSize(refOf(0));
    expect(() => run('masks', [{ sent_id: sentId(0), segmentation: { size: [h, w], counts: rleToString(rleFromBbox([0, 0, 1, 1], h, w - 1)) } }])).toThrow(/prediction 0: segmentation.counts sum to/);
    expect(() => run('masks', [{ sent_id: sentId(0), segmentation: { size: [h, w], counts: '!!' } }])).toThrow(/prediction 0: segmentation.counts is not a valid RLE/);
  });

  test('the entry loop counts a repeated id each time and stops, with an error, at a train mask it cannot decode; the report stands', () => {
    const [h, w] = gt.imageSize(refOf(0));
    const box = rleToString(rleFromBbox(gt.refBox(refOf(0)), h, w));
    const trainSent = gt.universe('train').sentRows[0];
    const good = [{ sent_id: sentId(0), segmentation: { size: [h, w], counts: [h * w] } }, { sent_id: sentId(0), segmentation: { size: [h, w], counts: box } }];
    const report = run('masks', good);
    const loop = report.overall.entry_loop;
    // The empty mask (I 0, U the GT area) and the box mask that overrides it, both counted.
    const [kept] = report.per_sample.toJSON();
    expect(report.counts.duplicates).toBe(1);
    expect(loop).toMatchObject({ n: 2, cum_I: kept.I, cum_U: kept.U + kept.gt_area });
    const bad = run('masks', [...good, { sent_id: gt.idOfRow('sent', trainSent), segmentation: { size: [1, 1], counts: [1] } }]);
    expect(bad.counts).toMatchObject({ evaluated: 1, unknown: 1 });
    expect(bad.overall.entry_loop.error).toEqual({ type: 'ValueError', message: expect.stringMatching(/segmentation.size is \[1, 1\]/) });
  });
});

describe('expressions', () => {
  const valRefs = gt.universe('val').refRows;

  test('an empty sentence scores 0 everywhere, as the reference code does', () => {
    const r = run('expressions', [{ ref_id: gt.refId(valRefs[0]), sent: '' }, { ref_id: gt.refId(valRefs[1]), sent: gt.refSentences(valRefs[1])[0] }]);
    expect(r.per_sample.row(0)).toMatchObject({ Bleu_1: 0, Bleu_4: 0, ROUGE_L: 0, CIDEr: 0, pred: '' });
  });

  test('one-word sentences: Bleu_4 of a 1-word corpus is the smoothing constants, not 0', () => {
    const preds = Array.from(valRefs, (r) => ({ ref_id: gt.refId(r), sent: gt.refSentences(r)[0].split(' ')[0] }));
    const r = run('expressions', preds);
    const { testlen, guess, correct } = r.overall.bleu_totals;
    expect(testlen).toBe(preds.length);
    expect(guess).toEqual([preds.length, 0, 0, 0]);
    // ((c + 1e-15) / (n + 1e-9) * (1e-15 / 1e-9)^3)^(1/4), before any brevity penalty.
    const p4 = ((correct[0] + 1e-15) / (preds.length + 1e-9)) * (1e-15 / 1e-9) ** 3;
    const ratio = (testlen + 1e-15) / (r.overall.bleu_totals.reflen + 1e-9);
    expect(r.overall.Bleu_4 / (p4 ** 0.25 * (ratio < 1 ? Math.exp(1 - 1 / ratio) : 1))).toBeCloseTo(1, 12);
    expect(r.overall.Bleu_4).toBeGreaterThan(0);
  });

  test('a split of one ref: CIDEr is 0 even for a ground-truth sentence (IDF over one ref)', () => {
    const [ref] = gt.universe('testB').refRows;
    const r = run('expressions', [{ ref_id: gt.refId(ref), sent: gt.refSentences(ref)[0] }], 'testB');
    expect(r.overall.CIDEr).toBe(0);
    expect(r.overall.METEOR).toBeNull();
    expect(r.overall.unavailable.METEOR).toMatch(/Java/);
  });

  test('no predictions and unknown ref ids are refused', () => {
    expect(() => run('expressions', [])).toThrow(/no predictions/);
    expect(() => run('expressions', [{ ref_id: 99999999, sent: 'x' }])).toThrow(/prediction 0: ref_id 99999999 is not a ref of refcoco\/unc/);
    expect(() => run('expressions', [{ ref_id: gt.refId(valRefs[0]), sent: 3 }])).toThrow(/prediction 0: "sent" must be a string/);
  });
});

describe('PTB tokenizer as coco-caption uses it', () => {
  test.each([
    ['The man\'s hat, on the LEFT.', "the man 's hat on the left"],
    ["don't", "do n't"],
    ["can't won't", "ca n't wo n't"],
    ['cannot see', 'can not see'],
    ['gonna gotta wanna', 'gon na got ta wan na'],
    ["they're we'll i've i'm he'd", "they 're we 'll i 've i 'm he 'd"],
    ['(red) shirt', '-lrb- red -rrb- shirt'],
    ['a "big" dog', 'a big dog'],
    ['t-shirt guy', 't-shirt guy'],
    ['1,000 dogs 3.5 m', '1,000 dogs 3.5 m'],
    ['left... right!? ok; - yes -- no', 'left right ok yes no'],
    ['  double  spaced\tand\nlines ', 'double spaced and lines'],
    ['', ''],
  ])('%j → %j', (input, tokens) => {
    expect(tokenizeCaption(input)).toBe(tokens);
  });
});

describe('JSON array stream', () => {
  const text = '[ {"sent_id": 1, "box": [1, 2.5e1, -3, 4]}, "a \\"]\\" b", 7 , [1, [2]], null, {"s": "{["} ]';

  test('gives JSON.parse\'s elements, whatever the chunk boundaries', () => {
    for (const size of [1, 2, 3, 7, text.length]) {
      const out: unknown[] = [];
      const stream = new JsonArrayStream('body', (v) => out.push(v));
      for (let i = 0; i < text.length; i += size) stream.push(text.slice(i, i + size));
      stream.end();
      expect(out).toEqual(JSON.parse(text));
    }
  });

  test.each([
    ['{}', /expected '\['/],
    ['[1, ]', /expected a prediction/],
    ['[1 2]', /expected ',' or '\]'/],
    ['[1] 2', /after the closing/],
    ['[{"a": }]', /prediction 0 is not valid JSON/],
    ['[1,', /ends before the closing/],
  ])('%j is refused', (body, message) => {
    const stream = new JsonArrayStream('body', () => {});
    expect(() => {
      stream.push(body);
      stream.end();
    }).toThrow(message);
  });
});

test('the report store keeps the newest reports within its bounds', () => {
  const store = new EvaluationReports(2);
  const report = run('boxes', []);
  const ids = [1, 2, 3].map(() => store.add({ dataset: 'refcoco', splitBy: 'unc', split: 'val', report }).id);
  expect(store.size).toBe(2);
  expect(store.get(ids[0])).toBeUndefined();
  expect(store.get(ids[2])?.report).toBe(report);
});
