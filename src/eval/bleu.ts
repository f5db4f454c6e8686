/**
 * coco-caption's Bleu(4) (bleu_scorer.py, option "closest"): per-ref scores and the
 * corpus score from summed counts, with the scorer's smoothing constants.
 */
import type { GramTable, SentenceGrams } from './ngrams';

const TINY = 1e-15;
const SMALL = 1e-9;

export interface BleuComps {
  testlen: number;
  reflen: number;
  guess: number[];
  correct: number[];
}

/** Scratch: the highest count of each gram over one ref's sentences. */
let maxCount = new Int32Array(1024);

/** The counts of one hypothesis against its references. */
export function bleuComps(table: GramTable, hyp: SentenceGrams, refs: readonly SentenceGrams[]): BleuComps {
  if (maxCount.length <= table.size) maxCount = new Int32Array(Math.max(table.size + 1, maxCount.length * 2));
  for (const ref of refs) for (let j = 0; j < ref.ids.length; j++) if (ref.counts[j] > maxCount[ref.ids[j]]) maxCount[ref.ids[j]] = ref.counts[j];
  const testlen = hyp.words;
  // closest: min over (|l - testlen|, l), so a tie takes the shorter reference.
  let reflen = refs[0].words;
  for (const ref of refs) {
    const l = ref.words;
    const d = Math.abs(l - testlen);
    const best = Math.abs(reflen - testlen);
    if (d < best || (d === best && l < reflen)) reflen = l;
  }
  const guess = [0, 1, 2, 3].map((k) => Math.max(0, testlen - k));
  const correct = [0, 0, 0, 0];
  for (let j = 0; j < hyp.ids.length; j++) correct[hyp.orders[j] - 1] += Math.min(maxCount[hyp.ids[j]], hyp.counts[j]);
  for (const ref of refs) for (const g of ref.ids) maxCount[g] = 0;
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
