/**
 * Limits that protect the server from abusive queries: depth, aliases, tokens, estimated
 * cost, page size and request body size. Each is refused with a clear error before any
 * data is touched (no loader batch runs), and each is configurable.
 */
import { BatchCounter } from '../loaders';
import { DEFAULT_SERVER_LIMITS } from '../src/server';
import { goldenCatalog, gql, onlyError, testApp } from './api-helpers';

const DS = 'dataset(name: "refcoco", splitBy: "unc")';

/** A query nesting Ref → Image → refs … to the given field depth. */
function deepQuery(depth: number): string {
  let inner = 'refId';
  let level = 3; // dataset > ref > … > refId
  while (level < depth) {
    inner = level % 2 === 1 ? `image { refs { ${inner} } }` : `annotation { refs { ${inner} } }`;
    level += 2;
  }
  return `{ ${DS} { ref(refId: 3) { ${inner} } } }`;
}

describe.each([
  ['with graphql-jit', true],
  ['without graphql-jit', false],
])('limits %s', (_label, jit) => {
  const counter = new BatchCounter();
  const yoga = testApp({ jit, observeBatches: counter.observe });
  beforeEach(() => counter.reset());

  it('refuse a query deeper than maxDepth', async () => {
    const ok = await gql(yoga, deepQuery(11));
    expect(ok.body.errors).toBeUndefined();
    counter.reset();
    const r = await gql(yoga, deepQuery(13));
    expect(onlyError(r)).toMatch(/Query depth limit of 12 exceeded, found 13/);
    expect(r.body.data).toBeUndefined();
    expect(counter.totalCalls).toBe(0);
  });

  it('let introspection through whatever its depth', async () => {
    const r = await gql(yoga, '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } } } }');
    expect(r.body.errors).toBeUndefined();
  });

  it('refuse more aliases than maxAliases', async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: refIds(split: "train")`).join(' ');
    expect((await gql(yoga, `{ ${DS} { ${aliases(20)} } }`)).body.errors).toBeUndefined();
    const r = await gql(yoga, `{ ${DS} { ${aliases(21)} } }`);
    expect(onlyError(r)).toMatch(/Aliases limit of 20 exceeded, found 21/);
  });

  it('refuse a document of more than maxTokens tokens', async () => {
    const ids = Array.from({ length: 25_000 }, (_, i) => i % 100).join(',');
    const r = await gql(yoga, `{ ${DS} { refIds(refIds: [${ids}]) } }`);
    expect(onlyError(r)).toMatch(/Token limit of 20000 exceeded/);
  });

  it("refuse 50,000 refs' worth of nested data before resolving anything", async () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => i % 100);
    const r = await gql(yoga, `query($ids: [Int!]!) { ${DS} { loadRefs(refIds: $ids) { sentences { sent } box } } }`, { ids });
    const message = onlyError(r);
    expect(message).toMatch(/^Query too expensive: its estimated cost is \d+, the limit is 20000\. Lists multiply the cost/);
    expect(Number(message.match(/cost is (\d+)/)![1])).toBeGreaterThan(50_000);
    expect(r.body.errors![0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.body.data?.dataset ?? null).toBeNull();
    expect(counter.totalCalls).toBe(0);
  });

  it('refuse wide nesting of connections by their page sizes', async () => {
    const q = (first: number) =>
      `{ ${DS} { categories { refs(first: ${first}) { edges { node { sentences { sent } image { annotations { bbox } } } } } } } }`;
    const r = await gql(yoga, q(100));
    expect(onlyError(r)).toMatch(/Query too expensive/);
    expect(counter.totalCalls).toBe(0);
    // The same shape with small pages is fine.
    expect((await gql(yoga, q(1))).body.errors).toBeUndefined();
  });

  it('accept the benchmark queries', async () => {
    const imageIds = goldenCatalog().get('refcoco', 'unc').getImgIds().slice(0, 20);
    const nested = await gql(yoga, `{ ${DS} { loadImages(imageIds: [${imageIds.join(',')}]) { refs { refId sentences { sent } category { name } } } } }`);
    expect(nested.body.errors).toBeUndefined();
    const page = await gql(yoga, `{ ${DS} { refs(first: 100) { edges { node { refId sentences { sent raw tokens } } } } } }`);
    expect(page.body.errors).toBeUndefined();
  });

  it('refuse pages larger than maxPageSize instead of clamping them', async () => {
    const ok = await gql(yoga, `{ ${DS} { refs(first: 100) { totalCount } } }`);
    expect(ok.body.errors).toBeUndefined();
    for (const arg of ['first: 101', 'last: 500, before: "T2Zmc2V0Q29ubmVjdGlvbjo5OQ=="']) {
      const r = await gql(yoga, `{ ${DS} { refs(${arg}) { totalCount } } }`);
      expect(onlyError(r)).toMatch(/(first|last): \d+ is more than the page size limit of 100; page with `after`\/`before` instead/);
      expect(r.body.errors![0].extensions?.code).toBe('PAGE_SIZE_EXCEEDED');
    }
  });

  it('refuse a request body larger than maxRequestBodySize with 413', async () => {
    const big = JSON.stringify({ query: `{ ${DS} { name } }`, variables: { pad: 'x'.repeat(DEFAULT_SERVER_LIMITS.maxRequestBodySize) } });
    const r = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(r.status).toBe(413);
    expect((await r.json()).errors[0].message).toMatch(/^Request body too large/);
  });

  it('refuse an oversized body sent without a length (chunked)', async () => {
    const chunk = new TextEncoder().encode(`{"query":"{ __typename }","variables":{"pad":"${'x'.repeat(400_000)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 4) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const r = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(r.status).toBe(413);
  });
});

describe('configured limits', () => {
  it('apply instead of the defaults', async () => {
    const yoga = testApp({ limits: { maxPageSize: 10, defaultPageSize: 5, maxDepth: 5, maxAliases: 2, maxComplexity: 50, maxRequestBodySize: 500 } });
    const page = await gql(yoga, `{ ${DS} { refs(first: 11) { totalCount } } }`);
    expect(onlyError(page)).toMatch(/first: 11 is more than the page size limit of 10/);
    const defaultPage = await gql(yoga, `{ ${DS} { refs { edges { cursor } } } }`);
    expect(defaultPage.body.data.dataset.refs.edges).toHaveLength(5);
    expect(onlyError(await gql(yoga, deepQuery(7)))).toMatch(/depth limit of 5 exceeded/);
    expect(onlyError(await gql(yoga, `{ ${DS} { a: name b: name c: name } }`))).toMatch(/Aliases limit of 2 exceeded/);
    expect(onlyError(await gql(yoga, `{ ${DS} { loadRefs(refIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) { sentences { sent } } } }`))).toMatch(/the limit is 50/);
    const big = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ ${DS} { name } }`, variables: { pad: 'x'.repeat(600) } }) });
    expect(big.status).toBe(413);
  });
});
