/**
 * coco-caption's Cider (cider_scorer.py, really CIDEr-D): tf-idf n-gram vectors with the
 * document frequencies of the references scored together, clipped similarity, a length
 * penalty on bigram counts (σ = 6), mean over orders / number of references × 10.
 */
import { gramOrder, ngramCounts, pythonSplit } from './ngrams';

const SIGMA = 6;

interface Vector {
  weights: Map<string, number>[];
  norms: number[];
  length: number;
}

export interface CiderResult {
  scores: number[];
  numRefs: number;
  logNumRefs: number;
}

function toVector(counts: Map<string, number>, df: Map<string, number>, logN: number): Vector {
  const weights = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  const squares = [0, 0, 0, 0];
  let length = 0;
  for (const [gram, tf] of counts) {
    const n = gramOrder(gram) - 1;
    const w = tf * (logN - Math.log(Math.max(1, df.get(gram) ?? 0)));
    weights[n].set(gram, w);
    squares[n] += w ** 2;
    if (n === 1) length += tf;
  }
  return { weights, norms: squares.map(Math.sqrt), length };
}

function similarity(hyp: Vector, ref: Vector): number[] {
  const delta = hyp.length - ref.length;
  const val = [0, 0, 0, 0];
  for (let n = 0; n < 4; n++) {
    for (const [gram, w] of hyp.weights[n]) {
      const r = ref.weights[n].get(gram) ?? 0;
      val[n] += Math.min(w, r) * r;
    }
    if (hyp.norms[n] !== 0 && ref.norms[n] !== 0) val[n] /= hyp.norms[n] * ref.norms[n];
    val[n] *= Math.E ** (-(delta ** 2) / (2 * SIGMA ** 2));
  }
  return val;
}

/** CIDEr of each hypothesis against its references; the IDF is over these refs only. */
export function ciderScores(hyps: readonly string[], refsOf: readonly (readonly string[])[]): CiderResult {
  const hypCounts = hyps.map((h) => ngramCounts(pythonSplit(h)));
  const refCounts = refsOf.map((refs) => refs.map((r) => ngramCounts(pythonSplit(r))));
  const df = new Map<string, number>();
  for (const refs of refCounts) {
    const seen = new Set<string>();
    for (const counts of refs) for (const gram of counts.keys()) seen.add(gram);
    for (const gram of seen) df.set(gram, (df.get(gram) ?? 0) + 1);
  }
  const numRefs = hyps.length;
  const logN = Math.log(numRefs);
  const scores = hypCounts.map((counts, i) => {
    const hyp = toVector(counts, df, logN);
    const sum = [0, 0, 0, 0];
    for (const refCount of refCounts[i]) {
      const val = similarity(hyp, toVector(refCount, df, logN));
      for (let n = 0; n < 4; n++) sum[n] += val[n];
    }
    // np.mean of four numbers: left to right from 0.
    const mean = (0 + sum[0] + sum[1] + sum[2] + sum[3]) / 4;
    return (mean / refCounts[i].length) * 10;
  });
  return { scores, numRefs, logNumRefs: logN };
}

