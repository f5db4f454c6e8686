/**
 * The real server on node:http, on 127.0.0.1 and a free port: it serves, limits the
 * body on the socket, and close() waits for in-flight requests before resolving.
 */
import { request } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { startServer, type LogEntry, type RunningServer } from '../src/server';
import { goldenCatalog } from './api-helpers';

function post(url: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('startServer', () => {
  let server: RunningServer;
  const lines: LogEntry[] = [];
  beforeAll(async () => {
    server = await startServer(goldenCatalog(), { port: 0, log: (entry) => lines.push(entry), limits: { maxRequestBodySize: 10_000 } });
  });
  afterAll(() => server.close());

  it('listens on loopback and reports where', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[0]).toMatchObject({ msg: 'listening', url: server.url, graphql: `${server.url}/graphql` });
  });

  it('answers GraphQL, /health and /ready', async () => {
    const r = await post(server.url, JSON.stringify({ query: '{ dataset(name: "refcoco", splitBy: "unc") { refIds(split: "testB") } }' }));
    expect(r.status).toBe(200);
    expect((await r.json()).data.dataset.refIds).toEqual(goldenCatalog().get('refcoco', 'unc').getRefIds({ split: 'testB' }));
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await (await fetch(`${server.url}/ready`)).json()).ready).toBe(true);
  });

  it('refuses a body over the limit with 413, with or without a content-length', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(20_000) } });
    const r = await post(server.url, big);
    expect(r.status).toBe(413);
    expect((await r.json()).errors[0].message).toMatch(/^Request body too large/);

    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write(big.slice(i * 5000, (i + 1) * 5000));
      req.end(big.slice(25_000));
    });
    expect(chunked).toBe(413);
  });
});

describe('close()', () => {
  it('lets an in-flight request finish, then resolves, and refuses new connections', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Holds GraphQL requests until the test releases them: an in-flight request on demand.
    const hold: Plugin = {
      async onRequest({ url }) {
        if (url.pathname !== '/graphql') return;
        arrived();
        await released;
      },
    };
    const server = await startServer(goldenCatalog(), { port: 0, log: false, plugins: [hold] });
    const inFlight = post(server.url, JSON.stringify({ query: '{ datasets { name } }' }));
    await requestArrived;

    let closed = false;
    const closeStarted = Date.now();
    const closing = server.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);

    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect((await response.json()).data.datasets).toHaveLength(goldenCatalog().stores.size);
    await closing;
    expect(closed).toBe(true);
    // Not held open by the client's keep-alive connection (its idle timeout is seconds).
    expect(Date.now() - closeStarted).toBeLessThan(1000);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('cuts off requests that outlast closeTimeoutMs', async () => {
    const never: Plugin = {
      onRequest: ({ url }) => (url.pathname === '/graphql' ? new Promise<void>(() => {}) : undefined),
    };
    const server = await startServer(goldenCatalog(), { port: 0, log: false, plugins: [never], closeTimeoutMs: 200 });
    const stuck = post(server.url, JSON.stringify({ query: '{ __typename }' })).catch((e: Error) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    expect(String(await stuck)).toMatch(/fetch failed/);
  });

  it('is safe to call twice', async () => {
    const server = await startServer(goldenCatalog(), { port: 0, log: false });
    await Promise.all([server.close(), server.close()]);
  });
});
