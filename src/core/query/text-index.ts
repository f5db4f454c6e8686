/**
 * Word search over sentences: a word index built on first use per store, so a server
 * that is never asked a text query never pays for it.
 */
import { stringAt } from '../store/columns';
import type { ReferStore } from '../store/store';
import { memo } from './per-store';

/** Lower-case words (letters and digits, any script): the unit of text search. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
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
