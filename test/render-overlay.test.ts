/**
 * Renders with a prediction drawn over the ground truth: ?overlayBox=x,y,w,h and
 * ?overlayReport=<id>&sample=<n> (a masks report's predicted mask). The PNGs are made and
 * decoded in a plain Node process (fast-png is an ES module Jest cannot load before Node
 * 24.9, see render-png.test.ts), on the golden fixtures, whose images are absent: the
 * canvas is plain gray, so every pixel the overlay touches can be told from the rest.
 * The refusals, which never encode a PNG, run here.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { rleDecode, rleFromBbox, rleToString } from '../src/mask';
import { OVERLAY_EDGE } from '../src/render';
import { GOLDEN_DATA, testApp } from './api-helpers';

const ROOT = join(__dirname, '..');
// Ref 78 of refcoco/unc val: image 374x560, its box [251.16, 457.36, 71, 50.36] far from
// the predictions below, which overlap nothing of the ground truth's drawing.
const REF = { id: 78, width: 374, height: 560, split: 'val' };
const OTHER_REF = 79;
const RENDER = `/renders/refcoco/unc/${REF.id}.png`;
const BOX = [100.5, 200.2, 80, 60] as const;
const MASK_BOX = [20, 30, 50, 40] as const;

interface Picture {
  status: number;
  etag: string | null;
  text: string;
  width: number;
  height: number;
  channels: number;
  pixels: string; // base64
}

interface ChildResult {
  reportId: string;
  pictures: Record<string, Picture>;
  revalidated: number;
}

const predictedMask = rleFromBbox(MASK_BOX, REF.height, REF.width);

/** In a Node process: a masks report of one prediction, then the renders named in `urls` (`{report}` is its id), decoded. */
function inNode(urls: Record<string, string>): ChildResult {
  const predictions = [{ ref_id: REF.id, segmentation: { size: [REF.height, REF.width], counts: rleToString(predictedMask) } }];
  const script = `
    const { decode } = require('fast-png');
    const { loadCatalog } = require('./src/core/catalog');
    const { createYogaApp } = require('./src/server');
    const catalog = loadCatalog({ dataRoot: ${JSON.stringify(GOLDEN_DATA)}, datasets: ['refcoco/unc'], cacheDir: null });
    const yoga = createYogaApp(catalog, { log: false });
    (async () => {
      const posted = await yoga.fetch('http://localhost/evaluate?dataset=refcoco&splitBy=unc&split=${REF.split}&task=masks', { method: 'POST', body: ${JSON.stringify(JSON.stringify(predictions))} });
      const report = await posted.json();
      if (posted.status !== 200) throw new Error(JSON.stringify(report));
      const pictures = {};
      const urls = ${JSON.stringify(urls)};
      for (const [name, url] of Object.entries(urls)) {
        const r = await yoga.fetch('http://localhost' + url.replace('{report}', report.id));
        const bytes = new Uint8Array(await r.arrayBuffer());
        const picture = { status: r.status, etag: r.headers.get('etag'), text: '', width: 0, height: 0, channels: 0, pixels: '' };
        if (r.status === 200) {
          const png = decode(bytes);
          Object.assign(picture, { width: png.width, height: png.height, channels: png.channels, pixels: Buffer.from(png.data).toString('base64') });
        } else picture.text = Buffer.from(bytes).toString();
        pictures[name] = picture;
      }
      const again = await yoga.fetch('http://localhost' + urls.box, { headers: { 'if-none-match': pictures.box.etag } });
      process.stdout.write(JSON.stringify({ reportId: report.id, pictures, revalidated: again.status }));
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  const out = execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  return JSON.parse(out) as ChildResult;
}

/** RGB of pixel (x, y). */
function rgbAt(p: Picture, bytes: Buffer, x: number, y: number): number[] {
  const i = (y * p.width + x) * p.channels;
  return p.channels === 1 ? [bytes[i], bytes[i], bytes[i]] : Array.from(bytes.subarray(i, i + 3));
}

const isOverlay = (rgb: number[]) => rgb[0] === OVERLAY_EDGE[0] && rgb[1] === OVERLAY_EDGE[1] && rgb[2] === OVERLAY_EDGE[2];

/** Pixels where two pictures of one size differ, and where `b` has the overlay colour. */
function compare(a: Picture, b: Picture) {
  const pa = Buffer.from(a.pixels, 'base64');
  const pb = Buffer.from(b.pixels, 'base64');
  const changed: [number, number][] = [];
  const cyan: [number, number][] = [];
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      const after = rgbAt(b, pb, x, y);
      if (after.join() !== rgbAt(a, pa, x, y).join()) changed.push([x, y]);
      if (isOverlay(after)) cyan.push([x, y]);
    }
  }
  return { changed, cyan, colourAt: (x: number, y: number) => rgbAt(b, pb, x, y) };
}

describe('renders with a prediction overlaid (PNGs decoded)', () => {
  const result = inNode({
    plain: `${RENDER}?mode=SEG`,
    box: `${RENDER}?mode=SEG&overlayBox=${BOX.join(',')}`,
    otherBox: `${RENDER}?mode=SEG&overlayBox=1,2,3,4`,
    maskPlain: `${RENDER}?mode=MASK`,
    maskBox: `${RENDER}?mode=MASK&overlayBox=${BOX.join(',')}`,
    predicted: `${RENDER}?mode=SEG&overlayReport={report}&sample=0`,
    otherRef: `/renders/refcoco/unc/${OTHER_REF}.png?overlayReport={report}&sample=0`,
  });
  const { pictures } = result;

  // The box's edge pixels as the ground truth's box is drawn: inclusive corners, 3 px wide.
  const x0 = Math.floor(BOX[0]);
  const y0 = Math.floor(BOX[1]);
  const x1 = Math.ceil(BOX[0] + BOX[2]) - 1;
  const y1 = Math.ceil(BOX[1] + BOX[3]) - 1;
  const nearEdge = (x: number, y: number) =>
    ((Math.abs(x - x0) <= 1 || Math.abs(x - x1) <= 1) && y >= y0 - 1 && y <= y1 + 1) || ((Math.abs(y - y0) <= 1 || Math.abs(y - y1) <= 1) && x >= x0 - 1 && x <= x1 + 1);

  it.each([
    ['SEG', 'plain', 'box'],
    ['MASK', 'maskPlain', 'maskBox'],
  ])('%s: the overlay colour runs along the given box and nowhere else; every other pixel is as drawn without it', (_mode, plainName, boxName) => {
    const plain = pictures[plainName];
    const box = pictures[boxName];
    expect([box.status, box.width, box.height]).toEqual([200, REF.width, REF.height]);
    const { changed, cyan } = compare(plain, box);
    expect(cyan.length).toBeGreaterThan(0);
    expect(cyan.filter(([x, y]) => !nearEdge(x, y))).toEqual([]);
    expect(changed.filter(([x, y]) => !nearEdge(x, y))).toEqual([]);
    // The edges themselves, corner to corner, are all in the overlay colour.
    const onEdges: [number, number][] = [];
    for (let x = x0; x <= x1; x++) onEdges.push([x, y0], [x, y1]);
    for (let y = y0; y <= y1; y++) onEdges.push([x0, y], [x1, y]);
    const cyanSet = new Set(cyan.map((p) => p.join()));
    expect(onEdges.filter((p) => !cyanSet.has(p.join()))).toEqual([]);
  });

  it('draws a MASK render in colour only when an overlay asks for it', () => {
    expect(pictures.maskPlain.channels).toBe(1);
    expect(pictures.maskBox.channels).toBe(3);
  });

  it("a masks report's sample: its mask filled, outlined in the overlay colour, and nothing outside it touched", () => {
    const picture = pictures.predicted;
    expect(picture.status).toBe(200);
    const bitmap = rleDecode(predictedMask);
    const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < REF.width && y < REF.height && bitmap[y * REF.width + x] === 1;
    const withinOne = (x: number, y: number) => [-1, 0, 1].some((dy) => [-1, 0, 1].some((dx) => inside(x + dx, y + dy)));
    const { changed, cyan, colourAt } = compare(pictures.plain, picture);
    expect(changed.filter(([x, y]) => !withinOne(x, y))).toEqual([]);
    expect(cyan.filter(([x, y]) => !withinOne(x, y))).toEqual([]);
    // Every pixel of the mask is changed (filled blue, or on the outline), the outline is cyan,
    // and the middle is a blue tint of the gray canvas, not cyan.
    const changedSet = new Set(changed.map((p) => p.join()));
    let maskPixels = 0;
    for (let y = 0; y < REF.height; y++) for (let x = 0; x < REF.width; x++) if (inside(x, y)) {
      maskPixels++;
      expect(changedSet.has(`${x},${y}`)).toBe(true);
    }
    expect(maskPixels).toBe(MASK_BOX[2] * MASK_BOX[3]);
    expect(isOverlay(colourAt(MASK_BOX[0], MASK_BOX[1] + 10))).toBe(true);
    const middle = colourAt(MASK_BOX[0] + 25, MASK_BOX[1] + 20);
    expect(isOverlay(middle)).toBe(false);
    expect(middle[2]).toBeGreaterThan(middle[0]);
  });

  it('keys the ETag on the overlay: each overlay its own tag, and a revalidation of one is a 304', () => {
    const tags = ['plain', 'box', 'otherBox', 'predicted'].map((name) => pictures[name].etag);
    expect(tags.every((t) => typeof t === 'string')).toBe(true);
    expect(new Set(tags).size).toBe(tags.length);
    expect(result.revalidated).toBe(304);
  });

  it("refuses a sample of another ref than the one drawn (400, naming both refs)", () => {
    expect(pictures.otherRef.status).toBe(400);
    expect(pictures.otherRef.text).toMatch(new RegExp(`sample 0 of report ${result.reportId} is ref ${REF.id} of refcoco/unc, not the ref drawn \\(ref ${OTHER_REF} `));
  });
});

describe('overlay parameters refused', () => {
  const yoga = testApp();
  const get = async (query: string) => {
    const r = await yoga.fetch(`http://localhost${RENDER}?${query}`);
    return { status: r.status, text: (await r.text()).trimEnd() };
  };
  const post = async (task: string, body: unknown) => {
    const r = await yoga.fetch(`http://localhost/evaluate?dataset=refcoco&splitBy=unc&split=${REF.split}&task=${task}`, { method: 'POST', body: JSON.stringify(body) });
    expect(r.status).toBe(200);
    return ((await r.json()) as { id: string }).id;
  };

  it.each([
    ['three numbers', 'overlayBox=1,2,3'],
    ['five numbers', 'overlayBox=1,2,3,4,5'],
    ['a word', 'overlayBox=1,2,three,4'],
    ['an empty number', 'overlayBox=1,,3,4'],
    ['Infinity', 'overlayBox=1,2,Infinity,4'],
    ['NaN', 'overlayBox=NaN,2,3,4'],
    ['a number beyond a double', 'overlayBox=1,2,1e400,4'],
    ['nothing', 'overlayBox='],
  ])('an overlayBox of %s: 400 naming overlayBox and what was given', async (_what, query) => {
    const r = await get(query);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^no render: overlayBox must be four finite numbers x,y,w,h in image pixels, got "/);
  });

  it.each([
    ['overlayBox twice', 'overlayBox=1,2,3,4&overlayBox=1,2,3,4', /at most once/],
    ['overlayBox with overlayReport', 'overlayBox=1,2,3,4&overlayReport=x&sample=0', /either overlayBox or overlayReport/],
    ['overlayReport without sample', 'overlayReport=x', /overlayReport and sample go together/],
    ['sample without overlayReport', 'sample=0', /overlayReport and sample go together/],
    ['a sample that is not a whole number', 'overlayReport=x&sample=-1', /sample must be a whole number/],
    ['an empty overlayReport', 'overlayReport=&sample=0', /overlayReport is empty/],
  ])('%s: 400', async (_what, query, message) => {
    const r = await get(query);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(message);
  });

  it('an unknown report: 404 naming it', async () => {
    const r = await get('overlayReport=no-such-report&sample=0');
    expect(r.status).toBe(404);
    expect(r.text).toBe('no render: overlayReport: no evaluation report "no-such-report" (never made, or evicted: the server keeps the latest reports)');
  });

  it("a sample beyond the report's per_sample: 404 saying how many there are", async () => {
    const id = await post('masks', [{ ref_id: REF.id, segmentation: { size: [REF.height, REF.width], counts: rleToString(predictedMask) } }]);
    const r = await get(`overlayReport=${id}&sample=1`);
    expect(r.status).toBe(404);
    expect(r.text).toBe(`no render: sample: report ${id} has 1 samples (0 to 0), not 1`);
  });

  it('a boxes report: 400 pointing at overlayBox', async () => {
    const id = await post('boxes', [{ ref_id: REF.id, box: [1, 2, 3, 4] }]);
    const r = await get(`overlayReport=${id}&sample=0`);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/scores boxes, not masks: draw a predicted box with overlayBox=x,y,w,h$/);
  });

  it('an unknown ref with a good overlay is still a 404 for the ref', async () => {
    const r = await yoga.fetch('http://localhost/renders/refcoco/unc/999999.png?overlayBox=1,2,3,4');
    expect(r.status).toBe(404);
  });
});
