/** Shared by the benchmarks: medians and repeated timings. */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export interface Timing {
  median: number;
  best: number;
}

/** Times `fn` over `runs` runs after one uncounted warm-up; `before` runs untimed before each. */
export async function timeRuns(runs: number, fn: () => unknown, before: () => void = () => {}): Promise<Timing> {
  before();
  await fn();
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    before();
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { median: median(ms), best: Math.min(...ms) };
}
