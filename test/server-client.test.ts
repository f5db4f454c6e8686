/** The typed example client against a live server on 127.0.0.1, port 0. */
import { GraphQLRequestError, request, runExample } from '../client/example';
import { RefIdsQuery } from '../client/queries';
import { startServer, type RunningServer } from '../src/server';
import { goldenCatalog } from './api-helpers';

describe('client/example.ts', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(goldenCatalog(), { port: 0, host: '127.0.0.1', log: false });
  });
  afterAll(() => server.close());

  it('runs its queries against the server', async () => {
    const store = goldenCatalog().get('refcoco', 'unc');
    const result = await runExample(`${server.url}/graphql`);
    expect(result.pairs).toContain('refcoco/unc: 100 refs, 284 sentences');
    expect(result.split).toBe('testA');
    expect(result.refIds).toEqual(store.getRefIds({ split: 'testA' }));
    expect(result.matches).toBeGreaterThan(0);
    const ref = store.loadRefs([result.firstMatch!.refId])[0];
    expect(ref.split).toBe('testA');
    expect(result.firstMatch!.sentences).toEqual(ref.sentences.map((s) => s.raw));
    expect(result.firstMatch!.sentences.some((s) => /\bman\b/i.test(s))).toBe(true);
    expect(result.segmentation).toBe('PolygonSegmentation');
  });

  it('turns GraphQL errors into exceptions with the server message', async () => {
    await expect(request(`${server.url}/graphql`, RefIdsQuery, { name: 'refcoco', splitBy: 'unc', split: 'testQ' })).rejects.toThrow(GraphQLRequestError);
    await expect(request(`${server.url}/graphql`, RefIdsQuery, { name: 'refcoco', splitBy: 'unc', split: 'testQ' })).rejects.toThrow(/valid splits: train, val, test/);
  });
});
