/**
 * n-grams (n = 1..4) of tokenised sentences as dense integer ids, shared by BLEU and
 * CIDEr: building string keys for every n-gram of 20,000 sentences was most of their
 * time. A gram's id comes from its prefix gram's id and its last token's id; a sentence's
 * distinct grams are listed as coco-caption's precook inserts them into its dict (order
 * k = 1..4, then by position), because float sums over them follow that order.
 */

/** Token ids stay below 2**21 and gram ids below 2**31, so a key fits a double exactly. */
const TOKEN_LIMIT = 2 ** 21;

export interface SentenceGrams {
  /** Number of words (Python's str.split()). */
  words: number;
  /** Distinct grams in first-insertion order, with their order (1..4) and count. */
  ids: Int32Array;
  orders: Uint8Array;
  counts: Int32Array;
}

export class GramTable {
  private readonly tokenIds = new Map<string, number>();
  private readonly gramIds = new Map<number, number>();
  private countOf = new Int32Array(1024);
  private prefix = new Int32Array(64);

  /** Number of distinct grams seen so far; ids run from 1 to this. */
  get size(): number {
    return this.gramIds.size;
  }

  private tokenId(token: string): number {
    let id = this.tokenIds.get(token);
    if (id === undefined) {
      id = this.tokenIds.size;
      if (id >= TOKEN_LIMIT) throw new RangeError(`more than ${TOKEN_LIMIT} distinct words`);
      this.tokenIds.set(token, id);
    }
    return id;
  }

  private gramId(prefix: number, token: number): number {
    const key = prefix * TOKEN_LIMIT + token;
    let id = this.gramIds.get(key);
    if (id === undefined) {
      id = this.gramIds.size + 1;
      this.gramIds.set(key, id);
      if (id >= this.countOf.length) {
        const grown = new Int32Array(this.countOf.length * 2);
        grown.set(this.countOf);
        this.countOf = grown;
      }
    }
    return id;
  }

  /** The grams of a tokenised sentence (split on whitespace, as precook does). */
  sentence(text: string): SentenceGrams {
    const words = pythonSplit(text);
    const n = words.length;
    if (this.prefix.length < n) this.prefix = new Int32Array(n * 2);
    const tokens = Int32Array.from(words, (w) => this.tokenId(w));
    const prefix = this.prefix.fill(0, 0, n);
    // At most 4n - 6 grams; distinct ones are listed in first-insertion order.
    const capacity = Math.max(0, 4 * n);
    const ids = new Int32Array(capacity);
    const orders = new Uint8Array(capacity);
    let distinct = 0;
    for (let k = 0; k < 4 && k < n; k++) {
      // prefix[i] becomes the id of the (k+1)-gram starting at word i.
      for (let i = 0; i + k < n; i++) {
        const g = this.gramId(prefix[i], tokens[i + k]);
        prefix[i] = g;
        if (this.countOf[g]++ === 0) {
          ids[distinct] = g;
          orders[distinct++] = k + 1;
        }
      }
    }
    const counts = new Int32Array(distinct);
    for (let j = 0; j < distinct; j++) {
      counts[j] = this.countOf[ids[j]];
      this.countOf[ids[j]] = 0;
    }
    return { words: n, ids: ids.subarray(0, distinct), orders: orders.subarray(0, distinct), counts };
  }
}

/** Words of a tokenised sentence as Python's str.split() gives them. */
export function pythonSplit(s: string): string[] {
  // The tokenizer's output is single-spaced: the general split only for other text.
  if (s.length === 0) return [];
  if (!/\s\s|^\s|\s$|[\t\n\r\f\v]/.test(s)) return s.split(' ');
  return s.split(/\s+/).filter((w) => w.length > 0);
}
