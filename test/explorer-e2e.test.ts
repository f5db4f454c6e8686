/**
 * The explorer page in a real browser: Debian's Chromium driven by playwright-core, on
 * the real server serving the bundled sample. Searches for a word, opens a ref, checks
 * the render loaded and the sentences shown are the API's, and follows the GraphiQL
 * link. Then the routes that serve the page's files, through yoga.fetch.
 *
 * The server runs in its own Node process: renders encode PNGs with fast-png, an ES
 * module that Jest's loader cannot require before Node 24.9 (see render-png.test.ts).
 * The browser is /usr/bin/chromium, or CHROMIUM_PATH (macOS, other distributions). Without
 * it the browser tests are skipped with one loud line, so `npm test` passes on a bare
 * machine; under CI=true (.ci/run installs Chromium) they run, and a missing browser
 * fails the run, so CI never passes silently without them.
 * EXPLORER_SCREENSHOT=<file.png> saves a picture of the page with a ref open.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser, requireBrowser, warnIfNoBrowser } from './chromium';
import { type ServeProcess, startServeProcess } from './serve-process';
import { testApp } from './api-helpers';

const ROOT = join(__dirname, '..');
warnIfNoBrowser("the explorer's browser tests");
const PAIR = { name: 'refcoco', splitBy: 'unc' };

let server: ServeProcess | undefined;
let baseUrl: string;
let profile: string | undefined;
let context: BrowserContext | undefined;
let page: Page;
/** What went wrong in the page: script errors, console errors (CSP violations among them), failed requests, requests to other hosts. */
const problems: string[] = [];

async function api<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

describeInBrowser('the explorer in Chromium', () => {
  beforeAll(async () => {
    requireBrowser("the explorer's browser tests");
    server = await startServeProcess(join(ROOT, 'data'));
    baseUrl = server.url;
    profile = mkdtempSync(join(tmpdir(), 'refer-explorer-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    // GraphiQL starts its editor's workers from blob: URLs of the page's own origin.
    const local = [`${baseUrl}/`, `blob:${baseUrl}/`, 'data:'];
    page.on('request', (r) => !local.some((prefix) => r.url().startsWith(prefix)) && problems.push(`request to another host: ${r.url()}`));
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await server?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  interface RefsAnswer {
    dataset: { refs: { totalCount: number; edges: { node: { refId: number; sentences: { sent: string }[] } }[] } };
  }

  const REFS = `query($name: String!, $splitBy: String!, $text: String, $first: Int) {
    dataset(name: $name, splitBy: $splitBy) { refs(text: $text, first: $first) { totalCount edges { node { refId sentences { sent } } } } }
  }`;

  it('searches expressions, opens a ref, and shows its render and the sentences the API has', async () => {
    // A word of the sample's first expression, and the refs the API finds for it.
    const first = await api<RefsAnswer>(REFS, { ...PAIR, first: 1 });
    const word = first.dataset.refs.edges[0].node.sentences[0].sent.split(' ').find((w) => w.length >= 3)!;
    const found = (await api<RefsAnswer>(REFS, { ...PAIR, text: word, first: 20 })).dataset.refs;
    expect(found.totalCount).toBeGreaterThan(0);

    await page.goto(`${baseUrl}/?pair=${PAIR.name}/${PAIR.splitBy}`);
    await page.getByRole('status').filter({ hasText: /refs in refcoco\/unc/ }).waitFor();

    await page.getByLabel('Words in an expression').fill(word);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: `matching “${word}”` }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain(`${found.totalCount} ${found.totalCount === 1 ? 'ref' : 'refs'} matching`);
    const listed = await page.locator('#refs .ref-item').evaluateAll((buttons) => buttons.map((b) => Number((b as HTMLElement).dataset.refId)));
    expect(listed).toEqual(found.edges.map((e) => e.node.refId));

    const refId = listed[0];
    await page.locator(`#refs .ref-item[data-ref-id="${refId}"]`).click();
    await page.getByRole('heading', { level: 2, name: new RegExp(`^Ref ${refId} · `) }).waitFor();
    const renderLoaded = () => page.waitForFunction(() => {
      const img = document.getElementById('render') as HTMLImageElement;
      return img.complete && img.naturalWidth > 0 && img.closest('figure')!.getAttribute('aria-busy') === 'false';
    });
    await renderLoaded();

    const ref = (
      await api<{ dataset: { ref: { renderUrl: string; category: { name: string }; sentences: { sent: string }[] } } }>(
        `query($name: String!, $splitBy: String!, $refId: Int!) { dataset(name: $name, splitBy: $splitBy) { ref(refId: $refId) { renderUrl(maxSize: 800) category { name } sentences { sent } } } }`,
        { ...PAIR, refId },
      )
    ).dataset.ref;
    expect(await page.locator('#sentences li').allTextContents()).toEqual(ref.sentences.map((s) => s.sent));
    expect(await page.locator('#ref-title').textContent()).toBe(`Ref ${refId} · ${ref.category.name}`);
    expect(await page.locator('#render').getAttribute('src')).toBe(ref.renderUrl);

    // The mask, through the same renderUrl field.
    await page.getByLabel('Mask').check();
    await page.waitForFunction(() => (document.getElementById('render') as HTMLImageElement).src.includes('mode=MASK'));
    await renderLoaded();
    await page.getByLabel('Segmentation').check();
    await renderLoaded();

    // The GraphiQL link carries the equivalent query, with the values written in.
    const graphiql = new URL((await page.locator('#ref-graphiql').getAttribute('href'))!, baseUrl);
    expect(graphiql.pathname).toBe('/graphql');
    expect(graphiql.searchParams.get('query')).toContain(`ref(refId: ${refId})`);

    if (process.env.EXPLORER_SCREENSHOT) await page.screenshot({ path: process.env.EXPLORER_SCREENSHOT });
    expect(problems).toEqual([]);
  });

  it("links into GraphiQL with the ref's query in the editor", async () => {
    const href = await page.locator('#ref-graphiql').getAttribute('href');
    expect(href).toMatch(/^\/graphql\?query=/);
    const refId = await page.locator('#ref-title').evaluate((h) => /^Ref (\d+)/.exec(h.textContent ?? '')![1]);
    await page.goto(new URL(href!, baseUrl).href);
    // GraphiQL's editor (Monaco) draws its lines as text, spaces as no-break spaces.
    const editorHas = (text: string) => (document.querySelector('.graphiql-query-editor') as HTMLElement | null)?.innerText.replace(/\s/g, ' ').includes(text) ?? false;
    await page.waitForFunction(editorHas, `ref(refId: ${refId})`, { timeout: 20_000 });
    expect(problems).toEqual([]);
  });

  it('drops a cleared search when the dataset changes, and says "1 ref" for one', async () => {
    // A word that only one ref of the pair has.
    const refs = (await api<RefsAnswer>(REFS, { ...PAIR, first: 100 })).dataset.refs.edges;
    let unique: string | undefined;
    for (const word of new Set(refs.flatMap((e) => e.node.sentences.flatMap((s) => s.sent.split(' '))))) {
      if (word.length < 3) continue;
      if ((await api<RefsAnswer>(REFS, { ...PAIR, text: word, first: 1 })).dataset.refs.totalCount === 1) {
        unique = word;
        break;
      }
    }
    expect(unique).toBeDefined();
    await page.goto(`${baseUrl}/?pair=${PAIR.name}/${PAIR.splitBy}`);
    await page.getByRole('status').filter({ hasText: /refs in refcoco\/unc/ }).waitFor();
    // Leaving GraphiQL (the test before) aborts its editor workers' blob: requests: not this page's.
    problems.splice(0, problems.length, ...problems.filter((p) => !/^request failed: blob:.* net::ERR_ABORTED$/.test(p)));
    await page.getByLabel('Words in an expression').fill(unique!);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: `matching “${unique}”` }).waitFor();
    expect(await page.getByRole('status').textContent()).toBe(`1 ref matching “${unique}” in refcoco/unc.`);

    // Clear the box without searching again, then switch dataset: the search is gone.
    await page.getByLabel('Words in an expression').fill('');
    const other = { name: 'refcocog', splitBy: 'umd' };
    const all = (await api<RefsAnswer>(REFS, { ...other, first: 1 })).dataset.refs.totalCount;
    await page.locator('#pair').selectOption(`${other.name}/${other.splitBy}`);
    await page.getByRole('status').filter({ hasText: /in refcocog\/umd/ }).waitFor();
    expect(await page.getByRole('status').textContent()).toBe(`${all.toLocaleString('en')} refs in refcocog/umd.`);
    expect(new URL(page.url()).searchParams.get('text')).toBeNull();
    expect(problems).toEqual([]);
  });
});

describe('the explorer files', () => {
  const yoga = testApp();
  const get = async (path: string, headers: Record<string, string> = {}, method = 'GET') => {
    const r = await yoga.fetch(`http://localhost${path}`, { method, headers });
    return { status: r.status, headers: Object.fromEntries(r.headers), text: await r.text() };
  };

  it('serves the page at / to browsers, with a policy that keeps it on this server', async () => {
    const r = await get('/', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toMatch(/^default-src 'self';/);
    expect(r.text).toContain('<script type="module" src="/explorer/main.js"></script>');
    expect(r.text).toBe(readFileSync(join(ROOT, 'explorer/index.html'), 'utf8'));
  });

  it('serves every file the page loads, with its type, and revalidates them by ETag', async () => {
    const page = (await get('/', { accept: 'text/html' })).text;
    const loaded = [...page.matchAll(/(?:src|href)="(\/explorer\/[^"]+)"/g)].map((m) => m[1]);
    expect(loaded).toEqual(['/explorer/explorer.css', '/explorer/main.js']);
    // main.js imports the rest, relative to itself.
    const main = (await get('/explorer/main.js')).text;
    for (const [, file] of main.matchAll(/from '\.\/([\w.-]+)'/g)) loaded.push(`/explorer/${file}`);
    expect(loaded).toContain('/explorer/api.js');
    for (const path of loaded) {
      const r = await get(path);
      expect([path, r.status, r.headers['content-type']]).toEqual([path, 200, path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8']);
      expect(r.headers['cache-control']).toBe('no-cache');
      expect((await get(path, { 'if-none-match': r.headers.etag })).status).toBe(304);
    }
  });

  it('answers / with the JSON index of the routes when the client does not ask for HTML, and leaves /graphql to GraphiQL', async () => {
    const index = await get('/', { accept: 'application/json' });
    expect(index.status).toBe(200);
    expect(JSON.parse(index.text).routes['/graphql']).toBeDefined();
    const graphiql = await get('/graphql', { accept: 'text/html' });
    expect(graphiql.status).toBe(200);
    expect(graphiql.text).toContain('YogaGraphiQL');
  });

  it('404 for files that are not the explorer\'s, 405 for other methods', async () => {
    for (const path of ['/explorer/nope.js', '/explorer/package.json', '/explorer/../package.json', '/explorer/%2e%2e%2fpackage.json', '/explorer/']) {
      expect([path, (await get(path)).status]).toEqual([path, 404]);
    }
    const post = await get('/explorer/main.js', {}, 'POST');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });
});
