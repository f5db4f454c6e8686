/**
 * The app around the schema, through yoga.fetch: health and readiness, GraphiQL served
 * offline, CORS, one JSON log line per request, and internal errors masked and logged.
 */
import { Catalog } from '../src/core/catalog';
import type { LogEntry } from '../src/server';
import { goldenCatalog, gql, testApp } from './api-helpers';

describe('the app', () => {
  it('answers /health while it runs', async () => {
    const r = await testApp().fetch('http://localhost/health');
    expect(r.status).toBe(200);
  });

  it('answers /ready with the loaded pairs', async () => {
    const r = await testApp().fetch('http://localhost/ready');
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toEqual({ ready: true, dataRoot: goldenCatalog().dataRoot, datasets: [...goldenCatalog().stores.keys()], failures: [] });
  });

  it('is not ready when no pair loaded, and says why', async () => {
    const empty = new Catalog('/nowhere', new Map(), [{ pair: 'refcoco/unc', error: 'refcoco/instances.json not found under /nowhere' }]);
    const r = await testApp({}, empty).fetch('http://localhost/ready');
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ ready: false, datasets: [], failures: [{ pair: 'refcoco/unc' }] });
  });

  it('serves GraphiQL inline, with no CDN, and a default query on a loaded pair', async () => {
    const r = await testApp().fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    const html = await r.text();
    // Asserted as booleans: a failure must not print a 2 MB page.
    expect(/<script[^>]+src="https?:/.test(html)).toBe(false);
    expect(/<link[^>]+href="https?:/.test(html)).toBe(false);
    expect(html.length).toBeGreaterThan(100_000); // the bundle itself is inlined
    expect(html.includes('dataset(name: \\"refcoco\\", splitBy: \\"unc\\")')).toBe(true);
    expect(html.includes('refs(split: \\"testA\\", first: 5)')).toBe(true);
  });

  it('sends CORS headers, and answers preflight requests', async () => {
    const yoga = testApp();
    const preflight = await yoga.fetch('http://localhost/graphql', {
      method: 'OPTIONS',
      headers: { origin: 'http://example.org', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://example.org');
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const r = await yoga.fetch('http://localhost/graphql?query=%7B__typename%7D', { headers: { origin: 'http://example.org' } });
    expect(r.headers.get('access-control-allow-origin')).toBe('http://example.org');
    const off = await testApp({ cors: false }).fetch('http://localhost/graphql?query=%7B__typename%7D', { headers: { origin: 'http://example.org' } });
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('logs one JSON line per request', async () => {
    const lines: LogEntry[] = [];
    const yoga = testApp({ log: (entry) => lines.push(entry) });
    await gql(yoga, 'query Names { datasets { name } }');
    await gql(yoga, '{ dataset(name: "x", splitBy: "y") { name } }');
    await yoga.fetch('http://localhost/health');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(JSON.parse(JSON.stringify(line))).toEqual(line);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'request', method: 'POST', path: '/graphql', status: 200, operation: 'Names' });
    expect(lines[0].errors).toBeUndefined();
    expect(typeof lines[0].durationMs).toBe('number');
    expect(Date.parse(lines[0].time)).not.toBeNaN();
    expect(lines[1]).toMatchObject({ status: 200, errors: 1 });
    expect(lines[2]).toMatchObject({ method: 'GET', path: '/health', status: 200 });
  });

  it('hides an internal error behind a generic message, and logs it', async () => {
    const lines: LogEntry[] = [];
    const store = goldenCatalog().get('refcoco', 'unc');
    const spy = jest.spyOn(store, 'getCatIds').mockImplementation(() => {
      throw new TypeError('secret internals');
    });
    try {
      const r = await gql(testApp({ log: (entry) => lines.push(entry) }), '{ dataset(name: "refcoco", splitBy: "unc") { categoryIds } }');
      expect(r.body.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
      expect(JSON.stringify(r.body)).not.toContain('secret');
      const logged = lines.find((l) => l.msg === 'internal error');
      expect(logged).toMatchObject({ level: 'error', path: 'dataset.categoryIds' });
      expect(logged!.error).toMatch(/TypeError: secret internals/);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers unknown paths with 404', async () => {
    expect((await testApp().fetch('http://localhost/nope')).status).toBe(404);
  });
});
