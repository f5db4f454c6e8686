/**
 * The tokenised sentences of one scoring run as integer arrays, shared by BLEU, ROUGE-L
 * and CIDEr: tokens interned to ids once, n-grams (n = 1..4) as dense ids from a hash
 * table of (prefix gram id, token id) pairs, and every sentence's distinct grams in one
 * pooled array. Strings, per-gram keys and per-sentence arrays were most of the scorers'
 * time, a third of it garbage collection.
 *
 * A sentence's distinct grams are listed as coco-caption's precook inserts them into its
 * dict (order k = 1..4, then by position), because float sums over them follow that order.
 */

/** Slots of the gram hash table per gram at most (a load of at most 1/2). */
const GRAM_SLOTS_PER_GRAM = 2;

/** A growable pool of int32 (or uint8) values. */
function grown<T extends Int32Array | Uint8Array>(a: T, needed: number): T {
  if (needed <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(needed, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Gram ids keyed by (prefix, token): open addressing in typed arrays. Prefix 0 is the
 * empty prefix (unigrams); ids run from 1.
 */
class GramIds {
  private prefixes = new Int32Array(1 << 12);
  private tokens = new Int32Array(1 << 12);
  private ids = new Int32Array(1 << 12);
  size = 0;

  idOf(prefix: number, token: number): number {
    if ((this.size + 1) * GRAM_SLOTS_PER_GRAM > this.ids.length) this.rehash();
    const mask = this.ids.length - 1;
    let slot = (Math.imul(prefix, 0x9e3779b1) ^ Math.imul(token, 0x85ebca6b)) >>> 0;
    slot = (slot ^ (slot >>> 15)) & mask;
    for (;;) {
      const id = this.ids[slot];
      if (id === 0) break;
      if (this.prefixes[slot] === prefix && this.tokens[slot] === token) return id;
      slot = (slot + 1) & mask;
    }
    this.prefixes[slot] = prefix;
    this.tokens[slot] = token;
    return (this.ids[slot] = ++this.size);
  }

  private rehash(): void {
    const { prefixes, tokens, ids } = this;
    this.prefixes = new Int32Array(ids.length * 2);
    this.tokens = new Int32Array(ids.length * 2);
    this.ids = new Int32Array(ids.length * 2);
    const mask = this.ids.length - 1;
    for (let old = 0; old < ids.length; old++) {
      if (ids[old] === 0) continue;
      let slot = (Math.imul(prefixes[old], 0x9e3779b1) ^ Math.imul(tokens[old], 0x85ebca6b)) >>> 0;
      slot = (slot ^ (slot >>> 15)) & mask;
      while (this.ids[slot] !== 0) slot = (slot + 1) & mask;
      this.prefixes[slot] = prefixes[old];
      this.tokens[slot] = tokens[old];
      this.ids[slot] = ids[old];
    }
  }
}

/** Sentences by index: their words, tokens and distinct grams, in pooled arrays. */
export class SentenceCorpus {
  private readonly tokenIds = new Map<string, number>();
  private readonly grams = new GramIds();
  /** Count of each gram in the sentence being added (scratch, zero between sentences). */
  private countOf = new Int32Array(1 << 12);
  private prefix = new Int32Array(64);

  /** Sentence s's distinct grams are gramId/gramOrder/gramCount[gramStart[s] .. gramStart[s + 1]). */
  gramId = new Int32Array(1 << 14);
  gramOrder = new Uint8Array(1 << 14);
  gramCount = new Int32Array(1 << 14);
  gramStart = new Int32Array(1 << 10);
  /** Sentence s's tokens (Python's str.split()) are token[tokenStart[s] .. tokenStart[s + 1]). */
  token = new Int32Array(1 << 14);
  tokenStart = new Int32Array(1 << 10);
  /**
   * Sentence s's words as str.split(" ") gives them (ROUGE-L's split), where that differs
   * from str.split(): "" is one empty word, and double spaces make empty words.
   */
  private readonly spaceSplit = new Map<number, Int32Array>();
  size = 0;

  /** Number of distinct grams seen so far; gram ids run from 1 to this. */
  get gramCountTotal(): number {
    return this.grams.size;
  }

  private tokenId(token: string): number {
    let id = this.tokenIds.get(token);
    if (id === undefined) this.tokenIds.set(token, (id = this.tokenIds.size));
    return id;
  }

  /** Adds a tokenised sentence; returns its index. */
  add(text: string): number {
    const s = this.size++;
    this.gramStart = grown(this.gramStart, s + 2);
    this.tokenStart = grown(this.tokenStart, s + 2);
    const singleSpaced = isSingleSpaced(text);
    const words = singleSpaced ? text.split(' ') : pythonSplit(text);
    const n = words.length;
    const t0 = this.tokenStart[s];
    this.token = grown(this.token, t0 + n);
    for (let i = 0; i < n; i++) this.token[t0 + i] = this.tokenId(words[i]);
    this.tokenStart[s + 1] = t0 + n;
    if (!singleSpaced) this.spaceSplit.set(s, Int32Array.from(text.split(' '), (w) => this.tokenId(w)));
    this.addGrams(s, t0, n);
    return s;
  }

  private addGrams(s: number, t0: number, n: number): void {
    if (this.prefix.length < n) this.prefix = new Int32Array(n * 2);
    const prefix = this.prefix.fill(0, 0, n);
    const g0 = this.gramStart[s];
    // At most 4n grams; distinct ones are listed in first-insertion order.
    this.gramId = grown(this.gramId, g0 + 4 * n);
    this.gramOrder = grown(this.gramOrder, g0 + 4 * n);
    this.gramCount = grown(this.gramCount, g0 + 4 * n);
    let end = g0;
    for (let k = 0; k < 4 && k < n; k++) {
      // prefix[i] becomes the id of the (k+1)-gram starting at word i.
      for (let i = 0; i + k < n; i++) {
        const g = this.grams.idOf(prefix[i], this.token[t0 + i + k]);
        prefix[i] = g;
        if (g >= this.countOf.length) this.countOf = grown(this.countOf, g + 1);
        if (this.countOf[g]++ === 0) {
          this.gramId[end] = g;
          this.gramOrder[end++] = k + 1;
        }
      }
    }
    for (let j = g0; j < end; j++) {
      this.gramCount[j] = this.countOf[this.gramId[j]];
      this.countOf[this.gramId[j]] = 0;
    }
    this.gramStart[s + 1] = end;
  }

  /** Number of words (str.split()). */
  words(s: number): number {
    return this.tokenStart[s + 1] - this.tokenStart[s];
  }

  /** ROUGE-L's words of sentence s (str.split(" ")) as token ids: [array, start, length]. */
  spaceWords(s: number): [Int32Array, number, number] {
    const own = this.spaceSplit.get(s);
    if (own) return [own, 0, own.length];
    return [this.token, this.tokenStart[s], this.tokenStart[s + 1] - this.tokenStart[s]];
  }
}

/** Words separated by single spaces, none at the ends: then str.split() and str.split(" ") agree. */
function isSingleSpaced(s: string): boolean {
  return s.length > 0 && !/\s\s|^\s|\s$|[\t\n\r\f\v]/.test(s);
}

/** Words of a tokenised sentence as Python's str.split() gives them. */
function pythonSplit(s: string): string[] {
  // The tokenizer's output is single-spaced: the general split only for other text.
  if (isSingleSpaced(s)) return s.split(' ');
  return s.split(/\s+/).filter((w) => w.length > 0);
}
