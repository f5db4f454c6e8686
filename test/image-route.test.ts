/**
 * GET /images/<image id> and Image.url: the image files of the index, and nothing else.
 * A data root built for the test holds a JPEG, a PNG, a file that is neither, a folder
 * where a file should be, a missing file, and an image whose file_name tries to climb
 * out of the images folder to a JPEG that exists.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog, type Catalog } from '../src/core/catalog';
import { GOLDEN_DATA, globalId, gql, testApp } from './api-helpers';

const SAMPLE_IMAGES = join(__dirname, '../data/images/mscoco/images/train2014');
const JPEG = readFileSync(join(SAMPLE_IMAGES, readdirSync(SAMPLE_IMAGES).find((f) => f.endsWith('.jpg'))!));
/** A 1x1 RGB PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');

interface GoldenImage {
  id: number;
  file_name: string;
}

let root: string;
let catalog: Catalog;
let images: GoldenImage[];
const ESCAPE = '../../../../secret.jpg';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'refer-image-route-'));
  const instances = JSON.parse(readFileSync(join(GOLDEN_DATA, 'refcoco/instances.json'), 'utf8')) as { images: GoldenImage[] };
  images = instances.images;
  images[5].file_name = ESCAPE;
  mkdirSync(join(root, 'refcoco'));
  writeFileSync(join(root, 'refcoco/instances.json'), JSON.stringify(instances));
  symlinkSync(join(GOLDEN_DATA, 'refcoco/refs(unc).p'), join(root, 'refcoco/refs(unc).p'));
  const folder = join(root, 'images/mscoco/images/train2014');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, images[0].file_name), JPEG);
  writeFileSync(join(folder, images[1].file_name), PNG);
  writeFileSync(join(folder, images[2].file_name), 'GIF89a, or any other thing that is not a JPEG or a PNG');
  mkdirSync(join(folder, images[3].file_name));
  // images[4] has no file; images[5]'s name leads here, outside the images folder.
  writeFileSync(join(root, 'secret.jpg'), JPEG);
  catalog = loadCatalog({ dataRoot: root, datasets: ['refcoco/unc'], cacheDir: null });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const imageId = (i: number) => globalId('Image', `refcoco/unc:${images[i].id}`);
const imageUrl = (i: number) => `/images/${encodeURIComponent(imageId(i))}`;

async function get(url: string, init: RequestInit = {}) {
  const r = await testApp({}, catalog).fetch(`http://localhost${url}`, init);
  return { status: r.status, headers: Object.fromEntries(r.headers), bytes: Buffer.from(await r.arrayBuffer()) };
}

describe('Image.url', () => {
  it('is the readable route of the image when its file is there, null otherwise', async () => {
    const ids = images.slice(0, 6).map((i) => i.id);
    const r = await gql(testApp({}, catalog), `{ dataset(name: "refcoco", splitBy: "unc") { loadImages(imageIds: ${JSON.stringify(ids)}) { url fileExists } } }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.dataset.loadImages).toEqual([
      { url: `/images/refcoco/${images[0].id}`, fileExists: true },
      { url: `/images/refcoco/${images[1].id}`, fileExists: true },
      { url: `/images/refcoco/${images[2].id}`, fileExists: true },
      { url: null, fileExists: false }, // a folder
      { url: null, fileExists: false }, // missing
      { url: null, fileExists: false }, // outside the images folder
    ]);
  });
});

describe('GET /images/', () => {
  it('serves a JPEG as it is, with its type and caching headers', async () => {
    const r = await get(imageUrl(0));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('image/jpeg');
    expect(r.headers['content-length']).toBe(String(JPEG.length));
    expect(r.headers['cache-control']).toBe('public, max-age=3600');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(new Date(r.headers['last-modified']).getTime()).toBeGreaterThan(0);
    expect(r.bytes.equals(JPEG)).toBe(true);
  });

  it('tells a PNG by its bytes, whatever its name says', async () => {
    expect(images[1].file_name).toMatch(/\.jpg$/);
    const r = await get(imageUrl(1));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('image/png');
    expect(r.bytes.equals(PNG)).toBe(true);
  });

  it('answers 304 to its ETag, HEAD with the headers only, and takes the id unencoded', async () => {
    const { headers } = await get(imageUrl(0));
    const again = await get(imageUrl(0), { headers: { 'if-none-match': headers.etag } });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    expect(again.headers.etag).toBe(headers.etag);
    expect((await get(imageUrl(0), { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    const head = await get(imageUrl(0), { method: 'HEAD' });
    expect([head.status, head.bytes.length, head.headers['content-length']]).toEqual([200, 0, String(JPEG.length)]);
    const raw = await get(`/images/${imageId(0)}`);
    expect(raw.status).toBe(200);
    expect(raw.bytes.equals(JPEG)).toBe(true);
  });

  it('refuses a file that is neither a JPEG nor a PNG', async () => {
    const r = await get(imageUrl(2));
    expect(r.status).toBe(422);
    expect(r.bytes.toString()).toBe(`no image file: refcoco/unc: the file of image ${images[2].id} is neither a JPEG nor a PNG\n`);
  });

  it.each([
    ['a folder', 3],
    ['a missing file', 4],
  ])('404 for %s', async (_case, i) => {
    const r = await get(imageUrl(i));
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.bytes.toString()).toBe(`no image file: refcoco/unc: image ${images[i].id} has no file under the data root (images are optional)\n`);
  });

  it('never reaches a file outside the images folder, even one the index names', async () => {
    const r = await get(imageUrl(5));
    expect(r.status).toBe(422);
    expect(r.bytes.toString()).toMatch(new RegExp(`^no image file: refcoco/unc: image ${images[5].id}: file_name "\\.\\./\\.\\./\\.\\./\\.\\./secret\\.jpg" is not a plain relative path inside .*train2014; refusing it\\n$`));
    // Nor do the renders of its refs, which would draw over it.
    const store = catalog.get('refcoco', 'unc');
    const imageRow = store.imageRow(images[5].id);
    const refRow = Array.from(store.refs.imageRow).indexOf(imageRow);
    expect(refRow).toBeGreaterThanOrEqual(0);
    const render = await get(`/renders/${encodeURIComponent(globalId('Ref', `refcoco/unc:${store.refs.refId[refRow]}`))}.png`);
    expect(render.status).toBe(422);
    expect(render.bytes.toString()).toMatch(/^no render: refcoco\/unc: image \d+: file_name ".*secret\.jpg" is not a plain relative path/);
    // A path in the URL is no id at all.
    for (const path of ['/images/..%2F..%2Fsecret.jpg', '/images/../../secret.jpg', '/images/%2e%2e/secret.jpg']) {
      const climb = await get(path);
      expect([path, climb.status]).toEqual([path, 404]);
      expect(climb.bytes.equals(JPEG)).toBe(false);
    }
  });

  it.each([
    ['not a global id', '/images/hello', /^no image file: "hello" names nothing: expected <dataset>\/<imageId>, or a global id\n$/],
    ['an unknown image', `/images/${encodeURIComponent(globalId('Image', 'refcoco/unc:7'))}`, /^no image file: refcoco\/unc: no image with id 7 \(/],
    ['an unknown dataset', `/images/${encodeURIComponent(globalId('Image', 'refclef/unc:7'))}`, /^no image file: no dataset refclef\/unc is loaded/],
    ['a malformed key', `/images/${encodeURIComponent(globalId('Image', 'refcoco/unc:x'))}`, /^no image file: malformed id "refcoco\/unc:x": "x" is not an integer image id/],
    ['an unknown type', `/images/${encodeURIComponent(globalId('Picture', 'refcoco/unc:7'))}`, /decodes to unknown type "Picture"/],
    ['a bad percent-encoding', '/images/%E0%A4%A', /^no image file: "%E0%A4%A" is not a valid URL-encoded id/],
    ['no id', '/images/', /^no image file at \/images\/: expected \/images\/<dataset>\/<imageId> or \/images\/<global id of an Image>/],
  ])('404 for %s, with a message', async (_case, url, message) => {
    const r = await get(url);
    expect(r.status).toBe(404);
    expect(r.bytes.toString()).toMatch(message);
  });

  it.each([
    ['Ref', 'refcoco/unc:3'],
    ['Annotation', 'refcoco/unc:1'],
    ['Category', 'refcoco/unc:1'],
    ['Dataset', 'refcoco/unc'],
  ])('400 for the id of a %s', async (type, key) => {
    const r = await get(`/images/${encodeURIComponent(globalId(type, key))}`);
    expect(r.status).toBe(400);
    expect(r.bytes.toString()).toBe(`no image file: "${globalId(type, key)}" names an object of type ${type} (${type}:${key}); image files are served for Image ids\n`);
  });

  it('405 for other methods', async () => {
    const r = await get(imageUrl(0), { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
  });
});
