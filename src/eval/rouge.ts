/** coco-caption's Rouge (ROUGE-L, β = 1.2): best precision and best recall over the references. */
const BETA = 1.2;

function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = a[i - 1] === b[j - 1] ? diagonal + 1 : Math.max(up, row[j - 1]);
      diagonal = up;
    }
  }
  return row[b.length];
}

export function rougeL(hyp: string, refs: readonly string[]): number {
  // str.split(" "): an empty sentence is one empty token, so no division by zero.
  const c = hyp.split(' ');
  let pMax = -Infinity;
  let rMax = -Infinity;
  for (const ref of refs) {
    const r = ref.split(' ');
    const lcs = lcsLength(r, c);
    pMax = Math.max(pMax, lcs / c.length);
    rMax = Math.max(rMax, lcs / r.length);
  }
  if (pMax === 0 || rMax === 0) return 0;
  return ((1 + BETA ** 2) * pMax * rMax) / (rMax + BETA ** 2 * pMax);
}
