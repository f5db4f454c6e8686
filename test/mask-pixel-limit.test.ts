/**
 * Issue 9 item 6: masks have a pixel limit, as renders do, and a bitmap's or PNG's cost
 * grows with the pixels of the images loaded. An image that claims 60000x60000 pixels
 * used to block the server for 11 s per /masks request: now it is refused before any
 * pixel is drawn (the jest timeout is the hang bound).
 */
import { MAX_MASK_PIXELS } from '../src/core/masks';
import { globalId, gql, onlyError, testApp } from './api-helpers';
import { syntheticCatalog } from './synthetic-store';

const HANG_BOUND_MS = 10_000;
const huge = testApp({}, syntheticCatalog({ refs: 1, height: 60_000, width: 60_000 }));
const refId = globalId('Ref', 'refcoco/unc:1');
const annotationId = globalId('Annotation', 'refcoco/unc:70');
const limitMessage = `refcoco/unc: annotation 70: image 7 is 60000x60000 pixels (3600000000); masks are limited to ${MAX_MASK_PIXELS} pixels (MAX_MASK_PIXELS)`;

describe('masks of an image above the pixel limit', () => {
  test.each([
    ['a Ref', refId],
    ['an Annotation', annotationId],
  ])(
    'GET /masks for %s answers 422 naming the image and the limit',
    async (_what, id) => {
      const response = await huge.fetch(`http://localhost/masks/${encodeURIComponent(id)}.png`);
      expect(response.status).toBe(422);
      expect(await response.text()).toBe(`no mask: ${limitMessage}\n`);
    },
    HANG_BOUND_MS,
  );

  test(
    'the GraphQL mask is null with an error naming the image and the limit',
    async () => {
      const r = await gql(huge, '{ dataset(name: "refcoco", splitBy: "unc") { ref(refId: 1) { mask { area } } } }');
      expect(onlyError(r)).toBe(limitMessage);
      expect(r.body.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.body.data.dataset.ref.mask).toBeNull();
    },
    HANG_BOUND_MS,
  );

  test('a mask just under the limit is made', async () => {
    const side = Math.floor(Math.sqrt(MAX_MASK_PIXELS));
    const app = testApp({}, syntheticCatalog({ refs: 1, height: side, width: side }));
    const r = await gql(app, '{ dataset(name: "refcoco", splitBy: "unc") { ref(refId: 1) { mask { height width } } } }');
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.dataset.ref.mask).toEqual({ height: side, width: side });
  }, HANG_BOUND_MS);
});

describe('the cost of bitmaps and PNGs grows with the pixels of the images', () => {
  const BITMAPS = '{ dataset(name: "refcoco", splitBy: "unc") { refs(first: 10) { edges { node { mask { bitmap } } } } } }';
  const PNGS = '{ dataset(name: "refcoco", splitBy: "unc") { refs(first: 5) { edges { node { mask { png } } } } } }';
  const costOf = (message: string) => Number(/estimated cost is (\d+)/.exec(message)?.[1]);

  test('ten bitmaps of COCO-sized images are allowed; of 2000x2000 images they are refused', async () => {
    const coco = await gql(testApp({}, syntheticCatalog({ refs: 10, height: 480, width: 640 })), BITMAPS);
    expect(coco.body.errors).toBeUndefined();
    const large = await gql(testApp({}, syntheticCatalog({ refs: 10, height: 2000, width: 2000 })), BITMAPS);
    expect(onlyError(large)).toMatch(/^Query too expensive/);
  });

  test('a PNG costs 50 per 640x480 of the largest image', async () => {
    const HEIGHTS = '{ dataset(name: "refcoco", splitBy: "unc") { refs(first: 5) { edges { node { mask { height } } } } } }';
    const estimate = async (query: string, height: number) =>
      costOf(onlyError(await gql(testApp({ limits: { maxComplexity: 1 } }, syntheticCatalog({ refs: 5, height, width: 2000 })), query)));
    for (const height of [2000, 4000]) {
      // Five PNGs in place of five heights (cost 1 each).
      const perPng = ((await estimate(PNGS, height)) - (await estimate(HEIGHTS, height))) / 5 + 1;
      expect(perPng).toBe(Math.ceil((50 * height * 2000) / (640 * 480)));
    }
  });
});
