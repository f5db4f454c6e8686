/**
 * Ref filters that combine REFER's getRefIds arguments with what REFER lacks (exact
 * split labels, word search, category names), and the row lists the browsing lists are
 * made of. Recent filter results are kept per store.
 */
import { NotFoundError } from '../errors';
import { allOf, type ReferStore, type RefQuery } from '../store/store';
import { memo } from './per-store';
import { refRowsMatching, sentenceRowsMatching } from './text-index';

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
  for (const r of refRows) for (const a of store.annotationsOfRef(r)) has[a] = 1;
  const rows: number[] = [];
  for (let a = 0; a < has.length; a++) if (has[a]) rows.push(a);
  return rows;
}
