/**
 * The server's graphql-jit, loaded once the first response is out: the same answers
 * before and after, and compiled execution from the next operation on.
 */
import type { Plugin } from 'graphql-yoga';
import { testApp } from './api-helpers';
import { deferredGraphQlJit } from '../src/startup/deferred-jit';

type OnExecute = NonNullable<Plugin['onExecute']>;
type OnResponse = NonNullable<Plugin['onResponse']>;

/** Whether the plugin swaps in its own executor for one operation. */
function swapsExecutor(plugin: Plugin): boolean {
  let swapped = false;
  const payload = { args: {}, setExecuteFn: () => (swapped = true) } as unknown as Parameters<OnExecute>[0];
  void plugin.onExecute!(payload);
  return swapped;
}

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

describe('deferredGraphQlJit', () => {
  it('runs on graphql-js until the first response is out, then on graphql-jit', async () => {
    const { plugin } = deferredGraphQlJit();
    expect(swapsExecutor(plugin)).toBe(false);
    void plugin.onResponse!({} as Parameters<OnResponse>[0]);
    expect(swapsExecutor(plugin)).toBe(false); // loaded after the response is written, not during it
    await nextTick();
    expect(swapsExecutor(plugin)).toBe(true);
  });

  it('loads at once when asked', () => {
    const jit = deferredGraphQlJit();
    jit.load();
    expect(swapsExecutor(jit.plugin)).toBe(true);
  });

  it('answers the same before and after graphql-jit is loaded', async () => {
    const yoga = testApp({ jit: 'after-first-response' });
    const query = '{ dataset(name: "refcoco", splitBy: "unc") { refs(split: "testA", first: 3) { edges { node { refId sentences { sent } category { name } } } } } }';
    const ask = async () => (await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json();
    const before = await ask();
    await nextTick();
    const after = await ask();
    expect(after).toEqual(before);
    expect(after).toEqual(await (await testApp({ jit: false }).fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json());
    expect((before as { data: { dataset: { refs: { edges: unknown[] } } } }).data.dataset.refs.edges).toHaveLength(3);
  });
});
