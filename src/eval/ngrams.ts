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
    const tokens = pythonSplit(text).map((w) => this.tokenId(w));
    const n = tokens.length;
    // byOrder[k][i]: id of the (k+1)-gram starting at word i.
    const ids: number[] = [];
    const orders: number[] = [];
    let previous = tokens.map(() => 0);
    for (let k = 0; k < 4 && k < n; k++) {
      const current: number[] = [];
      for (let i = 0; i + k < n; i++) {
        const g = this.gramId(previous[i], tokens[i + k]);
        current.push(g);
        if (this.countOf[g]++ === 0) {
          ids.push(g);
          orders.push(k + 1);
        }
      }
      previous = current;
    }
    const counts = Int32Array.from(ids, (g) => this.countOf[g]);
    for (const g of ids) this.countOf[g] = 0;
    return { words: n, ids: Int32Array.from(ids), orders: Uint8Array.from(orders), counts };
  }
}

/** Words of a tokenised sentence as Python's str.split() gives them. */
export function pythonSplit(s: string): string[] {
  return s.split(/\s+/).filter((w) => w.length > 0);
}
