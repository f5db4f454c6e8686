/**
 * HTTP load benchmark of the GraphQL API with autocannon, on loopback only:
 *   (a) flat:   dataset { refIds(split: "testA") }
 *   (b) nested: 20 images → refs → sentences + category
 *   (c) page:   refs(first: 100) with sentences
 * each with and without graphql-jit, plus the loader batch calls one request of (b) makes.
 *
 *   npm run build && node dist/bench/api-load.js --data-root bench/data/full [--pair refcoco/unc] [--duration 20] [--connections 10]
 *
 * The server runs in a child process so that autocannon and the server each get a core
 * (this machine has 2), as a client and a server would. Every run is bounded by
 * --duration; a warm-up of 2 s precedes each measured run.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BatchCounter } from '../loaders';
import { loadCatalog } from '../src/core/catalog';
import { createYogaApp, startServer } from '../src/server';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: 'bench/data/full' },
    pair: { type: 'string', default: 'refcoco/unc' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '10' },
    serve: { type: 'boolean', default: false },
    jit: { type: 'boolean', default: false },
  },
});
const [dataset, splitBy] = values.pair!.split('/');
const DS = `dataset(name: "${dataset}", splitBy: "${splitBy}")`;

const QUERIES = {
  flat: `{ ${DS} { refIds(split: "testA") } }`,
  nested: `{ ${DS} { images(first: 20) { edges { node { imageId refs { refId sentences { sent } category { name } } } } } } }`,
  page: `{ ${DS} { refs(first: 100) { edges { node { refId sentences { sent } } } } } }`,
};
type Scenario = keyof typeof QUERIES;

interface ServerReady {
  url: string;
  loadMs: number;
  batchCalls: Record<string, number>;
  batchKeys: Record<string, number>;
}

/** Child process: load the pair, count (b)'s batch calls, serve, report the URL. */
async function serve(): Promise<void> {
  const started = performance.now();
  const catalog = loadCatalog({ dataRoot: values['data-root']!, datasets: [values.pair!] });
  const loadMs = Math.round(performance.now() - started);
  const counter = new BatchCounter();
  const probe = createYogaApp(catalog, { log: false, jit: values.jit, observeBatches: counter.observe });
  await probe.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERIES.nested }) });
  const server = await startServer(catalog, { port: 0, host: '127.0.0.1', log: false, jit: values.jit });
  const ready: ServerReady = { url: `${server.url}/graphql`, loadMs, batchCalls: Object.fromEntries(counter.calls), batchKeys: Object.fromEntries(counter.keys) };
  process.send!(ready);
  process.on('message', () => void server.close().then(() => process.exit(0)));
}

function startChild(jit: boolean): Promise<{ child: ChildProcess; ready: ServerReady }> {
  const args = ['--serve', '--data-root', values['data-root']!, '--pair', values.pair!, ...(jit ? ['--jit'] : [])];
  const child = fork(__filename, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, ready: ready as ServerReady }));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
}

async function checkAnswers(url: string): Promise<void> {
  for (const [name, query] of Object.entries(QUERIES)) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await response.json()) as { errors?: { message: string }[] };
    if (response.status !== 200 || body.errors) throw new Error(`${name}: ${response.status} ${JSON.stringify(body.errors)}`);
  }
}

function load(url: string, query: string, duration: number) {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    connections: Number(values.connections),
    duration,
  });
}

async function measure(jit: boolean) {
  const { child, ready } = await startChild(jit);
  try {
    await checkAnswers(ready.url);
    const results: Record<string, unknown> = {};
    for (const scenario of Object.keys(QUERIES) as Scenario[]) {
      await load(ready.url, QUERIES[scenario], 2);
      const r = await load(ready.url, QUERIES[scenario], Number(values.duration));
      if (r.errors || r.non2xx || r.timeouts) throw new Error(`${scenario}: ${r.errors} errors, ${r.non2xx} non-2xx, ${r.timeouts} timeouts`);
      results[scenario] = { reqPerSec: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, requests: r.requests.total, kBPerReq: Math.round(r.throughput.total / r.requests.total / 100) / 10 };
      process.stderr.write(`jit=${jit} ${scenario}: ${JSON.stringify(results[scenario])}\n`);
    }
    return { jit, loadMs: ready.loadMs, batchCallsPerNestedRequest: ready.batchCalls, batchKeysPerNestedRequest: ready.batchKeys, results };
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  const runs = [];
  for (const jit of [false, true]) runs.push(await measure(jit));
  const settings = { dataRoot: values['data-root'], pair: values.pair, connections: Number(values.connections), durationS: Number(values.duration), queries: QUERIES };
  console.log(JSON.stringify({ ...settings, runs }, null, 2));
}

if (values.serve) void serve();
else
  main().catch((e: Error) => {
    console.error(e.message);
    process.exitCode = 1;
  });
