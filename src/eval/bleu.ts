/**
 * coco-caption's Bleu(4) (bleu_scorer.py, option "closest"): per-ref scores and the
 * corpus score from summed counts, with the scorer's smoothing constants.
 */
import type { SentenceCorpus } from './ngrams';

const TINY = 1e-15;
const SMALL = 1e-9;

export interface BleuComps {
  testlen: number;
  reflen: number;
  guess: number[];
  correct: number[];
}

/** Scratch: the highest count of each gram over one ref's sentences (zero between calls). */
let maxCount = new Int32Array(1024);

/** The counts of hypothesis sentence `hyp` against reference sentences `refs` of the corpus. */
export function bleuComps(corpus: SentenceCorpus, hyp: number, refs: readonly number[]): BleuComps {
  if (maxCount.length <= corpus.gramCountTotal) maxCount = new Int32Array(Math.max(corpus.gramCountTotal + 1, maxCount.length * 2));
  const { gramId, gramOrder, gramCount, gramStart } = corpus;
  for (const ref of refs) {
    for (let j = gramStart[ref]; j < gramStart[ref + 1]; j++) if (gramCount[j] > maxCount[gramId[j]]) maxCount[gramId[j]] = gramCount[j];
  }
  const testlen = corpus.words(hyp);
  // closest: min over (|l - testlen|, l), so a tie takes the shorter reference.
  let reflen = corpus.words(refs[0]);
  for (const ref of refs) {
    const l = corpus.words(ref);
    const d = Math.abs(l - testlen);
    const best = Math.abs(reflen - testlen);
    if (d < best || (d === best && l < reflen)) reflen = l;
  }
  const guess = [Math.max(0, testlen), Math.max(0, testlen - 1), Math.max(0, testlen - 2), Math.max(0, testlen - 3)];
  const correct = [0, 0, 0, 0];
  for (let j = gramStart[hyp]; j < gramStart[hyp + 1]; j++) correct[gramOrder[j] - 1] += Math.min(maxCount[gramId[j]], gramCount[j]);
  for (const ref of refs) for (let j = gramStart[ref]; j < gramStart[ref + 1]; j++) maxCount[gramId[j]] = 0;
  return { testlen, reflen, guess, correct };
}

/** Bleu_1..4 of one set of counts (a ref's, or the corpus totals). */
export function bleuScores(c: BleuComps): number[] {
  const scores: number[] = [];
  let p = 1;
  for (let k = 0; k < 4; k++) {
    p *= (c.correct[k] + TINY) / (c.guess[k] + SMALL);
    scores.push(p ** (1 / (k + 1)));
  }
  const ratio = (c.testlen + TINY) / (c.reflen + SMALL);
  if (ratio < 1) for (let k = 0; k < 4; k++) scores[k] *= Math.exp(1 - 1 / ratio);
  return scores;
}

export function bleuTotals(all: readonly BleuComps[]): BleuComps {
  const t: BleuComps = { testlen: 0, reflen: 0, guess: [0, 0, 0, 0], correct: [0, 0, 0, 0] };
  for (const c of all) {
    t.testlen += c.testlen;
    t.reflen += c.reflen;
    for (let k = 0; k < 4; k++) {
      t.guess[k] += c.guess[k];
      t.correct[k] += c.correct[k];
    }
  }
  return t;
}
