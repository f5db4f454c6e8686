/**
 * The overall numbers broken down per category, and per split label when the split
 * evaluated covers several (test, testAB, …): the same block function on each group of
 * universe positions, groups in order of first appearance.
 */
import type { GroundTruth, Unit } from './ground-truth';
import { refRowOf } from './matching';

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

function groupPositions<K>(n: number, keyAt: (position: number) => K): Map<K, number[]> {
  const groups = new Map<K, number[]>();
  for (let p = 0; p < n; p++) {
    const key = keyAt(p);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(p);
  }
  return groups;
}

/** `block(positions, missingCounts)`: the block over those universe positions, given-only or all. */
export type BlockOf<B> = (positions: readonly number[], includeMissing: boolean) => B;

export function perCategory<B>(gt: GroundTruth, unit: Unit, rows: Int32Array, block: BlockOf<B>): CategoryBreakdown<B>[] {
  const groups = groupPositions(rows.length, (p) => gt.categoryId(refRowOf(gt, unit, rows[p])));
  return [...groups].map(([categoryId, positions]) => ({ category_id: categoryId, name: gt.categoryName(categoryId), given: block(positions, false), all: block(positions, true) }));
}

/** Per split label; empty when the universe has only one label. */
export function perSplit<B>(gt: GroundTruth, unit: Unit, rows: Int32Array, block: BlockOf<B>): SplitBreakdown<B>[] {
  const groups = groupPositions(rows.length, (p) => gt.splitLabel(refRowOf(gt, unit, rows[p])));
  if (groups.size < 2) return [];
  return [...groups].map(([split, positions]) => ({ split, given: block(positions, false), all: block(positions, true) }));
}
