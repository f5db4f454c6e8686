/**
 * The caption scorers on the pooled sentence corpus agree with their plain definitions
 * on sentences the tokenizer never writes but a ground truth can hold (an empty
 * sentence, double spaces after non-ASCII characters are dropped, spaces at the ends):
 * ROUGE-L splits on single spaces (str.split(" ")), the n-grams on runs of whitespace.
 */
import { bleuComps } from '../src/eval/bleu';
import { SentenceCorpus } from '../src/eval/ngrams';
import { rougeL } from '../src/eval/rouge';

/** coco-caption's Rouge.calc_score, on strings. */
function plainRouge(hyp: string, refs: string[]): number {
  const lcs = (a: string[], b: string[]) => {
    const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) t[i][j] = a[i - 1] === b[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
    return t[a.length][b.length];
  };
  const c = hyp.split(' ');
  let p = -Infinity;
  let r = -Infinity;
  for (const ref of refs) {
    const words = ref.split(' ');
    const l = lcs(words, c);
    p = Math.max(p, l / c.length);
    r = Math.max(r, l / words.length);
  }
  return p === 0 || r === 0 ? 0 : ((1 + 1.2 ** 2) * p * r) / (r + 1.2 ** 2 * p);
}

const SENTENCES = ['', 'man', 'the man on the left', 'middle  one', ' man left', 'man left ', 'the  man  on the left', 'left man the on'];

test.each(SENTENCES.flatMap((hyp) => [[hyp, SENTENCES.filter((s) => s !== hyp).slice(0, 3)] as const, [hyp, [hyp]] as const]))('ROUGE-L of %j against %j is the plain definition', (hyp, refs) => {
  const corpus = new SentenceCorpus();
  const h = corpus.add(hyp);
  const r = refs.map((s) => corpus.add(s));
  expect(rougeL(corpus, h, r)).toBe(plainRouge(hyp, [...refs]));
});

test('BLEU counts split on runs of whitespace and count each n-gram up to its highest reference count', () => {
  const corpus = new SentenceCorpus();
  const hyp = corpus.add('the man  the man');
  const refs = [corpus.add(' the man on the left'), corpus.add('a man the man')];
  // hyp words "the man the man": the×2, man×2 (the second ref has two of each) → 4;
  // "the man"×2 (once in either ref) + "man the" → 2; "man the man" (the second ref) → 1.
  expect(bleuComps(corpus, hyp, refs)).toEqual({ testlen: 4, reflen: 4, guess: [4, 3, 2, 1], correct: [4, 2, 1, 0] });
});
