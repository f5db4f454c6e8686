/**
 * POST /evaluate through yoga.fetch: golden files replayed over HTTP (plain and gzip),
 * and bad input refused with a 400 that names the prediction and the problem.
 */
import { gzipSync } from 'node:zlib';
import { testApp } from './api-helpers';
import { expectMatchesGolden, goldenCases } from './eval-golden-helpers';

const yoga = testApp();

async function post(query: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  const response = await yoga.fetch(`http://localhost/evaluate?${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body as BodyInit });
  return { status: response.status, body: await response.json() };
}

const subset = goldenCases().filter((c) => (c.dataset === 'refcoco' && c.splitBy === 'unc' && (c.split === 'val' || c.split === 'test')) || (c.dataset === 'refclef' && c.split === 'testA'));

describe.each(subset.map((c) => [c.name, c] as const))('golden %s over HTTP', (_name, c) => {
  test('gives the reference answer, or a 400 where the reference code raised', async () => {
    const query = `dataset=${encodeURIComponent(c.dataset)}&splitBy=${c.splitBy}&split=${c.split}&task=${c.task}`;
    const r = await post(query, c.predictionsText);
    if (c.answer.error) {
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(c.kind === 'captions_nopreds' ? /no predictions/ : /prediction \d+: ref_id \d+ is not a ref/);
      return;
    }
    expect(r.status).toBe(200);
    expect(typeof r.body.id).toBe('string');
    expectMatchesGolden(r.body, c, true);
  });
});

test('a gzip body gives the same report as the plain one', async () => {
  const c = subset.find((x) => x.kind === 'masks_dup')!;
  const query = `dataset=${c.dataset}&splitBy=${c.splitBy}&split=${c.split}&task=masks`;
  const r = await post(query, gzipSync(c.predictionsText), { 'content-encoding': 'gzip' });
  expect(r.status).toBe(200);
  expectMatchesGolden(r.body, c, true);
});

const BOXES = 'dataset=refcoco&splitBy=unc&split=val&task=boxes';
const MASKS = 'dataset=refcoco&splitBy=unc&split=val&task=masks';

test.each([
  ['not JSON', BOXES, '[{"sent_id": 224, "box": [1, 2, 3, 4]}, {sent_id: 225}]', /prediction 1 is not valid JSON/],
  ['not an array', BOXES, '{"sent_id": 224}', /expected '\['/],
  ['a truncated array', BOXES, '[{"sent_id": 224, "box": [1, 2, 3, 4]}', /ends before the closing/],
  ['an empty body', BOXES, '', /empty body/],
  ['a prediction without an id', BOXES, '[{"sent_id": 224, "box": [1, 2, 3, 4]}, {"box": [1, 2, 3, 4]}]', /prediction 1: no "sent_id" or "ref_id"/],
  ['a prediction without a box', BOXES, '[{"sent_id": 224}]', /prediction 0: no "box"/],
  ['a box of three numbers', BOXES, '[{"sent_id": 224, "box": [1, 2, 3]}]', /prediction 0: box must be four finite numbers/],
  ['a box with a string', BOXES, '[{"sent_id": 224, "box": [1, 2, "3", 4]}]', /prediction 0: box must be four finite numbers/],
  ['mixed keys', BOXES, '[{"sent_id": 224, "box": [1, 2, 3, 4]}, {"ref_id": 78, "box": [1, 2, 3, 4]}]', /prediction 1: keyed by ref_id/],
  ['an RLE of another size', MASKS, '[{"sent_id": 224, "segmentation": {"size": [10, 10], "counts": [100]}}]', /prediction 0: segmentation.size is \[10, 10\], but the image is/],
  ['unknown dataset', 'dataset=nope&splitBy=unc&split=val&task=boxes', '[]', /no dataset nope\/unc/],
  ['unknown split', 'dataset=refcoco&splitBy=unc&split=testZ&task=boxes', '[]', /no such split "testZ"/],
  ['unknown task', 'dataset=refcoco&splitBy=unc&split=val&task=captions', '[]', /unknown task "captions"/],
  ['a missing parameter', 'dataset=refcoco&splitBy=unc&task=boxes', '[]', /missing split/],
  ['bad thresholds', `${BOXES}&thresholds=0.5,2`, '[]', /thresholds must be/],
  ['an unknown box format', `${BOXES}&boxFormat=cxcywh`, '[]', /unknown boxFormat "cxcywh"/],
])('%s is a 400 naming the problem', async (_what, query, body, message) => {
  const r = await post(query, body);
  expect([r.status, r.body.error]).toEqual([query.startsWith('dataset=nope') ? 404 : 400, expect.stringMatching(message)]);
});

test('counts that do not sum to h·w are refused', async () => {
  const c = subset.find((x) => x.kind === 'masks' && x.split === 'val')!;
  const first = (c.predictions as { sent_id: number; segmentation: { size: number[] } }[])[0];
  const [h, w] = first.segmentation.size;
  const r = await post(MASKS, JSON.stringify([{ sent_id: first.sent_id, segmentation: { size: [h, w], counts: [h * w - 1] } }]));
  expect(r.status).toBe(400);
  expect(r.body.error).toMatch(new RegExp(`prediction 0: segmentation.counts sum to ${h * w - 1} pixels, but a ${h}x${w} mask has ${h * w}`));
});

test('a body that is not gzip under Content-Encoding: gzip is a 400', async () => {
  const r = await post(BOXES, '[]', { 'content-encoding': 'gzip' });
  expect(r.status).toBe(400);
  expect(r.body.error).toMatch(/cannot be read/);
});

test('GET is a 405', async () => {
  const response = await yoga.fetch(`http://localhost/evaluate?${BOXES}`);
  expect(response.status).toBe(405);
  expect(response.headers.get('allow')).toBe('POST');
});

test('options reach the evaluation: xyxy boxes and thresholds', async () => {
  const c = subset.find((x) => x.kind === 'boxes_by_sent' && x.split === 'val')!;
  const xyxy = (c.predictions as { sent_id: number; box: number[] }[]).map((p) => ({ sent_id: p.sent_id, box: [p.box[0], p.box[1], p.box[0] + p.box[2], p.box[1] + p.box[3]] }));
  const r = await post(`${BOXES}&boxFormat=xyxy&iou=continuous&thresholds=0.75`, JSON.stringify(xyxy));
  expect(r.status).toBe(200);
  expect(Object.keys(r.body.overall.given.correct)).toEqual(['0.5', '0.75']);
  expect(r.body.overall.iou).toBe('continuous');
  expect(r.body.overall.given_continuous.correct['0.75']).toBe(c.answer.overall.given_continuous.correct['0.75']);
});
