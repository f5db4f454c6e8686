/**
 * Mask PNGs: GET /masks/<global id>.png and Mask.png. fast-png is an ES module that Jest
 * cannot load on Node < 24.9 (see mask-png.test.ts), so the PNGs are made and decoded by
 * the app in a plain Node process; the refusals, which never encode a PNG, run here.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { refMask } from '../src/core/masks';
import { packBits, rleDecode } from '../src/mask';
import { goldenCatalog, globalId, testApp } from './api-helpers';

interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: string; // base64
}

interface ChildResult {
  refs: { refId: number; pngUrl: string; png: string; route: Fetched; decoded: { width: number; height: number; depth: number; data: number[] } }[];
  encodedId: Fetched;
  rawId: Fetched;
  revalidated: Fetched;
  otherTag: Fetched;
  head: Fetched;
}

const REF_IDS = [0, 3, 17];

/** Runs the app in a child Node process: GraphQL's Mask.png and the route for REF_IDS. */
function inNode(): ChildResult {
  const script = `
    const { decode } = require('fast-png');
    const { loadCatalog } = require('./src/core/catalog');
    const { createYogaApp } = require('./src/server');
    const catalog = loadCatalog({ dataRoot: 'test/fixtures/golden/data', cacheDir: null });
    const yoga = createYogaApp(catalog, { log: false });
    const get = async (url, headers = {}, method = 'GET') => {
      const r = await yoga.fetch('http://localhost' + url, { method, headers });
      return { status: r.status, headers: Object.fromEntries(r.headers), body: Buffer.from(await r.arrayBuffer()).toString('base64') };
    };
    (async () => {
      const q = '{ dataset(name: "refcoco", splitBy: "unc") { loadRefs(refIds: ${JSON.stringify(REF_IDS)}) { id refId mask { png pngUrl } } } }';
      const r = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) });
      const body = await r.json();
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      const refs = [];
      for (const ref of body.data.dataset.loadRefs) {
        const route = await get(ref.mask.pngUrl);
        const png = decode(Buffer.from(route.body, 'base64'));
        refs.push({ refId: ref.refId, pngUrl: ref.mask.pngUrl, png: ref.mask.png, route,
          decoded: { width: png.width, height: png.height, depth: png.depth, data: Array.from(png.data) } });
      }
      const id = body.data.dataset.loadRefs[0].id;
      const first = refs[0].route;
      const out = {
        refs,
        encodedId: await get('/masks/' + encodeURIComponent(id) + '.png'),
        rawId: await get('/masks/' + id + '.png'),
        revalidated: await get(refs[0].pngUrl, { 'if-none-match': first.headers.etag }),
        otherTag: await get(refs[0].pngUrl, { 'if-none-match': '"something-else"' }),
        head: await get(refs[0].pngUrl, {}, 'HEAD'),
      };
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  const out = execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', script], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as ChildResult;
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

describe('mask PNGs', () => {
  const store = goldenCatalog().get('refcoco', 'unc');
  const result = inNode();

  it.each(REF_IDS.map((id, i) => [id, i]))('serve ref %i as a 1-bit PNG of its mask, the same as Mask.png', (refId, i) => {
    const ref = result.refs[i];
    const rle = refMask(store, store.refRow(refId));
    expect(ref.pngUrl).toBe(`/masks/refcoco/unc/${refId}.png`);
    expect(ref.route.status).toBe(200);
    expect(ref.route.headers['content-type']).toBe('image/png');
    expect(ref.route.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(ref.route.headers.etag).toMatch(/^"[\w-]+"$/);
    const bytes = Buffer.from(ref.route.body, 'base64');
    expect(ref.route.headers['content-length']).toBe(String(bytes.length));
    expect(Array.from(bytes.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    // IHDR: the first chunk, width then height as big-endian uint32, then bit depth 1, grayscale.
    expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20), bytes[24], bytes[25]]).toEqual([rle.w, rle.h, 1, 0]);
    expect(ref.decoded).toMatchObject({ width: rle.w, height: rle.h, depth: 1 });
    expect(ref.decoded.data).toEqual(Array.from(packBits(rleDecode(rle), rle.w)));
    expect(ref.png).toBe(ref.route.body);
  });

  it('give different masks different ETags', () => {
    expect(new Set(result.refs.map((r) => r.route.headers.etag)).size).toBe(REF_IDS.length);
  });

  it('accept the id URL-encoded or not', () => {
    expect(result.encodedId.status).toBe(200);
    expect(result.rawId.status).toBe(200);
    expect(result.rawId.body).toBe(result.refs[0].route.body);
  });

  it('answer 304 to a request that has the ETag, and the PNG to one that does not', () => {
    expect(result.revalidated.status).toBe(304);
    expect(result.revalidated.body).toBe('');
    expect(result.revalidated.headers.etag).toBe(result.refs[0].route.headers.etag);
    expect(result.otherTag.status).toBe(200);
  });

  it('answer HEAD with the headers only', () => {
    expect(result.head.status).toBe(200);
    expect(result.head.body).toBe('');
    expect(result.head.headers['content-length']).toBe(result.refs[0].route.headers['content-length']);
  });
});

describe('GET /masks/ refusals', () => {
  const yoga = testApp();
  const get = async (url: string, method = 'GET') => {
    const r = await yoga.fetch(`http://localhost${url}`, { method });
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text(), allow: r.headers.get('allow') };
  };
  const url = (type: string, key: string) => `/masks/${encodeURIComponent(globalId(type, key))}.png`;

  it.each([
    ['not a global id', '/masks/hello.png', /no mask: "hello" names nothing: expected <dataset>\/<splitBy>\/<refId> or <dataset>\/annotations\/<annId>, or a global id/],
    ['an unknown ref', url('Ref', 'refcoco/unc:123456'), /no mask: refcoco\/unc: no ref with ref_id 123456/],
    ['an unknown annotation', url('Annotation', 'refcoco/unc:1'), /no mask: refcoco\/unc: no annotation with id "1"/],
    ['an unknown dataset', url('Ref', 'refcoco/nope:3'), /no mask: unknown dataset|no dataset refcoco\/nope/],
    ['a malformed key', url('Ref', 'refcoco/unc:three'), /no mask: malformed id "refcoco\/unc:three": "three" is not an integer ref id/],
    ['an unknown type', url('Thing', 'refcoco/unc:3'), /no mask: .* decodes to unknown type "Thing"/],
    ['a bad percent-encoding', '/masks/%E0%A4%A.png', /no mask: "%E0%A4%A" is not a valid URL-encoded id/],
    ['no .png', '/masks/UmVmOnJlZmNvY28vdW5jOjM=', /no mask at \/masks\/UmVmOnJlZmNvY28vdW5jOjM=: expected \/masks\/<dataset>\/<splitBy>\/<refId>\.png, \/masks\/<dataset>\/annotations\/<annId>\.png or \/masks\/<global id of a Ref or Annotation>\.png/],
    ['no id', '/masks/.png', /expected \/masks\/<dataset>\/<splitBy>\/<refId>\.png, \/masks\/<dataset>\/annotations\/<annId>\.png or \/masks\/<global id of a Ref or Annotation>\.png/],
  ])('404 for %s, with a message', async (_case, u, message) => {
    const r = await get(u);
    expect(r.status).toBe(404);
    expect(r.type).toBe('text/plain; charset=utf-8');
    expect(r.text).toMatch(message);
  });

  it.each([
    ['Image', 'refcoco/unc:1'],
    ['Category', 'refcoco/unc:1'],
    ['Dataset', 'refcoco/unc'],
  ])('400 for the id of a %s', async (type, key) => {
    const r = await get(url(type, key));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(new RegExp(`names an object of type ${type} .*; masks belong to Ref and Annotation ids`));
  });

  it('405 for other methods', async () => {
    const r = await get(url('Ref', 'refcoco/unc:3'), 'POST');
    expect(r.status).toBe(405);
    expect(r.allow).toBe('GET, HEAD');
  });

  it('leave other paths alone', async () => {
    expect((await get('/health')).status).toBe(200);
    expect((await get('/masksx/a.png')).status).toBe(404);
  });
});
