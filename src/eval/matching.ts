/**
 * Predictions matched to a split's universe, with dict semantics: a repeated id keeps its
 * last entry (the earlier one is counted and listed), an id outside the split is ignored,
 * counted and listed, whether or not the pair knows it.
 */
import type { GroundTruth, Unit } from './ground-truth';
import type { IdEntry } from './predictions';

export interface UnknownEntry {
  entry: number;
  id: number;
  in_dataset: boolean;
}

export interface Matching {
  unit: Unit;
  /** Rows of the universe (sentence or ref rows), in universe order. */
  rows: Int32Array;
  /** For each universe position, the index of the entry that scores it, or -1. */
  entryAt: Int32Array;
  evaluated: number;
  duplicates: number;
  overriddenEntries: number[];
  unknownEntries: UnknownEntry[];
}

export function matchEntries(gt: GroundTruth, unit: Unit, rows: Int32Array, entries: readonly IdEntry[]): Matching {
  const positionOfRow = new Map<number, number>();
  for (let p = 0; p < rows.length; p++) positionOfRow.set(rows[p], p);
  const entryAt = new Int32Array(rows.length).fill(-1);
  const lastEntryOfId = new Map<number, number>();
  const overriddenEntries: number[] = [];
  const unknownEntries: UnknownEntry[] = [];
  let duplicates = 0;
  for (let i = 0; i < entries.length; i++) {
    const { id } = entries[i];
    const previous = lastEntryOfId.get(id);
    if (previous !== undefined) {
      duplicates++;
      overriddenEntries.push(previous);
    }
    lastEntryOfId.set(id, i);
    const row = gt.rowOfId(unit, id);
    const position = row < 0 ? undefined : positionOfRow.get(row);
    if (position === undefined) unknownEntries.push({ entry: i, id, in_dataset: row >= 0 });
    else entryAt[position] = i;
  }
  let evaluated = 0;
  for (const e of entryAt) if (e >= 0) evaluated++;
  return { unit, rows, entryAt, evaluated, duplicates, overriddenEntries, unknownEntries };
}

/** The report's counts block for boxes and masks. */
export function matchCounts(m: Matching, entries: number) {
  return { universe: m.rows.length, entries, evaluated: m.evaluated, missing: m.rows.length - m.evaluated, duplicates: m.duplicates, unknown: m.unknownEntries.length };
}

export function universeRows(gt: GroundTruth, unit: Unit, split: string): Int32Array {
  const u = gt.universe(split);
  return unit === 'ref' ? u.refRows : u.sentRows;
}

/** Ref row of a universe row. */
export function refRowOf(gt: GroundTruth, unit: Unit, row: number): number {
  return unit === 'ref' ? row : gt.refRowOfSentence(row);
}
