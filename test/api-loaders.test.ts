/**
 * Relations resolve through per-request DataLoaders: a nested query over N images costs
 * one batch call per relation level, not N, and no loader outlives its request.
 */
import { BatchCounter } from '../loaders';
import { goldenCatalog, gql, testApp } from './api-helpers';

const NESTED = `query($ids: [Int!]!) { dataset(name: "refcoco", splitBy: "unc") {
  loadImages(imageIds: $ids) {
    imageId fileExists
    refs {
      refId
      sentences { sent ref { refId } }
      category { name }
      image { imageId }
      annotation { area category { name } refs { refId } }
    }
    annotations { annId image { imageId } }
  }
} }`;

/** Each relation level of NESTED, and how many keys it sees for these images. */
function expectedKeys(imageIds: number[]) {
  const s = goldenCatalog().get('refcoco', 'unc');
  const refs = s.getRefIds({ imageIds });
  const sentences = s.loadRefs(refs).reduce((n, r) => n + r.sentences.length, 0);
  const annotations = s.getAnnIds({ imageIds }).length;
  return {
    imageById: imageIds.length,
    fileExists: imageIds.length,
    refsOfImage: imageIds.length,
    annotationsOfImage: imageIds.length,
    sentencesOfRef: refs.length,
    categoryOfRef: refs.length,
    imageOfRef: refs.length,
    annotationsOfRef: refs.length,
    refOfSentence: sentences,
    categoryOfAnnotation: new Set(s.loadRefs(refs).map((r) => r.ann_id)).size,
    refsOfAnnotation: new Set(s.loadRefs(refs).map((r) => r.ann_id)).size,
    imageOfAnnotation: annotations,
  };
}

describe.each([
  ['with graphql-jit', true],
  ['without graphql-jit', false],
])('loaders %s', (_label, jit) => {
  it.each([2, 10, 40])('make one batch call per relation level for %i images', async (n) => {
    const counter = new BatchCounter();
    const yoga = testApp({ jit, observeBatches: counter.observe });
    const imageIds = goldenCatalog().get('refcoco', 'unc').getImgIds().slice(0, n);
    const r = await gql(yoga, NESTED, { ids: imageIds });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.dataset.loadImages).toHaveLength(n);

    const expected = expectedKeys(imageIds);
    expect(Object.fromEntries(counter.keys)).toEqual(expected);
    // One call per loader, whatever n is: batched, not one call per parent.
    expect(Object.fromEntries(counter.calls)).toEqual(Object.fromEntries(Object.keys(expected).map((name) => [name, 1])));
  });

  it('batches the relations of a connection page the same way', async () => {
    const counter = new BatchCounter();
    const yoga = testApp({ jit, observeBatches: counter.observe });
    const r = await gql(yoga, '{ dataset(name: "refcoco", splitBy: "unc") { images(first: 20) { edges { node { refs { sentences { sent } category { name } } } } } } }');
    expect(r.body.errors).toBeUndefined();
    expect(Object.fromEntries(counter.calls)).toEqual({ refsOfImage: 1, sentencesOfRef: 1, categoryOfRef: 1 });
    expect(counter.keys.get('refsOfImage')).toBe(20);
  });

  it('use fresh loaders for every request', async () => {
    const counter = new BatchCounter();
    const yoga = testApp({ jit, observeBatches: counter.observe });
    const query = '{ dataset(name: "refcoco", splitBy: "unc") { ref(refId: 3) { image { imageId } } } }';
    await gql(yoga, query);
    await gql(yoga, query);
    // A loader shared across requests would answer the second from its cache.
    expect(counter.calls.get('refById')).toBe(2);
    expect(counter.calls.get('imageOfRef')).toBe(2);
  });
});
