/** GraphiQL's starting query fits its editor: comment lines stay short (issue 8 §3). */
import { testApp } from './api-helpers';

const MAX_COMMENT_LINE = 60;

test(`the default query's comment lines are at most ${MAX_COMMENT_LINE} characters, and the query runs`, async () => {
  const yoga = testApp();
  const page = await (await yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } })).text();
  const literal = /"(# refer-graphql(?:\\.|[^"\\])*)"/.exec(page);
  expect(literal).not.toBeNull();
  const query = JSON.parse(`"${literal![1]}"`) as string;
  const comments = query.split('\n').filter((line) => line.startsWith('#'));
  expect(comments.length).toBeGreaterThan(0);
  for (const line of comments) expect([line, line.length <= MAX_COMMENT_LINE]).toEqual([line, true]);

  const r = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = await r.json();
  expect(body.errors).toBeUndefined();
});
