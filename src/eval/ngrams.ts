/** n-gram counts of a tokenised sentence, as coco-caption's precook: k = 1..n, then by position. */
export function ngramCounts(words: readonly string[], n = 4): Map<string, number> {
  const counts = new Map<string, number>();
  for (let k = 1; k <= n; k++) {
    for (let i = 0; i + k <= words.length; i++) {
      // A space cannot occur inside a token, so joined words key the n-gram uniquely.
      const gram = k === 1 ? words[i] : words.slice(i, i + k).join(' ');
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
  }
  return counts;
}

/** Words of a tokenised sentence as Python's str.split() gives them. */
export function pythonSplit(s: string): string[] {
  return s.split(/\s+/).filter((w) => w.length > 0);
}

/** The order (1..4) of an n-gram key. */
export function gramOrder(gram: string): number {
  let n = 1;
  for (let i = 0; i < gram.length; i++) if (gram.charCodeAt(i) === 32) n++;
  return n;
}
