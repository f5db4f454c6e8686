/**
 * A small seeded PRNG (mulberry32) so that generated data roots are byte-identical for
 * the same seed. Each part of a data root draws from its own stream, derived from the
 * seed and a name, so generating one dataset alone gives the same bytes as generating
 * it with the others.
 */

/** FNV-1a over the text: turns (seed, stream name) into a 32-bit stream seed. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A stream of its own for `name` under `seed`. */
  static stream(seed: number, name: string): Random {
    return new Random(hashText(`${seed}:${name}`));
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Index into `weights`, chosen with probability proportional to the weight. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/**
 * Splits `total` into `parts` counts of at least 1 and at most `cap` each, at random.
 * Used to hand out a split's exact ref count over its images, and a ref's sentences.
 */
export function partition(rng: Random, total: number, parts: number, cap: number): number[] {
  if (parts === 0) {
    if (total !== 0) throw new Error(`cannot split ${total} into 0 parts`);
    return [];
  }
  if (total < parts || total > parts * cap) {
    throw new Error(`cannot split ${total} into ${parts} parts of 1..${cap}`);
  }
  const counts = new Array<number>(parts).fill(1);
  let left = total - parts;
  // Uniform scatter with a cap; once most parts are full, fill the rest in order.
  let misses = 0;
  while (left > 0 && misses < 64) {
    const i = rng.int(parts);
    if (counts[i] < cap) {
      counts[i]++;
      left--;
      misses = 0;
    } else misses++;
  }
  for (let i = 0; left > 0; i++) {
    const room = Math.min(cap - counts[i], left);
    counts[i] += room;
    left -= room;
  }
  return counts;
}
