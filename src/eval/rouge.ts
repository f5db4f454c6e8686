/** coco-caption's Rouge (ROUGE-L, β = 1.2): best precision and best recall over the references. */
import type { SentenceCorpus } from './ngrams';

const BETA = 1.2;

/** Scratch: one row of the LCS table, reused by every pair. */
let row = new Int32Array(64);

/** LCS length of a[aAt, aAt + aLen) and b[bAt, bAt + bLen) (token ids). */
function lcsLength(a: Int32Array, aAt: number, aLen: number, b: Int32Array, bAt: number, bLen: number): number {
  if (row.length <= bLen) row = new Int32Array((bLen + 1) * 2);
  row.fill(0, 0, bLen + 1);
  for (let i = 0; i < aLen; i++) {
    const ai = a[aAt + i];
    let diagonal = 0;
    for (let j = 1; j <= bLen; j++) {
      const up = row[j];
      row[j] = ai === b[bAt + j - 1] ? diagonal + 1 : Math.max(up, row[j - 1]);
      diagonal = up;
    }
  }
  return row[bLen];
}

/** ROUGE-L of hypothesis sentence `hyp` against reference sentences `refs` of the corpus. */
export function rougeL(corpus: SentenceCorpus, hyp: number, refs: readonly number[]): number {
  // str.split(" "): an empty sentence is one empty token, so no division by zero.
  const [c, cAt, cLen] = corpus.spaceWords(hyp);
  let pMax = -Infinity;
  let rMax = -Infinity;
  for (const ref of refs) {
    const [r, rAt, rLen] = corpus.spaceWords(ref);
    const lcs = lcsLength(r, rAt, rLen, c, cAt, cLen);
    pMax = Math.max(pMax, lcs / cLen);
    rMax = Math.max(rMax, lcs / rLen);
  }
  if (pMax === 0 || rMax === 0) return 0;
  return ((1 + BETA ** 2) * pMax * rMax) / (rMax + BETA ** 2 * pMax);
}
