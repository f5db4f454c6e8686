/**
 * src/core/query/ against the store: its one-pass filters must answer exactly what
 * ReferStore.refRows/annRows answer (REFER order included) for every combination of
 * filters, on every golden pair; its counts must match counting by hand.
 */
import { filterRefRows, narrowRefRows } from '../src/core/query/filters';
import { categoryCounts, datasetCounts, splitCounts } from '../src/core/query/statistics';
import { refRowsMatching, sentenceRowsMatching, wordsOf } from '../src/core/query/text-index';
import { SPLIT_ARGUMENTS, type ReferStore } from '../src/core/store/store';
import { goldenCatalog } from './api-helpers';

/** A small seeded generator, so that failures reproduce. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function pick<T>(next: () => number, values: readonly T[], max: number): T[] {
  const n = Math.floor(next() * (max + 1));
  return Array.from({ length: n }, () => values[Math.floor(next() * values.length)]);
}

const pairs = () => [...goldenCatalog().stores.entries()];

describe.each([...goldenCatalog().stores.keys()])('search over %s', (pair) => {
  const store = (): ReferStore => goldenCatalog().stores.get(pair)!;

  it('filters refs exactly as ReferStore.refRows does, for 300 random filters', () => {
    const s = store();
    const next = random(7);
    const imageIds = s.getImgIds();
    const catIds = [...new Set(s.loadRefs(s.getRefIds()).map((r) => r.category_id))];
    const refIds = s.getRefIds();
    for (let i = 0; i < 300; i++) {
      const q = {
        imageIds: pick(next, imageIds, 4),
        catIds: pick(next, catIds, 3),
        refIds: pick(next, refIds, 8),
        split: next() < 0.5 ? undefined : SPLIT_ARGUMENTS[Math.floor(next() * SPLIT_ARGUMENTS.length)],
      };
      expect(filterRefRows(s, q)).toEqual(s.refRows(q));
      expect(narrowRefRows(s, s.refRows({}), q).sort((a, b) => a - b)).toEqual(s.refRows(q).sort((a, b) => a - b));
    }
  });

  it('keeps recent ref filters, and keeps them apart', () => {
    const s = store();
    const testA = filterRefRows(s, { split: 'testA' });
    expect(filterRefRows(s, { split: 'testA' })).toBe(testA);
    expect(filterRefRows(s, { split: 'test' })).toEqual(s.refRows({ split: 'test' }));
    expect(filterRefRows(s, { split: 'testA', text: 'left' })).toEqual(narrowRefRows(s, s.refRows({ split: 'testA' }), { text: 'left' }));
    for (let i = 0; i < 100; i++) filterRefRows(s, { refIds: [i] });
    expect(filterRefRows(s, { split: 'testA' })).not.toBe(testA); // evicted after 64 others
    expect(filterRefRows(s, { split: 'testA' })).toEqual(testA);
  });

  it('refuses what the store refuses, with the same message', () => {
    const s = store();
    expect(() => filterRefRows(s, { split: 'testZ' })).toThrow(/valid splits: train, val, test, testA/);
    expect(() => filterRefRows(s, { imageIds: [424242] })).toThrow(/no image with id 424242/);
  });

  it('finds the sentences whose sent or raw holds every word of the text', () => {
    const s = store();
    const sentences = s.loadRefs(s.getRefIds()).flatMap((r) => r.sentences);
    const vocabulary = [...new Set(sentences.flatMap((x) => [...wordsOf(x.sent), ...wordsOf(x.raw)]))];
    const next = random(3);
    for (let i = 0; i < 50; i++) {
      const words = pick(next, vocabulary, 2);
      const text = words.join(i % 2 ? ' ' : ', ').toUpperCase();
      const expected = sentences.filter((x) => words.length > 0 && words.every((w) => wordsOf(x.sent).includes(w) || wordsOf(x.raw).includes(w))).map((x) => x.sent_id);
      expect(Array.from(sentenceRowsMatching(s, text), (row) => s.refs.sentId[row])).toEqual(expected);
      expect(Array.from(refRowsMatching(s, text))).toEqual([...new Set(Array.from(sentenceRowsMatching(s, text), (row) => s.refOfSentence[row]))]);
    }
  });

  it('counts per dataset, split and category as the REFER calls do', () => {
    const s = store();
    const counts = datasetCounts(s);
    expect(counts.refs).toBe(s.getRefIds().length);
    expect(counts.images).toBe(s.getImgIds().length);
    expect(counts.annotations).toBe(s.getAnnIds().length);
    expect(counts.categories).toBe(s.getCatIds().length);
    expect(counts.imagesWithRefs).toBe(s.getImgIds(s.getRefIds()).length);
    expect(counts.referredAnnotations).toBe(new Set(s.loadRefs(s.getRefIds()).map((r) => r.ann_id)).size);
    s.splitNames.forEach((label, i) => {
      const refs = s.loadRefs(s.getRefIds()).filter((r) => r.split === label);
      expect(splitCounts(s)[i]).toEqual({ refs: refs.length, sentences: refs.reduce((n, r) => n + r.sentences.length, 0), images: new Set(refs.map((r) => r.image_id)).size });
    });
    s.getCatIds().forEach((id, row) => {
      const anns = s.loadAnns(s.getAnnIds({ catIds: [id] }));
      expect(categoryCounts(s)[row]).toEqual({ refs: s.getRefIds({ catIds: [id] }).length, annotations: anns.length, images: new Set(anns.map((a) => a.image_id)).size });
    });
  });
});

it('covers every golden pair', () => {
  expect(pairs()).toHaveLength(7);
});
