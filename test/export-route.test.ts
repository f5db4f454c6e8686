/**
 * GET /export/…: JSON lines of refs (with their records and masks) and of whole-dataset
 * records, equal to the store's REFER records; gzip on request; clear refusals.
 */
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadCatalog } from '../src/core/catalog';
import { MaskCache, refMask } from '../src/core/masks';
import { rleToString } from '../src/mask';
import { goldenCatalog, testApp } from './api-helpers';

const yoga = testApp();
const store = () => goldenCatalog().get('refcoco', 'unc');
const clef = () => goldenCatalog().get('refclef', 'unc');

async function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await yoga.fetch(`http://localhost${path}`, { method, headers });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body };
}

function lines(body: Buffer): unknown[] {
  const text = body.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((l) => JSON.parse(l));
}

describe('GET /export/<dataset>/<splitBy>.jsonl', () => {
  it('has one line per ref, in file order, with its sentences, box, category, image and annotation', async () => {
    const r = await get('/export/refcoco/unc.jsonl');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const s = store();
    const got = lines(r.body) as Record<string, unknown>[];
    expect(got.map((l) => l.ref_id)).toEqual(s.getRefIds());
    got.forEach((line, i) => {
      const ref = s.loadRefs([line.ref_id as number])[0];
      const annotation = s.loadAnns([ref.ann_id])[0];
      expect(line).toEqual({
        ...ref,
        box: s.getRefBox(ref.ref_id),
        category: { id: ref.category_id, name: s.loadCats([ref.category_id])[0], supercategory: expect.any(String) },
        image: s.loadImgs([ref.image_id])[0],
        annotation,
      });
      expect(i).toBe(s.refRow(ref.ref_id));
    });
  });

  it('keeps the refs of ?split= with REFER semantics (refclef testA also matches testAB)', async () => {
    for (const [s, split] of [[store(), 'testA'], [clef(), 'testA'], [clef(), 'test'], [store(), 'train']] as const) {
      const r = await get(`/export/${s.dataset}/${s.splitBy}.jsonl?split=${split}`);
      expect(r.status).toBe(200);
      expect((lines(r.body) as { ref_id: number }[]).map((l) => l.ref_id)).toEqual(s.getRefIds({ split }));
    }
  });

  it('adds the union mask as compressed RLE with include=masks', async () => {
    for (const s of [store(), clef()]) {
      const got = lines((await get(`/export/${s.dataset}/${s.splitBy}.jsonl?split=val&include=masks`)).body) as { ref_id: number; mask: unknown }[];
      expect(got.length).toBeGreaterThan(0);
      for (const line of got) {
        const rle = refMask(s, s.refRow(line.ref_id), new MaskCache(0));
        expect(line.mask).toEqual({ size: [rle.h, rle.w], counts: rleToString(rle) });
      }
    }
  });

  it('gzips when the client accepts it, and only then', async () => {
    const plain = await get('/export/refclef/unc.jsonl');
    const zipped = await get('/export/refclef/unc.jsonl', { 'accept-encoding': 'gzip, deflate' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(zipped.body.length).toBeLessThan(plain.body.length);
    const refused = await get('/export/refclef/unc.jsonl', { 'accept-encoding': 'gzip;q=0' });
    expect(refused.headers.get('content-encoding')).toBeNull();
  });

  it('refuses bad requests with a reason', async () => {
    const split = await get('/export/refcoco/unc.jsonl?split=TRAIN');
    expect(split.status).toBe(400);
    expect(split.body.toString()).toMatch(/refcoco\/unc: no such split "TRAIN"; valid splits: train, val, test, testA/);
    const include = await get('/export/refcoco/unc.jsonl?include=pixels');
    expect(include.status).toBe(400);
    expect(include.body.toString()).toMatch(/include=pixels is not known; valid: include=masks/);
    const pair = await get('/export/nope/unc.jsonl');
    expect(pair.status).toBe(404);
    expect(pair.body.toString()).toMatch(/no dataset nope\/unc is loaded; loaded: refclef\/unc/);
    const kind = await get('/export/refcoco/unc/sentences.jsonl');
    expect(kind.status).toBe(404);
    expect(kind.body.toString()).toMatch(/"sentences" is not one of refs, images, annotations, categories, segmentations, data/);
    const shape = await get('/export/refcoco.jsonl');
    expect(shape.status).toBe(404);
    expect(shape.body.toString()).toMatch(/expected \/export\/<dataset>\/<splitBy>\.jsonl/);
    const escape = await get('/export/%E0%A4%A/unc.jsonl');
    expect(escape.status).toBe(404);
    const post = await get('/export/refcoco/unc.jsonl', {}, 'POST');
    expect(post.status).toBe(405);
  });

  it('answers HEAD with the headers and no body', async () => {
    const r = await get('/export/refcoco/unc.jsonl', {}, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
  });
});

describe('GET /export/<dataset>/<splitBy>/<kind>.jsonl', () => {
  it('has every record of a kind as the files hold them, in file order', async () => {
    for (const s of [store(), clef()]) {
      const base = `/export/${s.dataset}/${s.splitBy}`;
      expect(lines((await get(`${base}/refs.jsonl`)).body)).toEqual(s.loadRefs(s.getRefIds()));
      expect(lines((await get(`${base}/images.jsonl`)).body)).toEqual(s.loadImgs(s.getImgIds()));
      expect(lines((await get(`${base}/annotations.jsonl`)).body)).toEqual(s.loadAnns(s.getAnnIds()));
      const categories = lines((await get(`${base}/categories.jsonl`)).body) as { id: number; name: string }[];
      expect(categories.map((c) => c.id)).toEqual(s.getCatIds());
      expect(categories.map((c) => c.name)).toEqual(s.loadCats(s.getCatIds()));
    }
  });

  it('data.jsonl holds all four kinds in one response, each after a header with its count', async () => {
    const s = clef();
    const got = lines((await get('/export/refclef/unc/data.jsonl')).body);
    const counts = { categories: s.getCatIds().length, images: s.getImgIds().length, annotations: s.getAnnIds().length, refs: s.getRefIds().length };
    expect(got[0]).toEqual({ dataset: 'refclef', splitBy: 'unc', sections: counts });
    let at = 1;
    const sections: Record<string, unknown[]> = {};
    const keys: Record<string, Record<string, unknown[]> | undefined> = {};
    for (const kind of ['categories', 'images', 'annotations', 'refs'] as const) {
      const { keys: sectionKeys, ...header } = got[at] as { keys?: Record<string, unknown[]> };
      expect(header).toEqual({ section: kind, count: counts[kind] });
      keys[kind] = sectionKeys;
      sections[kind] = got.slice(at + 1, at + 1 + counts[kind]);
      at += 1 + counts[kind];
    }
    expect(at).toBe(got.length);
    expect(sections.refs).toEqual(s.loadRefs(s.getRefIds()));
    expect(sections.annotations).toEqual(s.loadAnns(s.getAnnIds()));
    expect(sections.images).toEqual(s.loadImgs(s.getImgIds()));
    expectKeysIndexTheRecords(keys, sections);
  });

  it('data.jsonl?segmentation=omit: the same records without segmentation, the same bytes each time, concurrent requests too', async () => {
    const s = store();
    const path = '/export/refclef/berkeley/data.jsonl?segmentation=omit';
    const [one, two] = await Promise.all([get(path), get(path)]);
    expect(two.body.equals(one.body)).toBe(true);
    expect((await get(path)).body.equals(one.body)).toBe(true);
    const first = await get('/export/refcoco/unc/data.jsonl?segmentation=omit');
    const again = await get('/export/refcoco/unc/data.jsonl?segmentation=omit');
    expect(again.body.equals(first.body)).toBe(true);
    const got = lines(first.body) as Record<string, unknown>[];
    const annotationsAt = got.findIndex((l) => l.section === 'annotations');
    const annotations = got.slice(annotationsAt + 1, annotationsAt + 1 + (got[annotationsAt].count as number));
    expect(annotations).toEqual(s.loadAnns(s.getAnnIds()).map(({ segmentation: _omitted, ...rest }) => rest));
    const gzipped = await get('/export/refcoco/unc/data.jsonl?segmentation=omit', { 'accept-encoding': 'gzip' });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(gzipped.body).equals(first.body)).toBe(true);
  });

  it('refuses an unknown segmentation= value', async () => {
    const r = await get('/export/refcoco/unc/data.jsonl?segmentation=some');
    expect(r.status).toBe(400);
    expect(r.body.toString()).toMatch(/segmentation=some is not known; valid: segmentation=include \(default\) or segmentation=omit/);
  });
});

/** The section lines' key columns name, row by row, the ids and relations of the records after them. */
function expectKeysIndexTheRecords(keys: Record<string, Record<string, unknown[]> | undefined>, sections: Record<string, unknown[]>) {
  const images = sections.images as { id: number }[];
  const annotations = sections.annotations as { id: unknown; image_id: number }[];
  const refs = sections.refs as { ref_id: number; ann_id: unknown; image_id: number; category_id: number; sent_ids: number[] }[];
  expect(keys.categories).toBeUndefined();
  expect(keys.images).toEqual({ id: images.map((i) => i.id) });
  expect(keys.annotations).toEqual({ id: annotations.map((a) => a.id), image_row: annotations.map((a) => images.findIndex((i) => i.id === a.image_id)) });
  const sentIds = refs.flatMap((r) => r.sent_ids);
  const sentStart = [0];
  for (const r of refs) sentStart.push(sentStart[sentStart.length - 1] + r.sent_ids.length);
  expect(keys.refs).toEqual({
    ref_id: refs.map((r) => r.ref_id),
    ann_row: refs.map((r) => annotations.findIndex((a) => a.id === r.ann_id)),
    image_row: refs.map((r) => images.findIndex((i) => i.id === r.image_id)),
    category_id: refs.map((r) => r.category_id),
    sent_start: sentStart,
    sent_id: sentIds,
  });
}

describe('streaming', () => {
  it('sends an export as chunks of lines, not as one body', async () => {
    const response = await yoga.fetch('http://localhost/export/refcoco/unc/annotations.jsonl');
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    const text = Buffer.from(first.value!).toString();
    // One chunk is a batch of lines, far fewer than the 394 annotations.
    expect(text.split('\n').length - 1).toBeLessThan(store().getAnnIds().length);
    await reader.cancel();
  });
});

describe('gRefCOCO exports', () => {
  const catalog = loadCatalog({ dataRoot: join(__dirname, '../data'), datasets: ['grefcoco/unc'], cacheDir: null });
  const grefs = catalog.get('grefcoco', 'unc');
  const gyoga = testApp({}, catalog);
  const gget = async (path: string) => {
    const response = await gyoga.fetch(`http://localhost${path}`);
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  };

  it("has G_REFER's ref records with every target's box, category and annotation, none for a no-target ref", async () => {
    const { status, body } = await gget('/export/grefcoco/unc.jsonl?include=masks');
    expect(status).toBe(200);
    const refs = lines(body) as { ref_id: number; ann_id: unknown[]; no_target: boolean; boxes: unknown[]; categories: unknown[]; annotations: { id: unknown }[]; mask: unknown }[];
    expect(refs.map((r) => r.ref_id)).toEqual(grefs.getRefIds());
    const multi = refs.find((r) => r.ann_id.length > 1)!;
    expect(multi.annotations.map((a) => a.id)).toEqual(multi.ann_id);
    expect(multi.boxes).toHaveLength(multi.ann_id.length);
    expect(multi.categories).toHaveLength(multi.ann_id.length);
    const none = refs.find((r) => r.no_target)!;
    expect(none.ann_id).toEqual([-1]);
    expect([none.boxes, none.categories, none.annotations]).toEqual([[], [], []]);
    expect(none.mask).toBeDefined();
  });

  it('refuses data.jsonl, whose one-object ref keys do not fit target lists, with a reason', async () => {
    const { status, body } = await gget('/export/grefcoco/unc/data.jsonl');
    expect(status).toBe(400);
    expect(body.toString()).toMatch(/grefcoco\/unc: data\.jsonl is REFER's bulk transfer .* use refs\.jsonl/);
  });
});
