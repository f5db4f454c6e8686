/**
 * GET /renders/<ref id>.png and Ref.renderUrl. fast-png is an ES module that Jest cannot
 * load on Node < 24.9 (see render-png.test.ts), so the PNGs are fetched from the app in
 * a plain Node process, once over the bundled sample (image files present) and once over
 * the golden fixtures (no image files: gray canvas); the refusals, which never encode a
 * PNG, run here.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { globalId, gql, onlyError, testApp } from './api-helpers';

const ROOT = join(__dirname, '..');
const SAMPLE_DATA = join(ROOT, 'data');
const REF_IDS = [0, 3, 17];

interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: string; // base64
}

interface Rendered {
  refId: number;
  mode: string;
  maxSize: number | null;
  url: string;
  image: { width: number; height: number };
  route: Fetched;
  /** Whether the body is byte for byte what renderRef gives. */
  sameAsRenderRef: boolean;
  /** Decoded: size, channels and the top-left pixel. */
  decoded: { width: number; height: number; channels: number; corner: number[] };
}

interface ChildResult {
  renders: Rendered[];
  rawId: Fetched;
  revalidated: Fetched;
  otherTag: Fetched;
  head: Fetched;
}

/** Runs the app on `dataRoot` in a child Node process and fetches renders of REF_IDS in every mode. */
function inNode(dataRoot: string): ChildResult {
  const script = `
    const { decode } = require('fast-png');
    const { loadCatalog } = require('./src/core/catalog');
    const { createYogaApp } = require('./src/server');
    const { renderRef } = require('./src/render');
    const catalog = loadCatalog({ dataRoot: ${JSON.stringify(dataRoot)}, datasets: ['refcoco/unc'], cacheDir: null });
    const store = catalog.get('refcoco', 'unc');
    const yoga = createYogaApp(catalog, { log: false });
    const get = async (url, headers = {}, method = 'GET') => {
      const r = await yoga.fetch('http://localhost' + url, { method, headers });
      return { status: r.status, headers: Object.fromEntries(r.headers), body: Buffer.from(await r.arrayBuffer()).toString('base64') };
    };
    (async () => {
      const q = \`{ dataset(name: "refcoco", splitBy: "unc") { loadRefs(refIds: ${JSON.stringify(REF_IDS)}) { id refId image { width height }
        SEG: renderUrl BOX: renderUrl(mode: BOX) MASK: renderUrl(mode: MASK) small: renderUrl(mode: SEG, maxSize: 100) } } }\`;
      const r = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) });
      const body = await r.json();
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      const renders = [];
      for (const ref of body.data.dataset.loadRefs) {
        for (const [mode, field, maxSize] of [['SEG', 'SEG', null], ['BOX', 'BOX', null], ['MASK', 'MASK', null], ['SEG', 'small', 100]]) {
          const url = ref[field];
          const route = await get(url);
          const bytes = Buffer.from(route.body, 'base64');
          const png = decode(bytes);
          const direct = renderRef(store, store.refRow(ref.refId), { mode, maxSize: maxSize ?? undefined, dataRoot: catalog.dataRoot }).png;
          renders.push({ refId: ref.refId, mode, maxSize, url, image: ref.image, route, sameAsRenderRef: Buffer.compare(bytes, direct) === 0,
            decoded: { width: png.width, height: png.height, channels: png.channels, corner: Array.from(png.data.slice(0, png.channels)) } });
        }
      }
      const first = renders[0];
      const id = body.data.dataset.loadRefs[0].id;
      const out = {
        renders,
        rawId: await get('/renders/' + id + '.png?mode=SEG'),
        revalidated: await get(first.url, { 'if-none-match': first.route.headers.etag }),
        otherTag: await get(first.url, { 'if-none-match': '"something-else"' }),
        head: await get(first.url, {}, 'HEAD'),
      };
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  const out = execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  return JSON.parse(out) as ChildResult;
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** IHDR: width, height, bit depth and colour type (0 gray, 2 RGB). */
function ihdr(body: string): { width: number; height: number; depth: number; colorType: number } {
  const bytes = Buffer.from(body, 'base64');
  expect(Array.from(bytes.subarray(0, 8))).toEqual(PNG_SIGNATURE);
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), depth: bytes[24], colorType: bytes[25] };
}

function expectedSize({ width, height }: { width: number; height: number }, maxSize: number | null): [number, number] {
  const longest = Math.max(width, height);
  if (maxSize === null || longest <= maxSize) return [width, height];
  return [Math.max(1, Math.round((width * maxSize) / longest)), Math.max(1, Math.round((height * maxSize) / longest))];
}

describe.each([
  ['the sample, with image files', SAMPLE_DATA, true],
  ['the golden fixtures, without image files', join(__dirname, 'fixtures/golden/data'), false],
])('renders over %s', (_name, dataRoot, imagesPresent) => {
  const result = inNode(dataRoot);

  it('are PNGs of the image size (or maxSize), byte for byte what renderRef draws', () => {
    expect(result.renders).toHaveLength(REF_IDS.length * 4);
    for (const r of result.renders) {
      expect(r.route.status).toBe(200);
      expect(r.route.headers['content-type']).toBe('image/png');
      expect(r.route.headers['content-length']).toBe(String(Buffer.from(r.route.body, 'base64').length));
      const [width, height] = expectedSize(r.image, r.maxSize);
      expect(ihdr(r.route.body)).toEqual({ width, height, depth: 8, colorType: r.mode === 'MASK' ? 0 : 2 });
      expect(r.decoded).toMatchObject({ width, height, channels: r.mode === 'MASK' ? 1 : 3 });
      expect(r.sameAsRenderRef).toBe(true);
    }
  });

  it(`say X-Image-Found: ${imagesPresent}, and cache accordingly`, () => {
    for (const r of result.renders) {
      expect(r.route.headers['x-image-found']).toBe(String(imagesPresent));
      expect(r.route.headers['cache-control']).toBe(imagesPresent ? 'public, max-age=3600' : 'no-cache');
      expect(r.route.headers.etag).toMatch(/^"[\w-]+"$/);
    }
    if (!imagesPresent) {
      // The neutral canvas: REFER's gray where no object is drawn (a box is never in the corner here).
      for (const r of result.renders.filter((x) => x.mode === 'BOX')) expect(r.decoded.corner).toEqual([128, 128, 128]);
    }
  });

  it('give every ref, mode and size its own ETag, and answer 304 to it', () => {
    expect(new Set(result.renders.map((r) => r.route.headers.etag)).size).toBe(result.renders.length);
    expect(result.revalidated.status).toBe(304);
    expect(result.revalidated.body).toBe('');
    expect(result.revalidated.headers.etag).toBe(result.renders[0].route.headers.etag);
    expect(result.otherTag.status).toBe(200);
  });

  it('accept the id URL-encoded or not, and answer HEAD with the headers only', () => {
    expect(result.rawId.status).toBe(200);
    expect(result.rawId.body).toBe(result.renders[0].route.body);
    expect(result.head.status).toBe(200);
    expect(result.head.body).toBe('');
    expect(result.head.headers['content-length']).toBe(result.renders[0].route.headers['content-length']);
    expect(result.head.headers['x-image-found']).toBe(String(imagesPresent));
  });
});

describe('Ref.renderUrl', () => {
  const yoga = testApp();
  const path = '/renders/refcoco/unc/3.png';

  it('is the readable route of the ref, SEG by default, with maxSize when given', async () => {
    const r = await gql(yoga, '{ dataset(name: "refcoco", splitBy: "unc") { ref(refId: 3) { a: renderUrl b: renderUrl(mode: BOX) c: renderUrl(mode: MASK, maxSize: 64) } } }');
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.dataset.ref).toEqual({ a: `${path}?mode=SEG`, b: `${path}?mode=BOX`, c: `${path}?mode=MASK&maxSize=64` });
  });

  it.each([0, -5])('refuses maxSize %i', async (maxSize) => {
    const r = await gql(yoga, `{ dataset(name: "refcoco", splitBy: "unc") { ref(refId: 3) { renderUrl(maxSize: ${maxSize}) } } }`);
    expect(onlyError(r)).toBe(`renderUrl: maxSize must be at least 1 pixel, got ${maxSize}`);
    expect(r.body.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an unknown mode', async () => {
    const r = await gql(yoga, '{ dataset(name: "refcoco", splitBy: "unc") { ref(refId: 3) { renderUrl(mode: OUTLINE) } } }');
    expect(onlyError(r)).toMatch(/Value "OUTLINE" does not exist in "RenderMode" enum/);
  });
});

describe('GET /renders/ refusals', () => {
  const yoga = testApp();
  const get = async (url: string, method = 'GET') => {
    const r = await yoga.fetch(`http://localhost${url}`, { method });
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text(), allow: r.headers.get('allow') };
  };
  const url = (type: string, key: string, query = '') => `/renders/${encodeURIComponent(globalId(type, key))}.png${query}`;
  const ref3 = (query: string) => url('Ref', 'refcoco/unc:3', query);

  it.each([
    ['not a global id', '/renders/hello.png', /^no render: "hello" names nothing: expected <dataset>\/<splitBy>\/<refId>, or a global id\n$/],
    ['an unknown ref', url('Ref', 'refcoco/unc:123456'), /^no render: refcoco\/unc: no ref with ref_id 123456 \(ref_ids run from/],
    ['an unknown dataset', url('Ref', 'refcoco/nope:3'), /^no render: no dataset refcoco\/nope is loaded/],
    ['a malformed key', url('Ref', 'refcoco/unc:three'), /^no render: malformed id "refcoco\/unc:three": "three" is not an integer ref id/],
    ['a key without a pair', url('Ref', 'refcoco:3'), /^no render: malformed id "refcoco:3": expected "<dataset>\/<splitBy>:<id>"/],
    ['an unknown type', url('Thing', 'refcoco/unc:3'), /^no render: .* decodes to unknown type "Thing"/],
    ['a bad percent-encoding', '/renders/%E0%A4%A.png', /^no render: "%E0%A4%A" is not a valid URL-encoded id/],
    ['no .png', '/renders/UmVmOnJlZmNvY28vdW5jOjM=', /^no render at \/renders\/UmVmOnJlZmNvY28vdW5jOjM=: expected \/renders\/<dataset>\/<splitBy>\/<refId> or <global id of a Ref>\.png\?mode=SEG\|BOX\|MASK&maxSize=<pixels>/],
    ['no id', '/renders/.png', /expected \/renders\/<dataset>\/<splitBy>\/<refId> or <global id of a Ref>\.png/],
  ])('404 for %s, with a message', async (_case, u, message) => {
    const r = await get(u);
    expect(r.status).toBe(404);
    expect(r.type).toBe('text/plain; charset=utf-8');
    expect(r.text).toMatch(message);
  });

  it.each([
    ['Image', 'refcoco/unc:1'],
    ['Annotation', 'refcoco/unc:1'],
    ['Category', 'refcoco/unc:1'],
    ['Sentence', 'refcoco/unc:1'],
    ['Dataset', 'refcoco/unc'],
  ])('400 for the id of a %s', async (type, key) => {
    const r = await get(url(type, key));
    expect(r.status).toBe(400);
    expect(r.text).toBe(`no render: "${globalId(type, key)}" names an object of type ${type} (${type}:${key}); renders are drawn for Ref ids\n`);
  });

  it.each([
    ['?mode=seg', 'unknown mode "seg": use one of SEG, BOX, MASK'],
    ['?mode=OUTLINE', 'unknown mode "OUTLINE": use one of SEG, BOX, MASK'],
    ['?mode=', 'unknown mode "": use one of SEG, BOX, MASK'],
    ['?mode=SEG&mode=BOX', 'give mode and maxSize at most once each'],
    ['?maxSize=0', 'maxSize must be a whole number of pixels, at least 1, got "0"'],
    ['?maxSize=-3', 'maxSize must be a whole number of pixels, at least 1, got "-3"'],
    ['?maxSize=1.5', 'maxSize must be a whole number of pixels, at least 1, got "1.5"'],
    ['?maxSize=1e3', 'maxSize must be a whole number of pixels, at least 1, got "1e3"'],
    ['?maxSize=big', 'maxSize must be a whole number of pixels, at least 1, got "big"'],
    ['?maxSize=', 'maxSize must be a whole number of pixels, at least 1, got ""'],
    ['?maxSize=99999999999999999999', 'maxSize must be a whole number of pixels, at least 1, got "99999999999999999999"'],
    ['?mode=BOX&maxSize=10&maxSize=20', 'give mode and maxSize at most once each'],
  ])('400 for %s', async (query, message) => {
    const r = await get(ref3(query));
    expect(r.status).toBe(400);
    expect(r.text).toContain(`no render: ${message}`);
  });

  it('405 for other methods', async () => {
    const r = await get(ref3('?mode=SEG'), 'POST');
    expect(r.status).toBe(405);
    expect(r.allow).toBe('GET, HEAD');
    expect(r.text).toBe('POST is not allowed on /renders/…: use GET\n');
  });

  it('leave other paths alone', async () => {
    expect((await get('/health')).status).toBe(200);
    expect((await get('/rendersx/a.png')).status).toBe(404);
  });

  it('404 for a ref of a pair this server has not loaded', async () => {
    const other = testApp({}, loadCatalog({ dataRoot: SAMPLE_DATA, datasets: ['refclef/unc'], cacheDir: null }));
    const r = await other.fetch(`http://localhost${url('Ref', 'refcoco/unc:3')}`);
    expect(r.status).toBe(404);
    expect(await r.text()).toMatch(/no dataset refcoco\/unc is loaded; loaded: refclef\/unc/);
  });
});
