/**
 * The overall numbers broken down per category, and per split label when the split
 * evaluated covers several (test, testAB, …): the same block function on each group of
 * universe positions, groups in order of first appearance. One group a step: a group can
 * hold most of a 120k-sentence split.
 */
import type { GroundTruth } from './ground-truth';
import type { Steps } from './steps';

export interface CategoryBreakdown<B> {
  category_id: number;
  name: string;
  given: B;
  all: B;
}

export interface SplitBreakdown<B> {
  split: string;
  given: B;
  all: B;
}

/** Positions keyed between two progress reports. */
const GROUP_STEP = 16384;

/** Universe positions grouped by a key of their ref, groups in order of first appearance. */
function* groupPositionSteps<K>(refRows: Int32Array, keyOf: (refRow: number) => K): Steps<[K, Int32Array][]> {
  const groupOfKey = new Map<K, number>();
  const keys: K[] = [];
  const groupAt = new Int32Array(refRows.length);
  const sizes: number[] = [];
  for (let p = 0; p < refRows.length; p++) {
    const key = keyOf(refRows[p]);
    let g = groupOfKey.get(key);
    if (g === undefined) {
      groupOfKey.set(key, (g = keys.length));
      keys.push(key);
      sizes.push(0);
    }
    groupAt[p] = g;
    sizes[g]++;
    if (p % GROUP_STEP === GROUP_STEP - 1) yield { stage: 'grouping', done: p + 1, total: refRows.length };
  }
  const groups = sizes.map((n) => new Int32Array(n));
  const filled = new Int32Array(groups.length);
  for (let p = 0; p < refRows.length; p++) groups[groupAt[p]][filled[groupAt[p]]++] = p;
  return keys.map((key, g) => [key, groups[g]]);
}

/** `block(positions, missingCounts)`: the block over those universe positions, given-only or all. */
export type BlockOf<B> = (positions: ArrayLike<number>, includeMissing: boolean) => B;

/** `refRows`: the ref row of each universe position (GroundTruth.universeRefRows). */
export function* perCategorySteps<B>(gt: GroundTruth, refRows: Int32Array, block: BlockOf<B>): Steps<CategoryBreakdown<B>[]> {
  const out: CategoryBreakdown<B>[] = [];
  const groups = yield* groupPositionSteps(refRows, (r) => gt.categoryId(r));
  yield { stage: 'per category', done: 0, total: groups.length };
  for (const [categoryId, positions] of groups) {
    out.push({ category_id: categoryId, name: gt.categoryName(categoryId), given: block(positions, false), all: block(positions, true) });
    yield { stage: 'per category', done: out.length, total: groups.length };
  }
  return out;
}

/** Per split label; empty when the universe has only one label. */
export function* perSplitSteps<B>(gt: GroundTruth, split: string, refRows: Int32Array, block: BlockOf<B>): Steps<SplitBreakdown<B>[]> {
  // Most splits are one label: no grouping pass over the universe for them.
  if (gt.splitLabelsOf(split).length < 2) return [];
  const groups = yield* groupPositionSteps(refRows, (r) => gt.splitLabel(r));
  yield { stage: 'per split', done: 0, total: groups.length };
  if (groups.length < 2) return [];
  const out: SplitBreakdown<B>[] = [];
  for (const [split, positions] of groups) {
    out.push({ split, given: block(positions, false), all: block(positions, true) });
    yield { stage: 'per split', done: out.length, total: groups.length };
  }
  return out;
}

/** Every position of a universe of `n`, in order: the overall block's group. */
export function allPositions(n: number): Int32Array {
  const positions = new Int32Array(n);
  for (let p = 0; p < n; p++) positions[p] = p;
  return positions;
}
