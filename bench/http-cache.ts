/**
 * What HTTP caching and compression buy, through yoga.fetch (no sockets):
 *   - GraphiQL's page: bytes as identity / gzip / brotli, time of the first compressed
 *     answer (compressing) and of later ones (kept);
 *   - a GraphQL GET answered 200 (executed) versus 304 (If-None-Match, nothing executed).
 *
 *   npm run build && node dist/bench/http-cache.js [--data-root data] [--pair refcoco/unc] [--runs 5]
 *
 * Each figure is the median of --runs runs; a cold GraphiQL run uses a new app.
 */
import { parseArgs } from 'node:util';
import { loadCatalog } from '../src/core/catalog';
import { createYogaApp } from '../src/server';
import { median, timeRuns } from './timing';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: 'data' },
    pair: { type: 'string', default: 'refcoco/unc' },
    runs: { type: 'string', default: '5' },
  },
});
const runs = Number(values.runs);
const [dataset, splitBy] = values.pair!.split('/');
const catalog = loadCatalog({ dataRoot: values['data-root']!, datasets: [values.pair!] });
const app = () => createYogaApp(catalog, { log: false });

async function graphiql(yoga: ReturnType<typeof app>, encoding?: string): Promise<number> {
  const r = await yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html', ...(encoding && { 'accept-encoding': encoding }) } });
  return (await r.arrayBuffer()).byteLength;
}

async function main(): Promise<void> {
  const warm = app();
  for (const encoding of [undefined, 'gzip', 'br']) {
    const bytes = await graphiql(warm, encoding);
    const cold: number[] = [];
    for (let i = 0; i < runs; i++) {
      const yoga = app();
      await graphiql(yoga); // the page itself, uncompressed, first
      const t0 = performance.now();
      await graphiql(yoga, encoding);
      cold.push(performance.now() - t0);
    }
    const kept = await timeRuns(runs, () => graphiql(warm, encoding));
    console.log(`GraphiQL ${encoding ?? 'identity'}: ${(bytes / 1e6).toFixed(2)} MB, first ${median(cold).toFixed(0)} ms, kept ${kept.median.toFixed(1)} ms`);
  }

  const query = `{ dataset(name: "${dataset}", splitBy: "${splitBy}") { images(first: 20) { edges { node { imageId refs { refId sentences { sent } category { name } } } } } } }`;
  const url = `http://localhost/graphql?query=${encodeURIComponent(query)}`;
  const yoga = app();
  const first = await yoga.fetch(url);
  const etag = first.headers.get('etag')!;
  const bytes = (await first.arrayBuffer()).byteLength;
  const n = 200;
  const batch = async (headers: Record<string, string>) => {
    for (let i = 0; i < n; i++) await (await yoga.fetch(url, { headers })).arrayBuffer();
  };
  const executed = await timeRuns(runs, () => batch({}));
  const revalidated = await timeRuns(runs, () => batch({ 'if-none-match': etag }));
  console.log(`GET nested (${bytes} B answer), per request: 200 ${((executed.median / n) * 1000).toFixed(0)} µs, 304 ${((revalidated.median / n) * 1000).toFixed(0)} µs`);
}

void main();
