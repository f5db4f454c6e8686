/**
 * The graph against the store on the golden data: every REFER call answers what the
 * store answers, relations lead where the store's indexes say, global ids round-trip,
 * connections page and filter, and bad arguments are GraphQL errors that list the valid
 * values. Run with and without graphql-jit, which executes differently.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { stringAt } from '../src/core/store/columns';
import { GOLDEN_DATA, globalId, goldenCatalog, gql, onlyError, testApp } from './api-helpers';

const coco = () => goldenCatalog().get('refcoco', 'unc');
const clef = () => goldenCatalog().get('refclef', 'unc');
const DS = 'dataset(name: "refcoco", splitBy: "unc")';

describe.each([
  ['with graphql-jit', true],
  ['without graphql-jit', false],
])('the graph %s', (_label, jit) => {
  const yoga = testApp({ jit });

  it('lists every loaded pair with its counts, and no load problems', async () => {
    const r = await gql(yoga, '{ datasets { name splitBy counts { refs sentences images annotations categories } warnings { file } } loadFailures { pair } }');
    expect(r.body.errors).toBeUndefined();
    const pairs = r.body.data.datasets.map((d: { name: string; splitBy: string }) => `${d.name}/${d.splitBy}`);
    expect(pairs).toEqual([...goldenCatalog().stores.keys()]);
    const unc = r.body.data.datasets.find((d: { name: string; splitBy: string }) => d.name === 'refcoco' && d.splitBy === 'unc');
    expect(unc.counts).toEqual({ refs: 100, sentences: 284, images: 40, annotations: 394, categories: 80 });
    expect(unc.warnings).toEqual([]);
    expect(r.body.data.loadFailures).toEqual([]);
  });

  it('answers an unknown dataset with an error naming the loaded ones', async () => {
    const r = await gql(yoga, '{ dataset(name: "refcoco", splitBy: "umd") { name } }');
    expect(r.status).toBe(200);
    expect(r.body.data.dataset).toBeNull();
    expect(onlyError(r)).toMatch(/no dataset refcoco\/umd is loaded; loaded: refclef\/unc, .*refcocog\/umd/);
    expect(r.body.errors![0].extensions?.code).toBe('NOT_FOUND');
  });

  it('answers the REFER calls as the store does, in REFER order', async () => {
    const s = coco();
    const r = await gql(
      yoga,
      `{ ${DS} {
        all: refIds testA: refIds(split: "testA") person: refIds(catIds: [1], split: "train")
        byImage: refIds(imageIds: [${s.getImgIds().slice(0, 3).reverse().join(',')}])
        annIds annsOfRefs: annIds(refIds: [0, 1]) imageIds imagesOfRefs: imageIds(refIds: [5, 0, 5]) categoryIds refBox(refId: 3)
      } }`,
    );
    expect(r.body.errors).toBeUndefined();
    const d = r.body.data.dataset;
    expect(d.all).toEqual(s.getRefIds());
    expect(d.testA).toEqual(s.getRefIds({ split: 'testA' }));
    expect(d.testA.length).toBeGreaterThan(0);
    expect(d.person).toEqual(s.getRefIds({ catIds: [1], split: 'train' }));
    expect(d.byImage).toEqual(s.getRefIds({ imageIds: s.getImgIds().slice(0, 3).reverse() }));
    expect(d.annIds).toEqual(s.getAnnIds().map(String));
    expect(d.annsOfRefs).toEqual(s.getAnnIds({ refIds: [0, 1] }).map(String));
    expect(d.imageIds).toEqual(s.getImgIds());
    expect(d.imagesOfRefs).toEqual(s.getImgIds([5, 0, 5]));
    expect(d.categoryIds).toEqual(s.getCatIds());
    expect(d.refBox).toEqual(s.getRefBox(3));
  });

  it('refuses an unknown split or id with the valid values, without failing the rest', async () => {
    const r = await gql(yoga, `{ ${DS} { name bad: refIds(split: "testD") ref(refId: 99999) { refId } image(imageId: 1) { imageId } category(categoryId: 12) { name } sentence(sentId: -1) { sent } } }`);
    expect(r.body.data.dataset).toEqual({ name: 'refcoco', bad: null, ref: null, image: null, category: null, sentence: null });
    const byField = Object.fromEntries(r.body.errors!.map((e) => [e.path!.join('.'), e.message]));
    expect(byField['dataset.bad']).toMatch(/no such split "testD"; valid splits: train, val, test, testA, testB, testC, testAB, testBC, testAC \(labels in this data: /);
    expect(byField['dataset.ref']).toMatch(/no ref with ref_id 99999 \(ref_ids run from 0 to 99, 100 refs\)/);
    expect(byField['dataset.image']).toMatch(/no image with id 1 \(40 images, ids /);
    expect(byField['dataset.category']).toMatch(/no category with id 12 \(valid ids: 1, 2, 3, /);
    expect(byField['dataset.sentence']).toMatch(/no sentence with sent_id -1/);
  });

  it('gives a ref with its sentences, image, annotation, category and box', async () => {
    const s = coco();
    const ref = s.refAt(s.refRow(3));
    const r = await gql(
      yoga,
      `{ ${DS} { ref(refId: 3) {
        refId split annId imageId categoryId sentIds fileName box
        sentences { sentId sent raw tokens ref { refId } }
        image { imageId } annotation { annId refs { refId } } category { categoryId }
      } } }`,
    );
    expect(r.body.errors).toBeUndefined();
    const got = r.body.data.dataset.ref;
    expect(got).toEqual({
      refId: 3,
      split: ref.split,
      annId: String(ref.ann_id),
      imageId: ref.image_id,
      categoryId: ref.category_id,
      sentIds: ref.sent_ids,
      fileName: ref.file_name,
      box: s.getRefBox(3),
      sentences: ref.sentences.map((x) => ({ sentId: x.sent_id, sent: x.sent, raw: x.raw, tokens: x.tokens, ref: { refId: 3 } })),
      image: { imageId: ref.image_id },
      annotation: { annId: String(ref.ann_id), refs: [{ refId: 3 }] },
      category: { categoryId: ref.category_id },
    });
  });

  it('keeps loadX results in the order asked', async () => {
    const s = coco();
    const r = await gql(
      yoga,
      `{ ${DS} {
        loadRefs(refIds: [7, 2, 7]) { refId }
        loadAnns(annIds: ["${s.getAnnIds()[5]}", "${s.getAnnIds()[1]}"]) { annId }
        loadImages(imageIds: [${s.getImgIds()[3]}, ${s.getImgIds()[0]}]) { imageId }
        loadCategories(categoryIds: [90, 1]) { categoryId name supercategory }
      } }`,
    );
    expect(r.body.errors).toBeUndefined();
    const d = r.body.data.dataset;
    expect(d.loadRefs.map((x: { refId: number }) => x.refId)).toEqual([7, 2, 7]);
    expect(d.loadAnns.map((x: { annId: string }) => x.annId)).toEqual([s.getAnnIds()[5], s.getAnnIds()[1]].map(String));
    expect(d.loadImages.map((x: { imageId: number }) => x.imageId)).toEqual([s.getImgIds()[3], s.getImgIds()[0]]);
    expect(d.loadCategories.map((x: { name: string }) => x.name)).toEqual(s.loadCats([90, 1]));
  });

  it('types segmentations: polygons in RefCOCO, RLE parts in RefClef (with string annotation ids)', async () => {
    const annId = coco().getAnnIds()[0];
    const polygons = await gql(yoga, `{ ${DS} { annotation(annId: "${annId}") { iscrowd area bbox segmentation { __typename ... on PolygonSegmentation { polygons } } } } }`);
    expect(polygons.body.errors).toBeUndefined();
    const ann = coco().annotationAt(coco().annotationRow(annId));
    expect(polygons.body.data.dataset.annotation).toEqual({ iscrowd: ann.iscrowd, area: ann.area, bbox: ann.bbox, segmentation: { __typename: 'PolygonSegmentation', polygons: ann.segmentation } });

    const r = await gql(
      yoga,
      `{ dataset(name: "refclef", splitBy: "unc") { annotation(annId: "23896_1") {
        annId iscrowd maskName image { imageId filePath }
        segmentation { __typename ... on RleSegmentation { single parts { height width size counts uncompressedCounts } } }
      } } }`,
    );
    expect(r.body.errors).toBeUndefined();
    const clefAnn = clef().annotationAt(clef().annotationRow('23896_1'));
    const [rle] = clefAnn.segmentation as { counts: string; size: [number, number] }[];
    expect(r.body.data.dataset.annotation).toEqual({
      annId: '23896_1',
      iscrowd: null,
      maskName: '23896_1.png',
      image: { imageId: 23896, filePath: 'images/saiapr_tc-12/23896.jpg' },
      segmentation: { __typename: 'RleSegmentation', single: false, parts: [{ height: rle.size[0], width: rle.size[1], size: rle.size, counts: rle.counts, uncompressedCounts: null }] },
    });
  });

  it('gives an image its refs and annotations from the indexes, and its URLs', async () => {
    const s = coco();
    const imageId = s.getImgIds()[0];
    const r = await gql(yoga, `{ ${DS} { image(imageId: ${imageId}) { imageId fileName width height cocoUrl flickrUrl filePath fileExists refs { refId } annotations { annId } } } }`);
    expect(r.body.errors).toBeUndefined();
    const img = s.loadImgs([imageId])[0];
    expect(r.body.data.dataset.image).toEqual({
      imageId,
      fileName: img.file_name,
      width: img.width,
      height: img.height,
      cocoUrl: img.coco_url,
      flickrUrl: img.flickr_url,
      filePath: `images/mscoco/images/train2014/${img.file_name}`,
      fileExists: false,
      refs: s.getRefIds({ imageIds: [imageId] }).map((refId) => ({ refId })),
      annotations: s.getAnnIds({ imageIds: [imageId] }).map((annId) => ({ annId: String(annId) })),
    });
  });

  it('reports an image file as present when it is under the data root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'refer-images-'));
    try {
      symlinkSync(join(GOLDEN_DATA, 'refcoco'), join(root, 'refcoco'));
      const catalog = loadCatalog({ dataRoot: root, datasets: ['refcoco/unc'], cacheDir: null });
      const [first, second] = catalog.get('refcoco', 'unc').loadImgs(catalog.get('refcoco', 'unc').getImgIds().slice(0, 2));
      mkdirSync(join(root, 'images/mscoco/images/train2014'), { recursive: true });
      writeFileSync(join(root, 'images/mscoco/images/train2014', first.file_name), 'jpeg');
      const r = await gql(testApp({ jit }, catalog), `{ ${DS} { loadImages(imageIds: [${first.id}, ${second.id}]) { fileExists } } }`);
      expect(r.body.data.dataset.loadImages).toEqual([{ fileExists: true }, { fileExists: false }]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('counts and pages the refs of a category', async () => {
    const s = coco();
    const person = s.getRefIds({ catIds: [1] });
    const r = await gql(yoga, `{ ${DS} { category(categoryId: 1) { name supercategory counts { refs annotations images } refs(first: 4) { totalCount edges { node { refId } } } testA: refs(split: "testA") { totalCount } } } }`);
    expect(r.body.errors).toBeUndefined();
    const c = r.body.data.dataset.category;
    expect(c.name).toBe('person');
    expect(c.counts.refs).toBe(person.length);
    expect(c.counts.annotations).toBe(s.getAnnIds({ catIds: [1] }).length);
    expect(c.refs.totalCount).toBe(person.length);
    expect(c.refs.edges.map((e: { node: { refId: number } }) => e.node.refId)).toEqual(person.slice(0, 4));
    expect(c.testA.totalCount).toBe(s.getRefIds({ catIds: [1], split: 'testA' }).length);
  });

  it('gives splits with counts and their refs, by exact label', async () => {
    const s = coco();
    const r = await gql(yoga, `{ ${DS} { splits { name counts { refs sentences images } refs(first: 100) { totalCount edges { node { split } } } images(first: 1) { totalCount } } split(name: "val") { name } bad: split(name: "test") { name } } }`);
    const d = r.body.data.dataset;
    expect(d.splits.map((x: { name: string }) => x.name)).toEqual(s.splitNames);
    for (const split of d.splits) {
      const refIds = s.getRefIds({ split: split.name });
      expect(split.counts.refs).toBe(refIds.length);
      expect(split.counts.sentences).toBe(s.loadRefs(refIds).reduce((n, ref) => n + ref.sentences.length, 0));
      expect(split.counts.images).toBe(s.getImgIds(refIds).length);
      expect(split.images.totalCount).toBe(split.counts.images);
      expect(split.refs.totalCount).toBe(refIds.length);
      expect(new Set(split.refs.edges.map((e: { node: { split: string } }) => e.node.split))).toEqual(new Set([split.name]));
    }
    expect(d.split).toEqual({ name: 'val' });
    expect(d.bad).toBeNull();
    expect(onlyError(r)).toMatch(/no split labelled "test"; labels in this data: train, testA, testB, val/);
  });

  describe('connections', () => {
    it('page through every ref in REFER order with cursors', async () => {
      const seen: number[] = [];
      let after: string | null = null;
      for (let page = 0; page < 10; page++) {
        const r = await gql(yoga, `query($after: String) { ${DS} { refs(first: 30, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { refId } } } } }`, { after });
        const refs = r.body.data.dataset.refs;
        expect(refs.totalCount).toBe(100);
        seen.push(...refs.edges.map((e: { node: { refId: number } }) => e.node.refId));
        if (!refs.pageInfo.hasNextPage) break;
        after = refs.pageInfo.endCursor;
      }
      expect(seen).toEqual(coco().getRefIds());
    });

    it('default to 20 items and accept `last`', async () => {
      const r = await gql(yoga, `{ ${DS} { refs { edges { node { refId } } } images(last: 2) { edges { node { imageId } } } } }`);
      expect(r.body.data.dataset.refs.edges).toHaveLength(20);
      expect(r.body.data.dataset.images.edges.map((e: { node: { imageId: number } }) => e.node.imageId)).toEqual(coco().getImgIds().slice(-2));
    });

    it('filter by category ids or names, images and split together', async () => {
      const s = coco();
      const images = s.getImgIds().slice(0, 10);
      const r = await gql(
        yoga,
        `{ ${DS} {
          byName: refs(categoryNames: ["Person"], split: "train", imageIds: [${images.join(',')}], first: 100) { totalCount edges { node { refId } } }
          byId: refs(categoryIds: [1], split: "train", imageIds: [${images.join(',')}]) { totalCount }
          images(categoryNames: ["person"], first: 100) { totalCount edges { node { imageId } } }
          annotations(categoryIds: [1], first: 1) { totalCount }
          referred: annotations(split: "train", first: 1) { totalCount }
          sentences(categoryIds: [1], split: "val") { totalCount }
        } }`,
      );
      expect(r.body.errors).toBeUndefined();
      const d = r.body.data.dataset;
      const expected = s.getRefIds({ catIds: [1], split: 'train', imageIds: images });
      expect(d.byName.edges.map((e: { node: { refId: number } }) => e.node.refId)).toEqual(expected);
      expect(d.byId.totalCount).toBe(expected.length);
      const personImages = new Set(s.getImgIds(s.getRefIds({ catIds: [1] })));
      expect(d.images.edges.map((e: { node: { imageId: number } }) => e.node.imageId)).toEqual(s.getImgIds().filter((id) => personImages.has(id)));
      expect(d.annotations.totalCount).toBe(s.getAnnIds({ catIds: [1] }).length);
      expect(d.referred.totalCount).toBe(new Set(s.loadRefs(s.getRefIds({ split: 'train' })).map((ref) => ref.ann_id)).size);
      expect(d.sentences.totalCount).toBe(s.loadRefs(s.getRefIds({ catIds: [1], split: 'val' })).reduce((n, ref) => n + ref.sentences.length, 0));
    });

    it('search sentences by whole words in sent and raw, case insensitive', async () => {
      const s = coco();
      const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
      const all = s.loadRefs(s.getRefIds()).flatMap((ref) => ref.sentences);
      const matching = (query: string[]) => all.filter((x) => query.every((w) => words(x.sent).includes(w) || words(x.raw).includes(w))).map((x) => x.sent_id);
      const r = await gql(
        yoga,
        `{ ${DS} {
          left: sentences(text: "LEFT", first: 100) { totalCount edges { node { sentId } } }
          two: sentences(text: "left man", first: 100) { edges { node { sentId } } }
          refs(text: "left", first: 100) { totalCount }
          none: sentences(text: "lef") { totalCount }
        } }`,
      );
      expect(r.body.errors).toBeUndefined();
      const d = r.body.data.dataset;
      expect(matching(['left']).length).toBeGreaterThan(1);
      expect(d.left.edges.map((e: { node: { sentId: number } }) => e.node.sentId)).toEqual(matching(['left']));
      expect(d.two.edges.map((e: { node: { sentId: number } }) => e.node.sentId)).toEqual(matching(['left', 'man']));
      expect(d.refs.totalCount).toBe(new Set(matching(['left']).map((id) => s.refOfSentence[s.sentRow(id)])).size);
      expect(d.none.totalCount).toBe(0);
    });

    it('match words in the raw text that normalisation changed', async () => {
      const s = coco();
      const row = Array.from(s.refs.sentId.keys()).find((i) => stringAt(s.refs.raw, i).toLowerCase() !== stringAt(s.refs.sent, i));
      expect(row).toBeDefined();
      const rawWords = stringAt(s.refs.raw, row!).toLowerCase().match(/[\p{L}\p{N}]+/gu)!;
      const r = await gql(yoga, `query($text: String) { ${DS} { sentences(text: $text, first: 100) { edges { node { sentId } } } } }`, { text: rawWords.join(' ') });
      expect(r.body.data.dataset.sentences.edges.map((e: { node: { sentId: number } }) => e.node.sentId)).toContain(s.refs.sentId[row!]);
    });

    it('name the valid category names for an unknown one', async () => {
      const r = await gql(yoga, `{ ${DS} { refs(categoryNames: ["unicorn"]) { totalCount } } }`);
      expect(r.body.data.dataset.refs).toBeNull();
      expect(onlyError(r)).toMatch(/no category named "unicorn"; valid names: person, bicycle, car/);
    });
  });

  describe('global ids', () => {
    const types = [
      ['Dataset', `${DS} { id name }`, (d: { dataset: { id: string } }) => d.dataset],
      ['Split', `${DS} { split(name: "testA") { id name } }`, (d: { dataset: { split: { id: string } } }) => d.dataset.split],
      ['Ref', `${DS} { ref(refId: 3) { id refId } }`, (d: { dataset: { ref: { id: string } } }) => d.dataset.ref],
      ['Sentence', `${DS} { sentence(sentId: 11) { id sentId } }`, (d: { dataset: { sentence: { id: string } } }) => d.dataset.sentence],
      ['Image', `${DS} { image(imageId: 74311) { id imageId } }`, (d: { dataset: { image: { id: string } } }) => d.dataset.image],
      ['Annotation', 'dataset(name: "refclef", splitBy: "unc") { annotation(annId: "23896_1") { id annId } }', (d: { dataset: { annotation: { id: string } } }) => d.dataset.annotation],
      ['Category', `${DS} { category(categoryId: 1) { id name } }`, (d: { dataset: { category: { id: string } } }) => d.dataset.category],
    ] as const;

    it.each(types)('round-trip for %s through node(id)', async (type, query, pick) => {
      const first = await gql(yoga, `{ ${query} }`);
      expect(first.body.errors).toBeUndefined();
      const object = (pick as (d: unknown) => Record<string, unknown> & { id: string })(first.body.data);
      expect(Buffer.from(object.id, 'base64').toString()).toMatch(new RegExp(`^${type}:(refcoco/unc|refclef/unc)`));
      const fields = Object.keys(object).filter((k) => k !== 'id');
      const again = await gql(yoga, `query($id: ID!) { node(id: $id) { __typename id ... on ${type} { ${fields.join(' ')} } } }`, { id: object.id });
      expect(again.body.errors).toBeUndefined();
      expect(again.body.data.node).toEqual({ __typename: type, ...object });
    });

    it('carry the dataset/splitBy pair: the same ref id in two pairs is two nodes', async () => {
      const r = await gql(yoga, `{ a: node(id: "${globalId('Ref', 'refcoco/unc:3')}") { ... on Ref { split } } b: node(id: "${globalId('Ref', 'refcoco/google:3')}") { ... on Ref { split } } }`);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.a.split).toBe(goldenCatalog().get('refcoco', 'unc').loadRefs([3])[0].split);
      expect(r.body.data.b.split).toBe(goldenCatalog().get('refcoco', 'google').loadRefs([3])[0].split);
    });

    it('resolve several at once with nodes(ids)', async () => {
      const r = await gql(yoga, `{ nodes(ids: ["${globalId('Ref', 'refcoco/unc:5')}", "${globalId('Category', 'refcoco/unc:1')}"]) { __typename } }`);
      expect(r.body.data.nodes).toEqual([{ __typename: 'Ref' }, { __typename: 'Category' }]);
    });

    it.each([
      ['an unknown ref', globalId('Ref', 'refcoco/unc:12345'), /no ref with ref_id 12345/],
      ['an unloaded pair', globalId('Ref', 'refcoco/umd:1'), /no dataset refcoco\/umd is loaded/],
      ['a malformed key', globalId('Ref', 'refcoco:1'), /malformed id "refcoco:1"/],
      ['a non-integer ref id', globalId('Ref', 'refcoco/unc:x'), /"x" is not an integer id/],
      ['an unknown split', globalId('Split', 'refcoco/unc:testZ'), /no split labelled "testZ"/],
      ['not base64 of a typed id', 'nonsense', /Invalid global ID|nonsense/],
      ['an id of a type that is not a node', globalId('PageInfo', 'refcoco/unc:1'), /unknown type "PageInfo"; node types: Dataset, Split, Ref, Sentence, Image, Annotation, Category/],
      ['a dataset id with a record key', globalId('Dataset', 'refcoco/unc:3'), /a dataset id is "<dataset>\/<splitBy>"/],
    ])('answer %s with an error, not a crash', async (_what, id, message) => {
      const r = await gql(yoga, `{ node(id: "${id}") { id } }`);
      expect(r.status).toBe(200);
      expect(r.body.data?.node ?? null).toBeNull();
      expect(onlyError(r)).toMatch(message);
    });
  });
});
