/**
 * The tokenizer of coco-caption (pycocoevalcap/tokenizer/ptbtokenizer.py) without Java:
 * Stanford CoreNLP 3.4.1's PTBTokenizer run with `-preserveLines -lowerCase`, then the
 * tokens in coco-caption's PUNCTUATIONS list dropped and the rest joined with one space.
 *
 * Covered of PTBLexer: whitespace splits; punctuation . , ; : ! ? split off (runs of
 * dots as one "..." token, "--" as one token); clitics 's 're 'll 've 'm 'd and n't
 * split (don't → do n't, can't → ca n't, won't → wo n't); the split words cannot →
 * can not, gonna → gon na, gotta → got ta, wanna → wan na, lemme → lem me, gimme →
 * gim me, 'tis → 't is, 'twas → 't was; " and ` quotes become `` / '' (dropped);
 * brackets become -lrb- -rrb- -lsb- -rsb- -lcb- -rcb-, which survive: coco-caption's
 * list has them upper-case only, and -lowerCase lower-cases them first. Kept whole:
 * hyphenated words (t-shirt), numbers with , or . inside (1,000 3.5), acronyms with
 * dots (u.s.), words with / or & inside. Not covered: PTBLexer's abbreviation list
 * (mr. keeps its dot there; here the dot is split off and dropped, which gives the
 * same tokens for scoring unless "mr." appears mid-sentence), SGML, URLs and emoticons.
 */
const PUNCTUATIONS = new Set(["''", "'", '``', '`', '-LRB-', '-RRB-', '-LCB-', '-RCB-', '.', '?', '!', ',', ':', '-', '--', '...', ';']);

const SPLIT_WORDS: Record<string, string[]> = {
  cannot: ['can', 'not'],
  gonna: ['gon', 'na'],
  gotta: ['got', 'ta'],
  wanna: ['wan', 'na'],
  lemme: ['lem', 'me'],
  gimme: ['gim', 'me'],
  "'tis": ["'t", 'is'],
  "'twas": ["'t", 'was'],
};

const PLAIN_WORDS = /^[a-z0-9\s]*$/;

const BRACKETS: Record<string, string> = { '(': '-lrb-', ')': '-rrb-', '[': '-lsb-', ']': '-rsb-', '{': '-lcb-', '}': '-rcb-' };

// One token at the start of the rest of a whitespace-free chunk, tried in order.
const TOKEN = new RegExp(
  [
    String.raw`(?<number>\d+(?:[.,:/]\d+)+)`,
    String.raw`(?<acronym>(?:[a-z]\.){2,})`,
    String.raw`(?<word>[a-z0-9]+(?:[-/&_][a-z0-9]+)*?(?=n't\b)|[a-z0-9]+(?:[-/&_'][a-z0-9]+)*)`,
    String.raw`(?<clitic>n't|'(?:s|re|ll|ve|m|d)(?![a-z]))`,
    String.raw`(?<dots>\.{2,})`,
    String.raw`(?<dashes>-{2,})`,
    String.raw`(?<other>.)`,
  ].join('|'),
  'uy',
);

function splitWord(word: string, out: string[]): void {
  // A clitic glued to a word by the word pattern ("man's"): split it off as PTB does.
  const clitic = /^(.+?)('(?:s|re|ll|ve|m|d))$/.exec(word);
  if (clitic) {
    out.push(clitic[1], clitic[2]);
    return;
  }
  out.push(word);
}

function tokenizeChunk(chunk: string, out: string[]): void {
  const split = SPLIT_WORDS[chunk.replace(/[.,;:!?]+$/, '')];
  if (split) {
    out.push(...split);
    chunk = chunk.slice(chunk.replace(/[.,;:!?]+$/, '').length);
  }
  TOKEN.lastIndex = 0;
  let quoteOpen = true;
  while (TOKEN.lastIndex < chunk.length) {
    const m = TOKEN.exec(chunk);
    if (!m?.groups) break;
    const g = m.groups;
    if (g.number ?? g.acronym ?? g.clitic ?? g.dashes) out.push(m[0]);
    else if (g.word) splitWord(g.word, out);
    else if (g.dots) out.push('...');
    else if (m[0] === '"') {
      out.push(quoteOpen ? '``' : "''");
      quoteOpen = !quoteOpen;
    } else out.push(BRACKETS[m[0]] ?? m[0]);
  }
}

/** PTB tokens of one line, lower-cased, before coco-caption's punctuation filter. */
export function ptbTokens(line: string): string[] {
  const out: string[] = [];
  for (const chunk of line.toLowerCase().split(/\s+/)) if (chunk) tokenizeChunk(chunk, out);
  return out;
}

/** A caption as coco-caption's tokenizer hands it to the scorers. */
export function tokenizeCaption(caption: string): string {
  const lower = caption.toLowerCase();
  // Most REFER sentences are already plain words: PTB only splits its split words there.
  if (PLAIN_WORDS.test(lower)) {
    const out: string[] = [];
    for (const w of lower.split(/\s+/)) if (w) SPLIT_WORDS[w] ? out.push(...SPLIT_WORDS[w]) : out.push(w);
    return out.join(' ');
  }
  return ptbTokens(caption.replace(/\n/g, ' '))
    .filter((t) => !PUNCTUATIONS.has(t))
    .join(' ');
}
