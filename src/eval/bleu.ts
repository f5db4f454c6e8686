/**
 * coco-caption's Bleu(4) (bleu_scorer.py, option "closest"): per-ref scores and the
 * corpus score from summed counts, with the scorer's smoothing constants.
 */
import { gramOrder, ngramCounts, pythonSplit } from './ngrams';

const TINY = 1e-15;
const SMALL = 1e-9;

export interface BleuComps {
  testlen: number;
  reflen: number;
  guess: number[];
  correct: number[];
}

/** The counts of one hypothesis against its references. */
export function bleuComps(hyp: string, refs: readonly string[]): BleuComps {
  const maxCounts = new Map<string, number>();
  const refLens: number[] = [];
  for (const ref of refs) {
    const words = pythonSplit(ref);
    refLens.push(words.length);
    for (const [gram, c] of ngramCounts(words)) if (c > (maxCounts.get(gram) ?? 0)) maxCounts.set(gram, c);
  }
  const words = pythonSplit(hyp);
  const testlen = words.length;
  // closest: min over (|l - testlen|, l), so a tie takes the shorter reference.
  let reflen = refLens[0];
  for (const l of refLens) {
    const d = Math.abs(l - testlen);
    const best = Math.abs(reflen - testlen);
    if (d < best || (d === best && l < reflen)) reflen = l;
  }
  const guess = [0, 1, 2, 3].map((k) => Math.max(0, testlen - k));
  const correct = [0, 0, 0, 0];
  for (const [gram, c] of ngramCounts(words)) correct[gramOrder(gram) - 1] += Math.min(maxCounts.get(gram) ?? 0, c);
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
