/**
 * Masks in the graph: Ref.mask and Annotation.mask against the golden getMask answers, the
 * bitmap layouts, one batch per page, the cost estimate that refuses masks by the
 * thousand, and the IoU questions (Query.maskIou, Dataset.refMaskIou).
 * PNGs (Mask.png and GET /masks/…) are in api-mask-route.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as coreMasks from '../src/core/masks';
import { packBits, rleArea, rleDecode, rleFromBbox, rleFromString, rleIou, rleMerge, rleToString } from '../src/mask';
import { goldenCatalog, globalId, gql, onlyError, testApp, type GqlResponse } from './api-helpers';

const golden = path.join(__dirname, 'fixtures/golden');
const DS = 'dataset(name: "refcoco", splitBy: "unc")';
const catalog = goldenCatalog();
const refcoco = catalog.get('refcoco', 'unc');

interface MaskAnswer {
  ref_id: number;
  height: number;
  width: number;
  rle_union_merge: string;
  union_area: number;
  union_bbox: number[];
}

const PAIRS = ['refcoco_unc', 'refcoco_google', 'refcoco+_unc', 'refcocog_google', 'refcocog_umd', 'refclef_unc', 'refclef_berkeley'];

function answersOf(name: string): MaskAnswer[] {
  return (JSON.parse(fs.readFileSync(path.join(golden, `answers/${name}.json`), 'utf8')) as { masks: MaskAnswer[] }).masks;
}

function errorCode(r: GqlResponse): unknown {
  return r.body.errors?.[0]?.extensions?.code;
}

describe.each([
  ['with graphql-jit', true],
  ['without graphql-jit', false],
])('Ref.mask %s', (_label, jit) => {
  const yoga = testApp({ jit });

  it.each(PAIRS)('matches every golden getMask union of %s, in one batch', async (name) => {
    const cut = name.lastIndexOf('_');
    const store = catalog.get(name.slice(0, cut), name.slice(cut + 1));
    const answers = answersOf(name);
    const batches = jest.spyOn(coreMasks, 'annotationMasks');
    try {
      const r = await gql(
        yoga,
        `query($ids: [Int!]!) { dataset(name: "${store.dataset}", splitBy: "${store.splitBy}") { loadRefs(refIds: $ids) { refId mask { height width counts area bbox } } } }`,
        { ids: answers.map((m) => m.ref_id) },
      );
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.dataset.loadRefs).toEqual(
        answers.map((m) => ({ refId: m.ref_id, mask: { height: m.height, width: m.width, counts: m.rle_union_merge, area: m.union_area, bbox: m.union_bbox } })),
      );
      // One batch for the whole list, one key per annotation.
      expect(batches).toHaveBeenCalledTimes(1);
      expect(batches.mock.calls[0][1]).toHaveLength(new Set(answers.map((m) => store.refs.annRow[store.refRow(m.ref_id)])).size);
    } finally {
      batches.mockRestore();
    }
  });

  it('gives the same mask for a ref and its annotation, with rle, bitmaps and a PNG path', async () => {
    const r = await gql(
      yoga,
      `{ ${DS} { ref(refId: 3) { id mask { counts rle pngUrl bitmap packed: bitmap(format: PACKED_BITS) } annotation { id annId mask { counts pngUrl } } } } }`,
    );
    expect(r.body.errors).toBeUndefined();
    const ref = r.body.data.dataset.ref;
    const rle = coreMasks.refMask(refcoco, refcoco.refRow(3));
    expect(ref.mask.counts).toBe(rleToString(rle));
    expect(ref.annotation.mask.counts).toBe(ref.mask.counts);
    expect(ref.mask.rle).toEqual(Array.from(rle.counts));
    const bitmap = rleDecode(rle);
    expect(Buffer.from(ref.mask.bitmap, 'base64')).toEqual(Buffer.from(bitmap));
    expect(Buffer.from(ref.mask.packed, 'base64')).toEqual(Buffer.from(packBits(bitmap)));
    expect(ref.mask.pngUrl).toBe('/masks/refcoco/unc/3.png');
    expect(ref.annotation.mask.pngUrl).toBe(`/masks/refcoco/annotations/${ref.annotation.annId}.png`);
  });

  it('gives RefClef objects (string ids, RLE parts) their masks', async () => {
    const store = catalog.get('refclef', 'unc');
    const annId = String(store.instances.annId(0));
    const r = await gql(yoga, `{ dataset(name: "refclef", splitBy: "unc") { annotation(annId: ${JSON.stringify(annId)}) { mask { counts area } } } }`);
    expect(r.body.errors).toBeUndefined();
    const rle = coreMasks.annotationMask(store, 0);
    expect(r.body.data.dataset.annotation.mask).toEqual({ counts: rleToString(rle), area: rleArea(rle) });
  });
});

describe('the cost of masks', () => {
  const yoga = testApp();

  it('refuses the masks of 50,000 refs before computing any', async () => {
    const batches = jest.spyOn(coreMasks, 'annotationMasks');
    try {
      const ids = Array.from({ length: 50_000 }, (_, i) => i % 100);
      const r = await gql(yoga, `query($ids: [Int!]!) { ${DS} { loadRefs(refIds: $ids) { mask { area } } } }`, { ids });
      expect(onlyError(r)).toMatch(/^Query too expensive: its estimated cost is \d+, the limit is 20000/);
      // Each ref's mask { area } costs 20 + 1.
      expect(Number(onlyError(r).match(/cost is (\d+)/)![1])).toBeGreaterThanOrEqual(50_000 * 21);
      expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
      expect(batches).not.toHaveBeenCalled();
    } finally {
      batches.mockRestore();
    }
  });

  it('counts a mask as 20: 1,000 refs are fine, their masks are not', async () => {
    const ids = Array.from({ length: 1_000 }, (_, i) => i % 100);
    expect((await gql(yoga, `query($ids: [Int!]!) { ${DS} { loadRefs(refIds: $ids) { refId } } }`, { ids })).body.errors).toBeUndefined();
    const r = await gql(yoga, `query($ids: [Int!]!) { ${DS} { loadRefs(refIds: $ids) { mask { area } } } }`, { ids });
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
  });

  it('accepts a page of 100 masks, but not 100 bitmaps', async () => {
    const page = await gql(yoga, `{ ${DS} { refs(first: 100) { edges { node { mask { counts area } } } } } }`);
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data.dataset.refs.edges).toHaveLength(100);
    expect(errorCode(await gql(yoga, `{ ${DS} { refs(first: 100) { edges { node { mask { bitmap } } } } } }`))).toBe('QUERY_TOO_COMPLEX');
    expect((await gql(yoga, `{ ${DS} { refs(first: 10) { edges { node { mask { bitmap } } } } } }`)).body.errors).toBeUndefined();
  });
});

describe('maskIou', () => {
  const yoga = testApp();
  const Q = `query($a: MaskInput!, $b: MaskInput!, $threshold: Float, $iscrowd: Boolean) {
    maskIou(a: $a, b: $b, threshold: $threshold, iscrowd: $iscrowd) { iou intersectionArea unionArea aArea bArea hit threshold iscrowd }
  }`;
  const iou = (a: object, b: object, extra: object = {}) => gql(yoga, Q, { a, b, ...extra });
  const refId = globalId('Ref', 'refcoco/unc:3');
  const refRle = () => coreMasks.refMask(refcoco, refcoco.refRow(3));

  it('gives 1 for a box against its own mask', async () => {
    const r = await iou({ box: [10, 20, 30, 40], height: 100, width: 120 }, { counts: rleToString(rleFromBbox([10, 20, 30, 40], 100, 120)), height: 100, width: 120 });
    expect(r.body.data.maskIou).toEqual({ iou: 1, intersectionArea: 1200, unionArea: 1200, aArea: 1200, bArea: 1200, hit: true, threshold: 0.5, iscrowd: false });
  });

  it('computes overlapping and disjoint boxes by hand', async () => {
    const half = await iou({ box: [0, 0, 10, 10], height: 20, width: 20 }, { box: [5, 0, 10, 10] });
    expect(half.body.data.maskIou).toMatchObject({ iou: 1 / 3, intersectionArea: 50, unionArea: 150, hit: false });
    expect((await iou({ box: [0, 0, 10, 10], height: 20, width: 20 }, { box: [5, 0, 10, 10] }, { threshold: 0.3 })).body.data.maskIou.hit).toBe(true);
    const apart = await iou({ box: [0, 0, 5, 5], height: 20, width: 20 }, { box: [10, 10, 5, 5], height: 20, width: 20 });
    expect(apart.body.data.maskIou).toMatchObject({ iou: 0, intersectionArea: 0, unionArea: 50, hit: false });
  });

  it('with iscrowd, gives the part of a inside b, as pycocotools does', async () => {
    const inside = await iou({ box: [2, 2, 4, 4], height: 20, width: 20 }, { box: [0, 0, 10, 10] }, { iscrowd: true });
    expect(inside.body.data.maskIou).toMatchObject({ iou: 1, intersectionArea: 16, unionArea: 100, iscrowd: true });
  });

  it("compares a box with a ref's mask as rleIou does, at the ref's size", async () => {
    const box = refcoco.getRefBox(3);
    const r = await iou({ box }, { id: refId });
    expect(r.body.errors).toBeUndefined();
    const truth = refRle();
    const boxRle = rleFromBbox(box, truth.h, truth.w);
    expect(r.body.data.maskIou).toMatchObject({
      iou: rleIou([boxRle], [truth])[0][0],
      intersectionArea: rleArea(rleMerge([boxRle, truth], true)),
      unionArea: rleArea(rleMerge([boxRle, truth])),
      aArea: rleArea(boxRle),
      bArea: rleArea(truth),
    });
    expect(r.body.data.maskIou.iou).toBeGreaterThan(0.3);
    expect(r.body.data.maskIou.iou).toBeLessThan(1);
  });

  it('compares masks given by id, counts or uncompressed counts', async () => {
    const truth = refRle();
    const annId = globalId('Annotation', `refcoco/unc:${refcoco.instances.annId(refcoco.refs.annRow[refcoco.refRow(3)])}`);
    for (const a of [{ id: annId }, { counts: rleToString(truth) }, { uncompressedCounts: Array.from(truth.counts), height: truth.h, width: truth.w }]) {
      const r = await iou(a, { id: refId });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.maskIou).toMatchObject({ iou: 1, aArea: rleArea(truth), hit: true });
    }
  });

  it.each([
    ['no mask', {}, { box: [0, 0, 1, 1], height: 5, width: 5 }, /maskIou: a: give exactly one of id, box, counts or uncompressedCounts \(got none\)/],
    ['two masks', { box: [0, 0, 1, 1], counts: '0' }, { box: [0, 0, 1, 1] }, /maskIou: a: give exactly one of .* \(got box and counts\)/],
    ['no size anywhere', { box: [0, 0, 1, 1] }, { box: [0, 0, 2, 2] }, /maskIou: a: a box needs height and width/],
    ['half a size', { box: [0, 0, 1, 1], height: 5 }, { box: [0, 0, 2, 2] }, /maskIou: a: give both height and width, or neither/],
    ['different sizes', { box: [0, 0, 1, 1], height: 5, width: 6 }, { box: [0, 0, 2, 2], height: 6, width: 5 }, /maskIou: a is 5x6 \(height x width\) but b is 6x5: masks of different sizes cannot be compared/],
    ['a size that is not the id mask\'s', { id: refId, height: 5, width: 5 }, { box: [0, 0, 1, 1] }, /maskIou: a: height and width are 5x5, but the mask of id .* is \d+x\d+; leave them out with an id/],
    ['bad counts', { counts: 'abc~', height: 5, width: 5 }, { box: [0, 0, 1, 1] }, /maskIou: a.counts: rleFromString: character "~" at 3 is outside the RLE alphabet/],
    ['counts of another size', { counts: rleToString(rleFromBbox([0, 0, 2, 2], 4, 4)), height: 5, width: 5 }, { box: [0, 0, 1, 1] }, /maskIou: a.counts: the runs cover 16 pixels but height x width = 5x5 = 25/],
    ['negative counts', { uncompressedCounts: [-1, 26], height: 5, width: 5 }, { box: [0, 0, 1, 1] }, /maskIou: a.uncompressedCounts: rleFromCounts: count 0 is -1/],
    ['a box of 3 numbers', { box: [0, 0, 1], height: 5, width: 5 }, { box: [0, 0, 1, 1] }, /maskIou: a.box: expected 4 finite numbers \[x, y, w, h\], got \[0, 0, 1\]/],
    ['a negative box', { box: [0, 0, -1, 1], height: 5, width: 5 }, { box: [0, 0, 1, 1] }, /maskIou: a.box: width and height must not be negative/],
    ['a bad size', { box: [0, 0, 1, 1], height: -5, width: 5 }, { box: [0, 0, 1, 1] }, /maskIou: a.box: rleFromPolygon: size must be two non-negative integers/],
  ])('refuses %s with a clear error', async (_case, a, b, message) => {
    const r = await iou(a, b);
    expect(onlyError(r)).toMatch(message);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.body.data).toEqual({ maskIou: null });
  });

  it('refuses a threshold outside [0, 1]', async () => {
    expect(onlyError(await iou({ box: [0, 0, 1, 1], height: 5, width: 5 }, { box: [0, 0, 1, 1] }, { threshold: 1.5 }))).toMatch(/maskIou: threshold must be between 0 and 1, got 1.5/);
  });

  it('says what is wrong with an id', async () => {
    const image = await iou({ id: globalId('Image', 'refcoco/unc:1') }, { box: [0, 0, 1, 1] });
    expect(onlyError(image)).toMatch(/names an object of type Image \(Image:refcoco\/unc:1\); masks belong to Ref and Annotation ids/);
    expect(errorCode(image)).toBe('BAD_USER_INPUT');
    const unknown = await iou({ id: globalId('Ref', 'refcoco/unc:123456') }, { box: [0, 0, 1, 1] });
    expect(onlyError(unknown)).toMatch(/no ref with ref_id 123456/);
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const garbage = await iou({ id: 'not an id' }, { box: [0, 0, 1, 1] });
    expect(onlyError(garbage)).toMatch(/"not an id" is not a global id/);
    expect(errorCode(garbage)).toBe('NOT_FOUND');
    const noPair = await iou({ id: globalId('Ref', 'refcoco/nope:3') }, { box: [0, 0, 1, 1] });
    expect(errorCode(noPair)).toBe('NOT_FOUND');
  });
});

describe('Dataset.refMaskIou', () => {
  const yoga = testApp();
  const Q = `query($refId: Int!, $box: [Float!], $counts: String, $threshold: Float) {
    ${DS} { refMaskIou(refId: $refId, box: $box, counts: $counts, threshold: $threshold) { iou hit threshold aArea bArea } }
  }`;

  it("answers the comprehension question for getRefBox's box", async () => {
    const truth = coreMasks.refMask(refcoco, refcoco.refRow(3));
    const box = refcoco.getRefBox(3);
    const r = await gql(yoga, Q, { refId: 3, box });
    expect(r.body.errors).toBeUndefined();
    const expected = rleIou([rleFromBbox(box, truth.h, truth.w)], [truth])[0][0];
    expect(r.body.data.dataset.refMaskIou).toEqual({ iou: expected, hit: expected >= 0.5, threshold: 0.5, aArea: rleArea(rleFromBbox(box, truth.h, truth.w)), bArea: rleArea(truth) });
  });

  it('gives 1 for the golden union string of the ref', async () => {
    const answer = answersOf('refcoco_unc')[0];
    const r = await gql(yoga, Q, { refId: answer.ref_id, counts: answer.rle_union_merge, threshold: 0.99 });
    expect(r.body.data.dataset.refMaskIou).toMatchObject({ iou: 1, hit: true, threshold: 0.99, bArea: rleArea(rleFromString(answer.rle_union_merge, answer.height, answer.width)) });
  });

  it('refuses a missing or doubled prediction and an unknown ref', async () => {
    expect(onlyError(await gql(yoga, Q, { refId: 3 }))).toMatch(/refMaskIou: give exactly one of box, counts or uncompressedCounts \(got none\)/);
    expect(onlyError(await gql(yoga, Q, { refId: 3, box: [0, 0, 1, 1], counts: '0' }))).toMatch(/\(got box and counts\)/);
    expect(onlyError(await gql(yoga, Q, { refId: 123456, box: [0, 0, 1, 1] }))).toMatch(/no ref with ref_id 123456/);
  });
});
