/**
 * Browsing helpers over a ReferStore that REFER itself lacks: word search over sentences,
 * ref filters that combine REFER's with text and category names, and counts per split
 * and per category. Each derived index is built on first use and kept per store (stores
 * never change once loaded), so a server that is never asked a text query never pays
 * for the word index.
 */
import { stringAt } from './store/columns';
import { NotFoundError } from './errors';
import { allOf, groupMembers, type ReferStore, type RefQuery } from './store/store';

/** Lower-case words (letters and digits, any script): the unit of text search. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Per-store memo: derived indexes are computed once, on first use. */
function memo<T>(build: (store: ReferStore) => T): (store: ReferStore) => T {
  const cache = new WeakMap<ReferStore, T>();
  return (store) => {
    let value = cache.get(store);
    if (value === undefined) {
      value = build(store);
      cache.set(store, value);
    }
    return value;
  };
}

/** Word → ascending sentence rows whose `sent` or `raw` contains that word. */
const wordIndex = memo((store: ReferStore): Map<string, Int32Array> => {
  const { refs } = store;
  const lists = new Map<string, number[]>();
  for (let s = 0; s < refs.sentId.length; s++) {
    for (const word of new Set([...wordsOf(stringAt(refs.sent, s)), ...wordsOf(stringAt(refs.raw, s))])) {
      let list = lists.get(word);
      if (!list) lists.set(word, (list = []));
      list.push(s);
    }
  }
  return new Map([...lists].map(([word, rows]) => [word, Int32Array.from(rows)]));
});

/**
 * Sentence rows (ascending) in which every word of `text` occurs as a whole word, case
 * insensitive, in the normalised `sent` or the annotator's `raw`: "man left" finds "the
 * man on the left" but not "woman". Text without any word matches nothing.
 */
export function sentenceRowsMatching(store: ReferStore, text: string): Int32Array {
  const words = [...new Set(wordsOf(text))];
  if (words.length === 0) return new Int32Array(0);
  const index = wordIndex(store);
  const lists = words.map((w) => index.get(w) ?? new Int32Array(0)).sort((a, b) => a.length - b.length);
  return lists.slice(1).reduce(intersectSorted, lists[0]);
}

/** Rows in both ascending lists (a merge walk: no sets, linear in the two lengths). */
function intersectSorted(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let n = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else {
      out[n++] = a[i];
      i++;
      j++;
    }
  }
  return out.subarray(0, n);
}

/** Ref rows (ascending) with at least one sentence matching `text`. */
export function refRowsMatching(store: ReferStore, text: string): Int32Array {
  const rows: number[] = [];
  // Sentence rows are grouped by ref in ref order, so their refs come out sorted.
  for (const s of sentenceRowsMatching(store, text)) {
    const ref = store.refOfSentence[s];
    if (rows[rows.length - 1] !== ref) rows.push(ref);
  }
  return Int32Array.from(rows);
}

/** Category ids for category names (exact, case insensitive); unknown names are an error. */
export function categoryIdsByName(store: ReferStore, names: readonly string[]): number[] {
  const { categories } = store.instances.tables;
  return names.map((name) => {
    const row = categories.name.findIndex((n) => n.toLowerCase() === name.toLowerCase());
    if (row < 0) throw new NotFoundError(`${store.name}: no category named "${name}"; valid names: ${categories.name.join(', ')}`);
    return categories.id[row];
  });
}

/** REFER's getRefIds filters plus browsing filters; all given filters must hold. */
export interface RefFilter extends RefQuery {
  /** Exact split label (getRefIds' `split` lets testA match testAB; this does not). */
  splitLabel?: string;
  /** Word search over the ref's sentences (see sentenceRowsMatching). */
  text?: string;
}

export function hasRefFilter(f: RefFilter): boolean {
  return !!(f.imageIds?.length || f.catIds?.length || f.refIds?.length || f.split || f.splitLabel !== undefined || f.text !== undefined);
}

/** Recent filter results per store: REFER answers never change, and clients repeat them. */
const RECENT_FILTERS = 64;
/** Filters naming more ids than this are not kept (their key alone would be large). */
const MAX_IDS_TO_KEEP = 256;
const recentRefFilters = memo((_store: ReferStore) => new Map<string, readonly number[]>());

/**
 * Ref rows matching the filter, in REFER's order (that of ReferStore.refRows: file order,
 * or image by image in the order given). The result is shared: do not modify it.
 */
export function filterRefRows(store: ReferStore, f: RefFilter): readonly number[] {
  const idCount = (f.imageIds?.length ?? 0) + (f.catIds?.length ?? 0) + (f.refIds?.length ?? 0);
  if (idCount > MAX_IDS_TO_KEEP) return computeRefRows(store, f);
  const key = JSON.stringify([f.imageIds ?? [], f.catIds ?? [], f.refIds ?? [], f.split ?? '', f.splitLabel ?? null, f.text ?? null]);
  const recent = recentRefFilters(store);
  let rows = recent.get(key);
  if (rows) {
    recent.delete(key); // most recently used goes last
  } else {
    rows = computeRefRows(store, f);
    if (recent.size >= RECENT_FILTERS) recent.delete(recent.keys().next().value!);
  }
  recent.set(key, rows);
  return rows;
}

/** filterRefRows without the memory. */
function computeRefRows(store: ReferStore, f: RefFilter): number[] {
  return store.refRows(f, browsingTest(store, f) ?? undefined);
}

/**
 * The rows among `rows` (kept in their order) that match the filter: for lists that are
 * already narrowed by an index, such as the refs of one category.
 */
export function narrowRefRows(store: ReferStore, rows: ArrayLike<number>, f: RefFilter): number[] {
  const keep = refPredicate(store, f);
  const images = f.imageIds?.length ? new Set(f.imageIds.map((id) => store.imageRow(id))) : undefined;
  const kept: number[] = [];
  for (let i = 0; i < rows.length; i++) if (keep(rows[i]) && (!images || images.has(store.refs.imageRow[rows[i]]))) kept.push(rows[i]);
  return kept;
}

/** Every filter but imageIds (which decides the order) as one test of a ref row. */
function refPredicate(store: ReferStore, f: RefFilter): (row: number) => boolean {
  return allOf([store.refTest(f), browsingTest(store, f)]) ?? (() => true);
}

/** The filters REFER lacks (exact split label, text) as one test; null for none. */
function browsingTest(store: ReferStore, f: RefFilter): ((row: number) => boolean) | null {
  const { refs } = store;
  const tests: ((row: number) => boolean)[] = [];
  if (f.splitLabel !== undefined) {
    const label = splitLabelIndex(store, f.splitLabel);
    tests.push((r) => refs.split[r] === label);
  }
  if (f.text !== undefined) {
    const matching = new Uint8Array(store.refCount);
    for (const r of refRowsMatching(store, f.text)) matching[r] = 1;
    tests.push((r) => matching[r] === 1);
  }
  return allOf(tests);
}

/** Index of a split label in store.splitNames; unknown labels are an error. */
export function splitLabelIndex(store: ReferStore, label: string): number {
  const index = store.splitNames.indexOf(label);
  if (index < 0) throw new NotFoundError(`${store.name}: no split labelled "${label}"; labels in this data: ${store.splitNames.join(', ')}`);
  return index;
}

/** Sentence rows of the given refs, in ref order; with `text`, only the matching ones. */
export function sentenceRowsOf(store: ReferStore, refRows: ArrayLike<number>, text?: string): number[] {
  const { sentStart } = store.refs;
  const rows: number[] = [];
  for (let i = 0; i < refRows.length; i++) for (let s = sentStart[refRows[i]]; s < sentStart[refRows[i] + 1]; s++) rows.push(s);
  if (text === undefined) return rows;
  const matching = new Set(sentenceRowsMatching(store, text));
  return rows.filter((s) => matching.has(s));
}

/** 0 .. count-1, for unfiltered lists. */
export function allRows(count: number): number[] {
  const rows = new Array<number>(count);
  for (let i = 0; i < count; i++) rows[i] = i;
  return rows;
}

/** Image rows (file order) that have at least one of the given refs. */
export function imageRowsOf(store: ReferStore, refRows: readonly number[]): number[] {
  const has = new Uint8Array(store.instances.tables.images.id.length);
  for (const r of refRows) has[store.refs.imageRow[r]] = 1;
  const rows: number[] = [];
  for (let i = 0; i < has.length; i++) if (has[i]) rows.push(i);
  return rows;
}

/** Annotation rows (file order) that the given refs point at. */
export function annotationRowsOf(store: ReferStore, refRows: readonly number[]): number[] {
  const has = new Uint8Array(store.instances.annotationCount);
  for (const r of refRows) has[store.refs.annRow[r]] = 1;
  const rows: number[] = [];
  for (let a = 0; a < has.length; a++) if (has[a]) rows.push(a);
  return rows;
}

export interface DatasetCounts {
  refs: number;
  sentences: number;
  images: number;
  annotations: number;
  categories: number;
  /** Images with at least one ref of this dataset/splitBy. */
  imagesWithRefs: number;
  /** Annotations that at least one ref points at. */
  referredAnnotations: number;
}

export const datasetCounts = memo((store: ReferStore): DatasetCounts => {
  const { refsByImage, refsByAnn } = store;
  const nonEmpty = (g: { start: Int32Array }) => {
    let n = 0;
    for (let i = 0; i + 1 < g.start.length; i++) if (g.start[i + 1] > g.start[i]) n++;
    return n;
  };
  return {
    refs: store.refCount,
    sentences: store.refs.sentId.length,
    images: store.instances.tables.images.id.length,
    annotations: store.instances.annotationCount,
    categories: store.instances.tables.categories.id.length,
    imagesWithRefs: nonEmpty(refsByImage),
    referredAnnotations: nonEmpty(refsByAnn),
  };
});

export interface SplitCounts {
  refs: number;
  sentences: number;
  /** Distinct images of the split's refs. */
  images: number;
}

/** Counts per split label, in the order of store.splitNames. */
export const splitCounts = memo((store: ReferStore): SplitCounts[] => {
  const { refs } = store;
  const counts = store.splitNames.map(() => ({ refs: 0, sentences: 0, images: 0 }));
  const imagesSeen = store.splitNames.map(() => new Set<number>());
  for (let r = 0; r < refs.refId.length; r++) {
    const c = counts[refs.split[r]];
    c.refs++;
    c.sentences += refs.sentStart[r + 1] - refs.sentStart[r];
    imagesSeen[refs.split[r]].add(refs.imageRow[r]);
  }
  counts.forEach((c, i) => (c.images = imagesSeen[i].size));
  return counts;
});

export interface CategoryCounts {
  refs: number;
  annotations: number;
  /** Images with at least one annotation of the category. */
  images: number;
}

/** Counts per category row. */
export const categoryCounts = memo((store: ReferStore): CategoryCounts[] => {
  const { categories, annotations } = store.instances.tables;
  const counts = Array.from(categories.id, () => ({ refs: 0, annotations: 0, images: 0 }));
  const rowOfId = store.instances.categoryRowById;
  const imagesSeen = Array.from(categories.id, () => new Set<number>());
  for (let a = 0; a < annotations.categoryId.length; a++) {
    const c = rowOfId.get(annotations.categoryId[a]);
    if (c === undefined) continue;
    counts[c].annotations++;
    imagesSeen[c].add(annotations.imageRow[a]);
  }
  counts.forEach((c, i) => {
    c.refs = groupMembers(store.refsByCategory, i).length;
    c.images = imagesSeen[i].size;
  });
  return counts;
});
