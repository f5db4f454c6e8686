/**
 * gzip / brotli of text responses (src/http/compression.ts): chosen by Accept-Encoding,
 * never for already-compressed types, kept per ETag, with weak ETags that still revalidate.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';
import { chooseEncoding } from '../src/http/compression';
import { testApp } from './api-helpers';

/** A route answering 4 kB of PNG-typed bytes, standing for the image routes. */
const pngRoute: Plugin = {
  onRequest({ url, endResponse, fetchAPI }) {
    if (url.pathname === '/test.png') endResponse(new fetchAPI.Response(new Uint8Array(4096), { headers: { 'content-type': 'image/png' } }));
  },
};

const yoga = testApp({ plugins: [pngRoute] });
const BIG_QUERY = '{ datasets { name splitBy splits { name counts { refs sentences images } } } }';
const bigGet = `http://localhost/graphql?query=${encodeURIComponent(BIG_QUERY)}`;

async function fetchBytes(url: string, headers: Record<string, string>) {
  const r = await yoga.fetch(url, { headers });
  return { r, bytes: Buffer.from(await r.arrayBuffer()) };
}

describe('chooseEncoding', () => {
  it.each([
    [null, undefined],
    ['', undefined],
    ['identity', undefined],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['gzip;q=0', undefined],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['GZIP', 'gzip'],
  ])('Accept-Encoding %p → %p', (header, expected) => {
    expect(chooseEncoding(header)).toBe(expected);
  });
});

describe('compression', () => {
  let identity: string;
  beforeAll(async () => {
    identity = await (await yoga.fetch(bigGet)).text();
    expect(identity.length).toBeGreaterThan(1024);
  });

  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)('compresses a GraphQL answer with %s, to the same JSON', async (encoding, decompress) => {
    const { r, bytes } = await fetchBytes(bigGet, { 'accept-encoding': encoding });
    expect(r.headers.get('content-encoding')).toBe(encoding);
    expect(r.headers.get('vary')).toMatch(/Accept-Encoding/);
    expect(decompress(bytes).toString('utf8')).toBe(identity);
    expect(bytes.length).toBeLessThan(identity.length);
  });

  it('leaves the body alone without Accept-Encoding, but still says Vary', async () => {
    const r = await yoga.fetch(bigGet);
    expect(r.headers.get('content-encoding')).toBeNull();
    expect(r.headers.get('vary')).toMatch(/Accept-Encoding/);
  });

  it('does not compress small answers', async () => {
    const r = await yoga.fetch(`http://localhost/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(r.headers.get('content-encoding')).toBeNull();
    expect(await r.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('does not compress PNGs', async () => {
    const { r, bytes } = await fetchBytes('http://localhost/test.png', { 'accept-encoding': 'br, gzip' });
    expect(r.headers.get('content-encoding')).toBeNull();
    expect(bytes.length).toBe(4096);
  });

  it('compresses the GraphiQL page, whose weak ETag then revalidates to 304', async () => {
    const html = { accept: 'text/html' };
    const plain = await yoga.fetch('http://localhost/graphql', { headers: html });
    const page = await plain.text();
    const { r, bytes } = await fetchBytes('http://localhost/graphql', { ...html, 'accept-encoding': 'gzip, br' });
    expect(r.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(bytes).toString('utf8')).toBe(page);
    expect(bytes.length).toBeLessThan(page.length / 3);
    expect(r.headers.get('etag')).toBe(`W/${plain.headers.get('etag')}`);
    const revalidated = await yoga.fetch('http://localhost/graphql', { headers: { ...html, 'accept-encoding': 'br', 'if-none-match': r.headers.get('etag')! } });
    expect(revalidated.status).toBe(304);
    // Kept compressed: the second compressed answer is the same bytes.
    expect((await fetchBytes('http://localhost/graphql', { ...html, 'accept-encoding': 'br' })).bytes.equals(bytes)).toBe(true);
  });

  it('compresses the explorer page and its scripts', async () => {
    const { r, bytes } = await fetchBytes('http://localhost/', { accept: 'text/html', 'accept-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(bytes).toString('utf8')).toMatch(/<html/i);
  });

  it('sends no body for HEAD', async () => {
    const r = await yoga.fetch('http://localhost/', { method: 'HEAD', headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('');
  });
});
