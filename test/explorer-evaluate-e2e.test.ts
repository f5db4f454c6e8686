/**
 * The explorer's Evaluate view in a real browser: Debian's Chromium driven by
 * playwright-core, on the real server serving the bundled sample (data/). A predictions
 * file goes in through the file input; the numbers, the bars, the histogram and the
 * worst cases shown are checked against POST /evaluate's report for the same file, and a
 * bad file must show the server's error.
 *
 * As test/explorer-e2e.test.ts: the server runs in its own Node process (renders encode
 * PNGs with fast-png, which Jest cannot load before Node 24.9); the browser is
 * /usr/bin/chromium or CHROMIUM_PATH; without it the tests are skipped with one loud line,
 * except under CI=true, where a missing browser fails the run.
 * EVALUATE_SCREENSHOT=<file.png> saves a picture of the view with the boxes report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser, requireBrowser, warnIfNoBrowser } from './chromium';
import { type ServeProcess, startServeProcess } from './serve-process';
import { rleFromBbox, rleToString } from '../src/mask';

const ROOT = join(__dirname, '..');
warnIfNoBrowser("the Evaluate view's browser tests");
const BOXES_FILE = join(ROOT, 'examples/refcoco_unc_testA_boxes.json');
const SPLIT = { dataset: 'refcoco', splitBy: 'unc', split: 'testA' };

let server: ServeProcess | undefined;
let baseUrl: string;
let profile: string | undefined;
let context: BrowserContext | undefined;
let page: Page;
/** What went wrong in the page: script errors, console errors, failed requests, requests to other hosts. */
const problems: string[] = [];

interface Report {
  id: string;
  task: string;
  counts: Record<string, number>;
  per_category: { category_id: number; name: string }[];
  per_sample: { iou: number | null; ref_id: number; pred?: number[] }[];
  error?: string;
}

/** The report POST /evaluate makes of `body` (as the page posts it: the file's bytes). */
async function evaluate(task: string, body: string): Promise<{ status: number; report: Report }> {
  const query = new URLSearchParams({ ...SPLIT, task });
  const r = await fetch(`${baseUrl}/evaluate?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: r.status, report: (await r.json()) as Report };
}

/** A value of the report by its path, parts joined by '/' as the page's data-metric writes them. */
function at(report: unknown, path: string): unknown {
  return path.split('/').reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], report);
}

/** Ten bins of IoU, computed here: [0, 0.1), …, [0.9, 1], a null IoU as 0. */
function expectedBins(ious: (number | null)[]): number[] {
  const bins = new Array<number>(10).fill(0);
  for (const iou of ious) bins[Math.min(9, Math.floor((iou ?? 0) * 10))]++;
  return bins;
}

/** Chooses the split and task, gives the file through the file input, and waits for the page to say it was scored. */
async function upload(task: string, file: { name: string; mimeType: string; buffer: Buffer }, expect: 'scored' | 'error'): Promise<void> {
  const view = page.locator('#evaluate');
  await view.getByLabel('Split').selectOption(SPLIT.split);
  await view.getByLabel('Task').selectOption(task);
  await view.getByLabel('Predictions file (JSON)').setInputFiles(file);
  if (expect === 'scored') await view.getByRole('status').filter({ hasText: `${file.name}: ` }).filter({ hasText: 'scored' }).waitFor();
  else await view.getByRole('alert').filter({ hasText: file.name }).waitFor();
}

/** Every worst-case thumbnail loaded (or failed): their src and natural width. */
async function thumbnails(): Promise<{ src: string; naturalWidth: number; index: number; laidOut: boolean }[]> {
  await page.waitForFunction(() => {
    const list = document.getElementById('evaluate-worst')!;
    const imgs = [...list.querySelectorAll('img')];
    return list.getAttribute('aria-busy') === 'false' && imgs.length > 0 && imgs.every((img) => img.complete);
  });
  return page.locator('#evaluate-worst .worst-case').evaluateAll((items) =>
    items.map((li) => {
      const img = li.querySelector('img')!;
      // Laid out at the picture's own size before it loads: no jump when it arrives.
      const laidOut = Number(img.getAttribute('width')) === img.naturalWidth && Number(img.getAttribute('height')) === img.naturalHeight;
      return { src: img.getAttribute('src')!, naturalWidth: img.naturalWidth, index: Number((li as HTMLElement).dataset.index), laidOut };
    }),
  );
}

/** The numbers the page shows, by path, with their text. */
function shownMetrics(): Promise<{ path: string; value: string; text: string }[]> {
  return page.locator('#evaluate-overall dd').evaluateAll((dds) => dds.map((dd) => ({ path: (dd as HTMLElement).dataset.metric!, value: (dd as HTMLElement).dataset.value!, text: dd.textContent! })));
}

describeInBrowser("the explorer's Evaluate view in Chromium", () => {
  beforeAll(async () => {
    requireBrowser("the Evaluate view's browser tests");
    server = await startServeProcess(join(ROOT, 'data'));
    baseUrl = server.url;
    profile = mkdtempSync(join(tmpdir(), 'refer-evaluate-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // A refused file is answered 400, which Chromium also logs: that one is expected.
      if (m.type() === 'error' && !(m.location().url.includes('/evaluate?') && m.text().includes('status of 400'))) problems.push(`console error: ${m.text()}`);
    });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('request', (r) => !r.url().startsWith(`${baseUrl}/`) && !r.url().startsWith('data:') && problems.push(`request to another host: ${r.url()}`));
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await server?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('scores an uploaded boxes file: the numbers, bars, histogram and worst cases are those of POST /evaluate', async () => {
    const text = readFileSync(BOXES_FILE, 'utf8');
    const { status, report } = await evaluate('boxes', text);
    expect(status).toBe(200);

    await page.goto(`${baseUrl}/?pair=${SPLIT.dataset}/${SPLIT.splitBy}`);
    await page.getByRole('link', { name: 'Evaluate' }).click();
    await page.getByRole('heading', { level: 2, name: 'Evaluate predictions' }).waitFor();
    expect(await page.locator('section.browse').isHidden()).toBe(true);
    await page.locator('#evaluate-split option[value="testA"]').waitFor({ state: 'attached' });
    await upload('boxes', { name: 'refcoco_unc_testA_boxes.json', mimeType: 'application/json', buffer: Buffer.from(text) }, 'scored');

    // The headline numbers: each one the report's, to the last digit, and written as a share.
    const metrics = await shownMetrics();
    expect(metrics.map((m) => m.path)).toEqual([
      'overall/accuracy',
      'overall/given/mean_iou',
      'overall/given/accuracy/0.25',
      'overall/given/accuracy/0.75',
      'overall/given/accuracy/0.9',
      'overall/accuracy_all',
    ]);
    for (const m of metrics) {
      const expected = at(report, m.path) as number;
      expect([m.path, Number(m.value)]).toEqual([m.path, expected]);
      expect([m.path, m.text]).toEqual([m.path, m.path.endsWith('mean_iou') ? expected.toFixed(4) : `${(expected * 100).toFixed(2)}%`]);
    }
    const counts = await page.locator('#evaluate-counts').evaluate((p) => ({ ...(p as HTMLElement).dataset }));
    expect(Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]))).toEqual(report.counts);

    // One bar per category of the report, in its order.
    const bars = await page.locator('#evaluate-categories svg .bar').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-key'))));
    expect(bars).toEqual(report.per_category.map((c) => c.category_id));

    // The histogram: ten bins summing to the samples scored, each the count computed here.
    const bins = await page.locator('#evaluate-histogram svg .bin').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
    expect(bins).toHaveLength(10);
    expect(bins.reduce((a, b) => a + b, 0)).toBe(report.counts.evaluated);
    expect(bins).toEqual(expectedBins(report.per_sample.map((s) => s.iou)));

    // The worst cases: worst first, each drawn with its own predicted box overlaid, and loaded.
    const thumbs = await thumbnails();
    expect(thumbs).toHaveLength(Math.min(12, report.per_sample.length));
    const ious = thumbs.map((t) => report.per_sample[t.index].iou ?? 0);
    expect(ious).toEqual([...ious].sort((a, b) => a - b));
    for (const t of thumbs) {
      const url = new URL(t.src, baseUrl);
      const sample = report.per_sample[t.index];
      expect(url.pathname).toBe(`/renders/refcoco/unc/${sample.ref_id}.png`);
      expect(url.searchParams.get('overlayBox')).toBe(sample.pred!.join(','));
      expect(t.naturalWidth).toBeGreaterThan(0);
      expect(t.laidOut).toBe(true);
    }
    if (process.env.EVALUATE_SCREENSHOT) await page.screenshot({ path: process.env.EVALUATE_SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('shows the error of a bad file, naming the prediction, and no numbers', async () => {
    const body = '[{"ref_id": 16, "box": [311.18, 33.59, 244.31, 269.01]}, {"ref_id": 17, "box": [1, 2, 3]}]';
    const { status, report } = await evaluate('boxes', body);
    expect(status).toBe(400);
    expect(report.error).toMatch(/prediction 1: box must be four finite numbers/);
    await upload('boxes', { name: 'three-numbers.json', mimeType: 'application/json', buffer: Buffer.from(body) }, 'error');
    expect(await page.locator('#evaluate').getByRole('alert').textContent()).toBe(`three-numbers.json was not scored: ${report.error}`);
    expect(await page.locator('#evaluate-results').isHidden()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('takes the split and task a file name spells, and says when none of its ids is in the split chosen', async () => {
    const text = readFileSync(BOXES_FILE, 'utf8');
    const view = page.locator('#evaluate');
    await view.getByLabel('Split').selectOption('val');
    await view.getByLabel('Task').selectOption('masks');
    await view.getByLabel('Predictions file (JSON)').setInputFiles({ name: 'refcoco_unc_testA_boxes.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await view.getByRole('status').filter({ hasText: 'refcoco_unc_testA_boxes.json: ' }).filter({ hasText: 'scored on refcoco/unc testA' }).waitFor();
    expect([await view.getByLabel('Split').inputValue(), await view.getByLabel('Task').inputValue()]).toEqual(['testA', 'boxes']);

    // A name that spells nothing keeps the choices; testA's ids are not in val.
    await view.getByLabel('Split').selectOption('val');
    await view.getByLabel('Predictions file (JSON)').setInputFiles({ name: 'predictions.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await view.getByRole('status').filter({ hasText: 'predictions.json: 0 scored on refcoco/unc val' }).waitFor();
    expect(await page.locator('#evaluate-counts').textContent()).toContain('None of its ids are in val: choose the split the predictions were made on.');
    expect(problems).toEqual([]);
  });

  it('scores a file dropped on the zone as one chosen with the input', async () => {
    const text = readFileSync(BOXES_FILE, 'utf8');
    const { report } = await evaluate('boxes', text);
    const view = page.locator('#evaluate');
    await view.getByLabel('Split').selectOption(SPLIT.split);
    await view.getByLabel('Task').selectOption('boxes');
    const dataTransfer = await page.evaluateHandle((body) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([body], 'dropped.json', { type: 'application/json' }));
      return transfer;
    }, text);
    await page.locator('#evaluate-drop').dispatchEvent('drop', { dataTransfer });
    await view.getByRole('status').filter({ hasText: 'dropped.json: ' }).filter({ hasText: 'scored' }).waitFor();
    const accuracy = (await shownMetrics()).find((m) => m.path === 'overall/accuracy')!;
    expect(Number(accuracy.value)).toBe(at(report, 'overall/accuracy'));
    expect(problems).toEqual([]);
  });

  it('scores masks: mIoU and oIoU as POST /evaluate has them, thumbnails with the predicted mask overlaid', async () => {
    interface Refs {
      data: { dataset: { refs: { edges: { node: { refId: number; boxes: number[][]; image: { width: number; height: number } } }[] } } };
    }
    const r = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ dataset(name: "refcoco", splitBy: "unc") { refs(split: "testA", first: 100) { edges { node { refId boxes image { width height } } } } } }' }),
    });
    const refs = ((await r.json()) as Refs).data.dataset.refs.edges.map((e) => e.node);
    // Each ref's box, shifted by a fifth of its width: masks that overlap their ground truth in part.
    const predictions = refs.map(({ refId, boxes: [[x, y, w, h]], image }) => ({
      ref_id: refId,
      segmentation: { size: [image.height, image.width], counts: rleToString(rleFromBbox([x + w / 5, y, w, h], image.height, image.width)) },
    }));
    const text = JSON.stringify(predictions);
    const { status, report } = await evaluate('masks', text);
    expect(status).toBe(200);

    await upload('masks', { name: 'shifted-masks.json', mimeType: 'application/json', buffer: Buffer.from(text) }, 'scored');
    const metrics = await shownMetrics();
    expect(metrics.slice(0, 2).map((m) => m.path)).toEqual(['overall/mIoU', 'overall/oIoU']);
    for (const m of metrics) expect([m.path, Number(m.value)]).toEqual([m.path, at(report, m.path)]);
    const bins = await page.locator('#evaluate-histogram svg .bin').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
    expect(bins).toEqual(expectedBins(report.per_sample.map((s) => s.iou)));

    const thumbs = await thumbnails();
    for (const t of thumbs) {
      const url = new URL(t.src, baseUrl);
      expect(url.pathname).toBe(`/renders/refcoco/unc/${report.per_sample[t.index].ref_id}.png`);
      // The page's own report (posted again by it), and the sample's row in it.
      expect(url.searchParams.get('overlayReport')).toMatch(/^[0-9a-f-]{36}$/);
      expect(url.searchParams.get('sample')).toBe(String(t.index));
      expect(t.naturalWidth).toBeGreaterThan(0);
      expect(t.laidOut).toBe(true);
    }
    expect(problems).toEqual([]);
  });

  it('scores expressions: BLEU to CIDEr as POST /evaluate has them, METEOR not computed with its reason, no IoU histogram', async () => {
    interface Refs {
      data: { dataset: { refs: { edges: { node: { refId: number; sentences: { sent: string }[] } }[] } } };
    }
    const r = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ dataset(name: "refcoco", splitBy: "unc") { refs(split: "testA", first: 100) { edges { node { refId sentences { sent } } } } } }' }),
    });
    const refs = ((await r.json()) as Refs).data.dataset.refs.edges.map((e) => e.node);
    // Every other ref gets its own first expression back, the rest a generic one.
    const text = JSON.stringify(refs.map((ref, i) => ({ ref_id: ref.refId, sent: i % 2 ? ref.sentences[0].sent : 'a person' })));
    const { status, report } = await evaluate('expressions', text);
    expect(status).toBe(200);

    await upload('expressions', { name: 'generated.json', mimeType: 'application/json', buffer: Buffer.from(text) }, 'scored');
    const metrics = await shownMetrics();
    expect(metrics.map((m) => m.path)).toEqual(['Bleu_1', 'Bleu_2', 'Bleu_3', 'Bleu_4', 'ROUGE_L', 'CIDEr', 'METEOR'].map((name) => `overall/${name}`));
    for (const m of metrics.slice(0, -1)) expect([m.path, Number(m.value), m.text]).toEqual([m.path, at(report, m.path), (at(report, m.path) as number).toFixed(4)]);
    const meteor = metrics[metrics.length - 1];
    expect([meteor.value, meteor.text]).toEqual(['null', at(report, 'overall/unavailable/METEOR')]);
    expect(await page.locator('#evaluate-histogram-figure').isHidden()).toBe(true);
    expect(await page.locator('#evaluate-categories svg .bar').count()).toBe(report.per_category.length);

    // Worst CIDEr first; drawn without an overlay (an expression has no region).
    const thumbs = await thumbnails();
    expect(thumbs).toHaveLength(report.per_sample.length);
    const rows = report.per_sample as unknown as { CIDEr: number }[];
    const ciders = thumbs.map((t) => rows[t.index].CIDEr);
    expect(ciders).toEqual([...ciders].sort((a, b) => a - b));
    for (const t of thumbs) {
      expect(new URL(t.src, baseUrl).searchParams.has('overlayBox')).toBe(false);
      expect(t.naturalWidth).toBeGreaterThan(0);
    }
    expect(problems).toEqual([]);
  });
});
