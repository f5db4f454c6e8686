/**
 * The readable picture routes beside the global-id ones (issue 8 §3):
 * /renders/<dataset>/<splitBy>/<refId>.png, /masks/<dataset>/<splitBy>/<refId>.png,
 * /masks/<dataset>/annotations/<annId>.png and /images/<dataset>/<imageId> answer exactly
 * what the id routes answer, and the URL fields of the graph give them.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { globalId, testApp } from './api-helpers';

const DATA = join(__dirname, '..', 'data');
const yoga = testApp({}, loadCatalog({ dataRoot: DATA, cacheDir: null }));

async function get(path: string) {
  const r = await yoga.fetch(`http://localhost${path}`);
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
}

const PAIRS = [
  ['refcoco', 'unc'],
  ['refcoco+', 'unc'],
  ['refclef', 'berkeley'],
];

interface Answer {
  status: number;
  type: string | null;
  etag: string | null;
  sha1: string;
}
interface PairResult {
  ref: { id: string; refId: number; renderUrl: string; mask: { pngUrl: string }; annotation: { id: string; annId: string; mask: { pngUrl: string } }; image: { id: string; imageId: number; url: string } };
  answers: [readable: Answer, byId: Answer][];
}

/** The fields and both forms of each route, answered in a child process (PNGs are encoded by fast-png, an ES module jest cannot load). */
function inNode(): PairResult[] {
  const script = `
    const { createHash } = require('node:crypto');
    const { loadCatalog } = require('./src/core/catalog');
    const { createYogaApp } = require('./src/server');
    const yoga = createYogaApp(loadCatalog({ dataRoot: 'data', cacheDir: null }), { log: false });
    const get = async (url) => {
      const r = await yoga.fetch('http://localhost' + url);
      const body = Buffer.from(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type'), etag: r.headers.get('etag'), sha1: createHash('sha1').update(body).digest('hex') };
    };
    (async () => {
      const out = [];
      for (const [dataset, splitBy] of ${JSON.stringify(PAIRS)}) {
        const query = '{ dataset(name: "' + dataset + '", splitBy: "' + splitBy + '") { refs(first: 1) { edges { node { id refId renderUrl(mode: BOX) mask { pngUrl } annotation { id annId mask { pngUrl } } image { id imageId url } } } } } }';
        const r = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        const body = await r.json();
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        const ref = body.data.dataset.refs.edges[0].node;
        const both = [
          [ref.renderUrl, '/renders/' + encodeURIComponent(ref.id) + '.png?mode=BOX'],
          [ref.mask.pngUrl, '/masks/' + encodeURIComponent(ref.id) + '.png'],
          [ref.annotation.mask.pngUrl, '/masks/' + encodeURIComponent(ref.annotation.id) + '.png'],
          [ref.image.url, '/images/' + encodeURIComponent(ref.image.id)],
          [ref.mask.pngUrl.replace('+', '%2B'), ref.mask.pngUrl],
        ];
        const answers = [];
        for (const [a, b] of both) answers.push([await get(a), await get(b)]);
        out.push({ ref, answers });
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  const out = execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', script], { cwd: join(__dirname, '..'), encoding: 'utf8', maxBuffer: 16 << 20 });
  return JSON.parse(out) as PairResult[];
}

describe('readable routes answer what the id routes answer', () => {
  const results = inNode();

  test.each(PAIRS.map(([dataset, splitBy], i) => [dataset, splitBy, i] as const))('%s/%s: the URL fields give the readable routes', (dataset, splitBy, i) => {
    const { ref } = results[i];
    // '+' (refcoco+) stays as it is in a path.
    expect(ref.renderUrl).toBe(`/renders/${dataset}/${splitBy}/${ref.refId}.png?mode=BOX`);
    expect(ref.mask.pngUrl).toBe(`/masks/${dataset}/${splitBy}/${ref.refId}.png`);
    expect(ref.annotation.mask.pngUrl).toBe(`/masks/${dataset}/annotations/${encodeURIComponent(ref.annotation.annId)}.png`);
    expect(ref.image.url).toBe(`/images/${dataset}/${ref.image.imageId}`);
  });

  test.each(PAIRS.map(([dataset, splitBy], i) => [dataset, splitBy, i] as const))('%s/%s: render, ref mask, annotation mask, image file, and an encoded "+", byte for byte', (_d, _s, i) => {
    const { answers } = results[i];
    const [render, , , image] = answers;
    expect(render[0].type).toBe('image/png');
    expect(image[0].type).toMatch(/^image\/(jpeg|png)$/);
    for (const [readable, byId] of answers) {
      expect(readable.status).toBe(200);
      expect(readable).toEqual(byId);
    }
  });
});

describe('readable routes that name nothing answer 404 saying what was expected', () => {
  test.each([
    ['/renders/refcoco/unc/99999999.png', /^no render: refcoco\/unc: no ref with ref_id 99999999 \(ref_ids run from /],
    ['/renders/refcoco/xyz/1.png', /^no render: no dataset refcoco\/xyz is loaded; loaded: /],
    ['/renders/refcoco/unc/one.png', /^no render: "refcoco\/unc\/one": "one" is not an integer ref id/],
    ['/renders/refcoco/1.png', /^no render: "refcoco\/1" names nothing: expected <dataset>\/<splitBy>\/<refId>, or a global id/],
    ['/masks/refcoco/unc/99999999.png', /^no mask: refcoco\/unc: no ref with ref_id 99999999/],
    ['/masks/refcoco/annotations/0.png', /^no mask: refcoco\/\w+: no annotation with id "0"/],
    ['/masks/refcoco/unc/1/2.png', /^no mask: "refcoco\/unc\/1\/2" names nothing: expected <dataset>\/<splitBy>\/<refId> or <dataset>\/annotations\/<annId>, or a global id/],
    ['/images/refcocoz/1', /^no image file: no dataset "refcocoz" is loaded; loaded: refclef, refcoco, refcoco\+, refcocog/],
    ['/images/refcoco/unc/1', /^no image file: "refcoco\/unc\/1" names nothing: expected <dataset>\/<imageId>, or a global id/],
    ['/images/refcoco/%E0', /^no image file: "refcoco\/%E0" names nothing/],
  ])('%s', async (path, message) => {
    const r = await get(path);
    expect(r.status).toBe(404);
    expect(r.body.toString()).toMatch(message);
  });

  test('the id form still answers 400 for the id of a record of another type', async () => {
    const r = await get(`/images/${encodeURIComponent(globalId('Ref', 'refcoco/unc:1'))}`);
    expect(r.status).toBe(400);
  });
});
