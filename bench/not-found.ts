/**
 * Errors cost no more than hits (issue 9 item 7): `loadRefs(refIds:)` and `nodes(ids:)`
 * through yoga.fetch with --ids known ref ids, then as many unknown ones, on an in-memory
 * store of --refs refs (test/synthetic-store.ts: the cost of a "not found" message used to
 * grow with the store, so the store is large). Medians of --runs runs after one warm-up.
 * Prints a markdown table.
 *
 *   npx ts-node --transpile-only bench/not-found.ts [--refs 200000] [--ids 19000] [--runs 5]
 */
import { parseArgs } from 'node:util';
import { createYogaApp } from '../src/server';
import { syntheticCatalog } from '../test/synthetic-store';
import { timeRuns } from './timing';

const { values } = parseArgs({ options: { refs: { type: 'string', default: '200000' }, ids: { type: 'string', default: '19000' }, runs: { type: 'string', default: '5' } } });
const refs = Number(values.refs);
const count = Number(values.ids);
const runs = Number(values.runs);

const yoga = createYogaApp(syntheticCatalog({ refs, height: 10, width: 10 }), { log: false, limits: { maxComplexity: 1e9 } });
const LOAD_REFS = 'query($ids: [Int!]!) { dataset(name: "refcoco", splitBy: "unc") { loadRefs(refIds: $ids) { refId } } }';
const NODES = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
const globalId = (refId: number) => Buffer.from(`Ref:refcoco/unc:${refId}`).toString('base64');

async function post(query: string, ids: unknown[]): Promise<void> {
  const r = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { ids } }) });
  await r.json();
}

(async () => {
  const known = Array.from({ length: count }, (_, i) => i + 1);
  const unknown = Array.from({ length: count }, (_, i) => refs + 1 + i);
  console.log(`| request (${count} ids, store of ${refs} refs) | known ids: median ms | unknown ids: median ms |`);
  console.log('|---|---|---|');
  for (const [name, query, asIds] of [
    ['loadRefs(refIds:)', LOAD_REFS, (ids: number[]) => ids],
    ['nodes(ids:)', NODES, (ids: number[]) => ids.map(globalId)],
  ] as const) {
    const hit = await timeRuns(runs, () => post(query, asIds(known)));
    const miss = await timeRuns(runs, () => post(query, asIds(unknown)));
    console.log(`| ${name} | ${hit.median.toFixed(1)} | ${miss.median.toFixed(1)} |`);
  }
})();
