/**
 * Predictions matched to a split's universe, with dict semantics: a repeated id keeps its
 * last entry (the earlier one is counted and listed), an id outside the split is ignored,
 * counted and listed, whether or not the pair knows it.
 */
import type { GroundTruth, Unit } from './ground-truth';
import type { IdEntry } from './predictions';
import { runSteps, type Steps } from './steps';

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

export function matchEntries(gt: GroundTruth, unit: Unit, split: string, entries: readonly IdEntry[]): Matching {
  return runSteps(matchEntrySteps(gt, unit, split, entries));
}

/** Entries matched between two progress reports. */
const MATCH_STEP = 8192;

export function* matchEntrySteps(gt: GroundTruth, unit: Unit, split: string, entries: readonly IdEntry[]): Steps<Matching> {
  const rows = universeRows(gt, unit, split);
  const positionOfRow = gt.universePositions(unit, split);
  const entryAt = new Int32Array(rows.length).fill(-1);
  // Ids outside the split are rare: a Map for their last entry is enough.
  const lastUnknownEntry = new Map<number, number>();
  const overriddenEntries: number[] = [];
  const unknownEntries: UnknownEntry[] = [];
  let evaluated = 0;
  for (let i = 0; i < entries.length; i++) {
    const id = entries[i].id;
    const row = gt.rowOfId(unit, id);
    const position = row < 0 ? -1 : positionOfRow[row];
    const previous = position >= 0 ? entryAt[position] : (lastUnknownEntry.get(id) ?? -1);
    if (previous >= 0) overriddenEntries.push(previous);
    else if (position >= 0) evaluated++;
    if (position >= 0) entryAt[position] = i;
    else {
      lastUnknownEntry.set(id, i);
      unknownEntries.push({ entry: i, id, in_dataset: row >= 0 });
    }
    if (i % MATCH_STEP === MATCH_STEP - 1) yield { stage: 'matching', done: i + 1, total: entries.length };
  }
  return { unit, rows, entryAt, evaluated, duplicates: overriddenEntries.length, overriddenEntries, unknownEntries };
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
