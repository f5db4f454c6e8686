/**
 * data.jsonl's writer (src/core/export/data-body.ts) produces exactly the bytes of
 * JSON.stringify over the store's REFER records — the body the route built before the
 * writer existed — on every sample pair, and on a pair whose text needs escaping and
 * whose tokens are not `sent.split(' ')`.
 */
import { join } from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { stringColumn } from '../src/core/store/columns';
import { InstancesIndex, ReferStore } from '../src/core/store/store';
import { dataBodyChunks } from '../src/core/export/data-body';
import { recordLines } from '../bench/record-data-body';
import { goldenCatalog } from './api-helpers';

/** The body as the route built it from records: one JSON.stringify per line. */
function bodyFromRecords(store: ReferStore, segmentation: boolean): string {
  return Buffer.concat([...recordLines(store, segmentation)]).toString('utf8');
}

function written(store: ReferStore, segmentation: boolean): Buffer {
  const chunks: Buffer[] = [];
  const it = dataBodyChunks(store, { segmentation });
  for (let next = it.next(); !next.done; next = it.next()) chunks.push(next.value);
  return Buffer.concat(chunks);
}

/** A copy of a store whose sentences and file names hold quotes, backslashes, control characters, non-ASCII and lone surrogates, and whose tokens differ from sent.split(' '). */
function awkwardStore(store: ReferStore): ReferStore {
  const awkward = ['say "hi" \\ back', 'tab\there\nnewline', 'caf\u00e9 \u{1f600} \ud800 lone', '', '  two  spaces '];
  const pick = (i: number) => awkward[i % awkward.length];
  const sentences = store.refs.sentId.length;
  const sent = Array.from({ length: sentences }, (_, i) => pick(i));
  const tokenExceptions: Record<string, string[]> = { 1: ['tab\there', 'newline'], 3: [] };
  const refs = { ...store.refs, raw: stringColumn(sent.map((s) => s.toUpperCase())), sent: stringColumn(sent), tokenExceptions };
  const { images } = store.instances.tables;
  const fileNames = Array.from({ length: images.id.length }, (_, i) => `im"${i}\\.jpg`);
  const tables = { ...store.instances.tables, images: { ...images, fileName: stringColumn(fileNames) } };
  return new ReferStore(store.dataset, store.splitBy, new InstancesIndex(tables), refs);
}

describe('data.jsonl writer', () => {
  const golden = goldenCatalog();
  const sample = loadCatalog({ dataRoot: join(__dirname, '../data'), cacheDir: null });
  const stores = [...golden.stores.values(), ...sample.stores.values()].filter((s) => !s.hasTargetLists);

  it('writes the bytes JSON.stringify gives for the store records, without and with segmentation, on every sample pair', () => {
    expect(stores.length).toBeGreaterThanOrEqual(7);
    for (const store of stores) {
      expect(written(store, false).toString('utf8')).toBe(bodyFromRecords(store, false));
      expect(written(store, true).toString('utf8')).toBe(bodyFromRecords(store, true));
    }
  });

  it('escapes text as JSON.stringify does and keeps token exceptions', () => {
    for (const store of [golden.get('refcoco', 'unc'), golden.get('refclef', 'unc')]) {
      const odd = awkwardStore(store);
      expect(odd.tokensAt(1)).toEqual(['tab\there', 'newline']);
      expect(written(odd, false).toString('utf8')).toBe(bodyFromRecords(odd, false));
    }
  });

  it('keeps each chunk small, so that a producer can yield to the event loop between chunks', () => {
    const store = golden.get('refcoco', 'unc');
    const it = dataBodyChunks(store, { segmentation: true });
    for (let next = it.next(); !next.done; next = it.next()) expect(next.value.byteLength).toBeLessThanOrEqual(1024 * 1024);
  });

  it('refuses gRefCOCO before writing anything, naming the pair', () => {
    const gref = [...sample.stores.values()].find((s) => s.hasTargetLists);
    expect(gref).toBeDefined();
    expect(() => dataBodyChunks(gref!, { segmentation: false })).toThrow(/grefcoco\/unc: data.jsonl is REFER's bulk transfer/);
  });
});
