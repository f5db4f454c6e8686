/**
 * The node:http side of startServer: draining on close() (/ready says 503 while in-flight
 * requests finish) and timeouts that close slow or idle sockets (issue 9 item 10). Real
 * sockets on 127.0.0.1, each server closed by its test.
 */
import { connect, type Socket } from 'node:net';
import type { Plugin } from 'graphql-yoga';
import { startServer, type RunningServer } from '../src/server';
import { goldenCatalog } from './api-helpers';

/** A plugin holding GraphQL requests until released: in-flight requests on demand. */
function holdGraphQL() {
  let arrived!: () => void;
  let release!: () => void;
  const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const plugin: Plugin = {
    async onRequest({ url }) {
      if (url.pathname !== '/graphql') return;
      arrived();
      await released;
    },
  };
  return { plugin, requestArrived, release };
}

/** Everything the server sends on a raw socket after `written`, until it closes the socket. */
function rawExchange(server: RunningServer, written: string): Promise<{ received: string; socket: Socket }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(written));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ received, socket }));
  });
}

describe('close() drains', () => {
  it('answers /ready with 503 while an in-flight request finishes, then stops listening', async () => {
    const hold = holdGraphQL();
    const server = await startServer(goldenCatalog(), { port: 0, log: false, plugins: [hold.plugin] });
    const inFlight = fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    await hold.requestArrived;
    let closed = false;
    const closing = server.close().then(() => (closed = true));

    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, draining: true });
    expect(ready.headers.get('connection')).toBe('close');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(closed).toBe(false);

    hold.release();
    expect(await (await inFlight).json()).toEqual({ data: { __typename: 'Query' } });
    await closing;
    await expect(fetch(`${server.url}/ready`)).rejects.toThrow();
  });

  it('keeps answering /ready with 503 for drainMs even when idle', async () => {
    const server = await startServer(goldenCatalog(), { port: 0, log: false, drainMs: 500 });
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    const closing = server.close();
    expect((await fetch(`${server.url}/ready`)).status).toBe(503);
    await closing;
    await expect(fetch(`${server.url}/ready`)).rejects.toThrow();
  });
});

describe('timeouts', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(goldenCatalog(), { port: 0, log: false, headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 200, closeTimeoutMs: 1000 });
  });
  afterAll(() => server.close());

  it('closes sockets that never finish their headers (slowloris) with 408', async () => {
    const exchanges = await Promise.all(Array.from({ length: 20 }, () => rawExchange(server, 'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1')));
    for (const { received } of exchanges) expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes sockets whose body never arrives, with 408', async () => {
    const { received } = await rawExchange(
      server,
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":',
    );
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  // The exchange ends only when the server closes the socket (Node's default: after 5 s).
  it('closes idle keep-alive connections after keepAliveTimeoutMs', async () => {
    const { received } = await rawExchange(server, 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toMatch(/Connection: keep-alive/i);
  });
});

describe('POST /evaluate over a socket', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(goldenCatalog(), { port: 0, log: false });
  });
  afterAll(() => server.close());

  // The element reader refuses a prediction while the body is still being read: the
  // socket must stay up long enough to carry the 400 (cancelling the body destroyed it).
  it('answers a prediction refused mid-body with its 400, not a closed socket', async () => {
    const body = JSON.stringify([{ ref_id: 16, box: [311.18, 33.59, 244.31, 269.01] }, { ref_id: 17, box: [1, 2, 3] }, ...Array.from({ length: 2000 }, () => ({ ref_id: 16, box: [1, 2, 3, 4] }))]);
    const r = await fetch(`${server.url}/evaluate?dataset=refcoco&splitBy=unc&split=testA&task=boxes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toMatch(/prediction 1: box must be four finite numbers/);
  });
});
