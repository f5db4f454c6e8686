/**
 * coco-caption's Cider (cider_scorer.py, really CIDEr-D): tf-idf n-gram vectors with the
 * document frequencies of the references scored together, clipped similarity, a length
 * penalty on bigram counts (σ = 6), mean over orders / number of references × 10.
 */
import type { GramTable, SentenceGrams } from './ngrams';

const SIGMA = 6;

interface Vector {
  grams: SentenceGrams;
  weights: Float64Array;
  norms: number[];
  /** Bigram count: coco-caption's "length". */
  length: number;
}

export interface CiderResult {
  scores: number[];
  numRefs: number;
  logNumRefs: number;
}

function toVector(grams: SentenceGrams, logDf: Float64Array, logN: number): Vector {
  const weights = new Float64Array(grams.ids.length);
  const squares = [0, 0, 0, 0];
  let length = 0;
  for (let j = 0; j < grams.ids.length; j++) {
    const n = grams.orders[j] - 1;
    const w = grams.counts[j] * (logN - logDf[grams.ids[j]]);
    weights[j] = w;
    squares[n] += w ** 2;
    if (n === 1) length += grams.counts[j];
  }
  return { grams, weights, norms: squares.map(Math.sqrt), length };
}

/** Scratch: a reference sentence's weight by gram id (0 where absent). */
let refWeight = new Float64Array(1024);

function similarity(hyp: Vector, ref: Vector, val: number[]): void {
  const delta = hyp.length - ref.length;
  const r = ref.grams;
  for (let j = 0; j < r.ids.length; j++) refWeight[r.ids[j]] = ref.weights[j];
  const sums = [0, 0, 0, 0];
  const h = hyp.grams;
  for (let j = 0; j < h.ids.length; j++) {
    const w = refWeight[h.ids[j]];
    sums[h.orders[j] - 1] += Math.min(hyp.weights[j], w) * w;
  }
  for (let j = 0; j < r.ids.length; j++) refWeight[r.ids[j]] = 0;
  const penalty = Math.E ** (-(delta ** 2) / (2 * SIGMA ** 2));
  for (let n = 0; n < 4; n++) {
    let v = sums[n];
    if (hyp.norms[n] !== 0 && ref.norms[n] !== 0) v /= hyp.norms[n] * ref.norms[n];
    val[n] += v * penalty;
  }
}

/** CIDEr of each hypothesis against its references; the IDF is over these refs only. */
export function ciderScores(table: GramTable, hyps: readonly SentenceGrams[], refsOf: readonly (readonly SentenceGrams[])[]): CiderResult {
  const size = table.size + 1;
  if (refWeight.length < size) refWeight = new Float64Array(Math.max(size, refWeight.length * 2));
  const df = new Int32Array(size);
  const seenIn = new Int32Array(size).fill(-1);
  refsOf.forEach((refs, i) => {
    for (const ref of refs) for (const g of ref.ids) if (seenIn[g] !== i) { seenIn[g] = i; df[g]++; }
  });
  const logDf = new Float64Array(size);
  for (let g = 0; g < size; g++) logDf[g] = Math.log(Math.max(1, df[g]));
  const numRefs = hyps.length;
  const logN = Math.log(numRefs);
  const scores = hyps.map((hypGrams, i) => {
    const hyp = toVector(hypGrams, logDf, logN);
    const sum = [0, 0, 0, 0];
    for (const ref of refsOf[i]) similarity(hyp, toVector(ref, logDf, logN), sum);
    // np.mean of four numbers: left to right from 0.
    const mean = (0 + sum[0] + sum[1] + sum[2] + sum[3]) / 4;
    return (mean / refsOf[i].length) * 10;
  });
  return { scores, numRefs, logNumRefs: logN };
}
