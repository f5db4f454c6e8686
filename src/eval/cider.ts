/**
 * coco-caption's Cider (cider_scorer.py, really CIDEr-D): tf-idf n-gram vectors with the
 * document frequencies of the references scored together, clipped similarity, a length
 * penalty on bigram counts (σ = 6), mean over orders / number of references × 10.
 *
 * The vectors are sparse and pooled: a sentence's weights sit beside its grams in the
 * corpus's gram pool (one Float64Array for all), its four norms in another.
 */
import type { SentenceCorpus } from './ngrams';
import type { Steps } from './steps';

const SIGMA = 6;

/** Hypotheses scored between two progress reports. */
const CIDER_STEP = 512;

export interface CiderResult {
  scores: number[];
  numRefs: number;
  logNumRefs: number;
}

/** Scratch: a reference sentence's weight by gram id (0 where absent). */
let refWeight = new Float64Array(1024);

/** Weights, norms and bigram counts ("length") of the corpus's sentences. */
class Vectors {
  readonly weight: Float64Array;
  readonly norm: Float64Array;
  readonly length: Int32Array;

  constructor(corpus: SentenceCorpus) {
    this.weight = new Float64Array(corpus.gramStart[corpus.size]);
    this.norm = new Float64Array(corpus.size * 4);
    this.length = new Int32Array(corpus.size);
  }

  compute(corpus: SentenceCorpus, logDf: Float64Array, logN: number, s: number): void {
    const { gramId, gramOrder, gramCount, gramStart } = corpus;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let length = 0;
    for (let j = gramStart[s]; j < gramStart[s + 1]; j++) {
      const n = gramOrder[j] - 1;
      const w = gramCount[j] * (logN - logDf[gramId[j]]);
      this.weight[j] = w;
      const square = w ** 2;
      if (n === 0) s0 += square;
      else if (n === 1) {
        s1 += square;
        length += gramCount[j];
      } else if (n === 2) s2 += square;
      else s3 += square;
    }
    const at = s * 4;
    this.norm[at] = Math.sqrt(s0);
    this.norm[at + 1] = Math.sqrt(s1);
    this.norm[at + 2] = Math.sqrt(s2);
    this.norm[at + 3] = Math.sqrt(s3);
    this.length[s] = length;
  }
}

/** Scratch: the four order sums of one similarity. */
const sums = new Float64Array(4);

/** Adds the similarity of hypothesis `h` and reference `r` per order to `val`. */
function similarity(corpus: SentenceCorpus, v: Vectors, h: number, r: number, val: Float64Array): void {
  const { gramId, gramOrder, gramStart } = corpus;
  const weight = v.weight;
  const delta = v.length[h] - v.length[r];
  for (let j = gramStart[r]; j < gramStart[r + 1]; j++) refWeight[gramId[j]] = weight[j];
  sums.fill(0);
  for (let j = gramStart[h]; j < gramStart[h + 1]; j++) {
    const w = refWeight[gramId[j]];
    sums[gramOrder[j] - 1] += Math.min(weight[j], w) * w;
  }
  for (let j = gramStart[r]; j < gramStart[r + 1]; j++) refWeight[gramId[j]] = 0;
  const penalty = Math.E ** (-(delta ** 2) / (2 * SIGMA ** 2));
  const norm = v.norm;
  for (let n = 0; n < 4; n++) {
    let x = sums[n];
    const nh = norm[h * 4 + n];
    const nr = norm[r * 4 + n];
    if (nh !== 0 && nr !== 0) x /= nh * nr;
    val[n] += x * penalty;
  }
}

/** CIDEr of each hypothesis sentence against its reference sentences; the IDF is over these refs only. */
export function* ciderSteps(corpus: SentenceCorpus, hyps: readonly number[], refsOf: readonly (readonly number[])[]): Steps<CiderResult> {
  const size = corpus.gramCountTotal + 1;
  if (refWeight.length < size) refWeight = new Float64Array(Math.max(size, refWeight.length * 2));
  const { gramId, gramStart } = corpus;
  const df = new Int32Array(size);
  const seenIn = new Int32Array(size).fill(-1);
  for (let i = 0; i < refsOf.length; i++) {
    for (const ref of refsOf[i]) {
      for (let j = gramStart[ref]; j < gramStart[ref + 1]; j++) {
        const g = gramId[j];
        if (seenIn[g] !== i) {
          seenIn[g] = i;
          df[g]++;
        }
      }
    }
  }
  yield { stage: 'scoring', done: 0, total: hyps.length };
  const logDf = new Float64Array(size);
  for (let g = 0; g < size; g++) logDf[g] = Math.log(Math.max(1, df[g]));
  const numRefs = hyps.length;
  const logN = Math.log(numRefs);
  // Every sentence of the corpus is a hypothesis or a reference of the refs scored.
  const vectors = new Vectors(corpus);
  for (let s = 0; s < corpus.size; s++) {
    vectors.compute(corpus, logDf, logN, s);
    if (s % (4 * CIDER_STEP) === 4 * CIDER_STEP - 1) yield { stage: 'scoring', done: 0, total: hyps.length };
  }
  const scores = new Array<number>(hyps.length);
  const val = new Float64Array(4);
  for (let i = 0; i < hyps.length; i++) {
    val.fill(0);
    for (const ref of refsOf[i]) similarity(corpus, vectors, hyps[i], ref, val);
    // np.mean of four numbers: left to right from 0.
    const mean = (0 + val[0] + val[1] + val[2] + val[3]) / 4;
    scores[i] = (mean / refsOf[i].length) * 10;
    if (i % CIDER_STEP === CIDER_STEP - 1) yield { stage: 'scoring', done: i + 1, total: hyps.length };
  }
  return { scores, numRefs, logNumRefs: logN };
}
