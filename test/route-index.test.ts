/** GET / for a client that does not ask for HTML (curl, scripts): a JSON index of the routes (issue 8 §3). */
import { testApp } from './api-helpers';

const yoga = testApp();

describe('GET / without Accept: text/html', () => {
  test.each([['curl', '*/*'], ['a script', 'application/json'], ['no Accept', undefined]])('%s gets the JSON index of the routes', async (_who, accept) => {
    const r = await yoga.fetch('http://localhost/', { headers: accept ? { accept } : {} });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const index = await r.json();
    expect(index.name).toBe('refer-graphql');
    expect(Object.keys(index.routes)).toEqual(
      expect.arrayContaining(['/graphql', '/', '/health', '/ready', '/renders/<dataset>/<splitBy>/<refId>.png?mode=SEG|BOX|MASK&maxSize=N', '/masks/<dataset>/<splitBy>/<refId>.png', '/masks/<dataset>/annotations/<annId>.png', '/images/<dataset>/<imageId>', 'POST /evaluate?dataset=D&splitBy=S&split=X&task=boxes|masks|expressions', '/export/<dataset>/<splitBy>.jsonl?split=X&include=masks']),
    );
  });

  test('a browser still gets the explorer page', async () => {
    const r = await yoga.fetch('http://localhost/', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // Both answers of / vary by Accept, so a cache keeps them apart.
    expect(r.headers.get('vary')).toMatch(/accept/i);
    expect((await yoga.fetch('http://localhost/')).headers.get('vary')).toMatch(/accept/i);
  });

  test('POST / is refused with 405', async () => {
    const r = await yoga.fetch('http://localhost/', { method: 'POST', body: '{}' });
    expect(r.status).toBe(405);
  });
});
