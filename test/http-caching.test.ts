/**
 * HTTP caching of /graphql (src/http/cache-control.ts, src/http/data-fingerprint.ts):
 * ETag + Cache-Control on GET answers keyed on the loaded data, the query and its
 * variables; 304 to If-None-Match without executing; GraphiQL's page by ETag.
 */
import { cpSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plugin } from 'graphql-yoga';
import { loadCatalog } from '../src/core/catalog';
import { GOLDEN_DATA, goldenCatalog, testApp } from './api-helpers';

const QUERY = 'query Count($name: String!, $splitBy: String!) { dataset(name: $name, splitBy: $splitBy) { counts { refs } } }';

function getUrl(variables: Record<string, unknown>, query = QUERY): string {
  return `http://localhost/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify(variables))}`;
}

/** An app that counts executions, to show a 304 ran nothing. */
function countingApp(options: Parameters<typeof testApp>[0] = {}, catalog = goldenCatalog()) {
  const counter = { executions: 0 };
  const counting: Plugin = { onExecute: () => void counter.executions++ };
  return { yoga: testApp({ ...options, plugins: [counting] }, catalog), counter };
}

const UNC = { name: 'refcoco', splitBy: 'unc' };

describe('GraphQL GET answers', () => {
  it('carry an ETag, Cache-Control and Vary: Accept', async () => {
    const r = await testApp().fetch(getUrl(UNC));
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(r.headers.get('cache-control')).toBe('public, max-age=60');
    expect(r.headers.get('vary')).toMatch(/\bAccept\b/);
    expect((await r.json()).data.dataset.counts.refs).toBeGreaterThan(0);
  });

  it('answer 304 with no body to a matching If-None-Match, without executing', async () => {
    const { yoga, counter } = countingApp();
    const first = await yoga.fetch(getUrl(UNC));
    const etag = first.headers.get('etag')!;
    expect(counter.executions).toBe(1);
    const again = await yoga.fetch(getUrl(UNC), { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=60');
    expect(counter.executions).toBe(1);
    const stale = await yoga.fetch(getUrl(UNC), { headers: { 'if-none-match': '"something-else"' } });
    expect(stale.status).toBe(200);
    expect(counter.executions).toBe(2);
  });

  it('keep CORS\'s Vary: Origin beside Accept, on 200 and 304', async () => {
    const yoga = testApp();
    const origin = { origin: 'https://a.example' };
    const first = await yoga.fetch(getUrl(UNC), { headers: origin });
    expect(first.headers.get('vary')).toMatch(/^(?=.*\bOrigin\b)(?=.*\bAccept\b)/);
    const again = await yoga.fetch(getUrl(UNC), { headers: { ...origin, 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('vary')).toMatch(/^(?=.*\bOrigin\b)(?=.*\bAccept\b)/);
    expect(again.headers.get('access-control-allow-origin')).toBe('https://a.example');
  });

  it('are keyed on the query, the variables and Accept', async () => {
    const yoga = testApp();
    const etag = async (url: string, accept?: string) => (await yoga.fetch(url, { headers: accept ? { accept } : {} })).headers.get('etag');
    const base = await etag(getUrl(UNC));
    expect(await etag(getUrl(UNC))).toBe(base);
    expect(await etag(getUrl({ name: 'refcoco', splitBy: 'google' }))).not.toBe(base);
    expect(await etag(getUrl(UNC, QUERY.replace('refs', 'refs sentences')))).not.toBe(base);
    expect(await etag(getUrl(UNC), 'application/graphql-response+json')).not.toBe(base);
  });

  it('are keyed on the loaded data: other pairs, or changed files, give other ETags', async () => {
    const etag = async (yoga: ReturnType<typeof testApp>) => (await yoga.fetch(getUrl(UNC))).headers.get('etag');
    const all = await etag(testApp());
    expect(await etag(testApp({}, loadCatalog({ dataRoot: GOLDEN_DATA, cacheDir: null })))).toBe(all); // same files, another load
    expect(await etag(testApp({}, loadCatalog({ dataRoot: GOLDEN_DATA, cacheDir: null, datasets: ['refcoco/unc'] })))).not.toBe(all);
    const root = mkdtempSync(join(tmpdir(), 'refer-etag-'));
    try {
      cpSync(join(GOLDEN_DATA, 'refcoco'), join(root, 'refcoco'), { recursive: true });
      const load = () => loadCatalog({ dataRoot: root, cacheDir: null, datasets: ['refcoco/unc'] });
      const before = await etag(testApp({}, load()));
      utimesSync(join(root, 'refcoco', 'refs(unc).p'), new Date(2001, 0, 1), new Date(2001, 0, 1));
      expect(await etag(testApp({}, load()))).not.toBe(before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('with errors are not cacheable', async () => {
    const r = await testApp().fetch(getUrl({ name: 'nope', splitBy: 'unc' }));
    expect((await r.json()).errors).toHaveLength(1);
    expect(r.headers.get('etag')).toBeNull();
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('POSTs carry no ETag', async () => {
    const r = await testApp().fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY, variables: UNC }) });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBeNull();
  });

  it('take their max-age from cacheMaxAgeSeconds', async () => {
    const r = await testApp({ cacheMaxAgeSeconds: 5 }).fetch(getUrl(UNC));
    expect(r.headers.get('cache-control')).toBe('public, max-age=5');
  });
});

describe('the GraphiQL page', () => {
  it('has an ETag, is revalidated on every use, and answers 304 to If-None-Match', async () => {
    const yoga = testApp();
    const html = { accept: 'text/html' };
    const first = await yoga.fetch('http://localhost/graphql', { headers: html });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const page = await first.text();
    expect(page).toMatch(/GraphiQL/);
    const second = await yoga.fetch('http://localhost/graphql', { headers: html });
    expect(second.headers.get('etag')).toBe(etag);
    expect(await second.text()).toBe(page);
    const revalidated = await yoga.fetch('http://localhost/graphql', { headers: { ...html, 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
  });
});
