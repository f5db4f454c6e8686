/**
 * Predictions matched to a split's universe, with dict semantics: a repeated id keeps its
 * last entry (the earlier one is counted and listed), an id outside the split is ignored,
 * counted and listed, whether or not the pair knows it.
 */
import type { GroundTruth, Unit } from './ground-truth';
import type { IdEntry } from './predictions';
import type { Steps } from './steps';

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
  const m = emptyMatching(gt, unit, split);
  matchRange(gt, m, split, entries, 0, entries.length);
  return m;
}

/** Entries matched between two progress reports. */
const MATCH_STEP = 8192;

export function* matchEntrySteps(gt: GroundTruth, unit: Unit, split: string, entries: readonly IdEntry[]): Steps<Matching> {
  const m = emptyMatching(gt, unit, split);
  for (let from = 0; from < entries.length; from += MATCH_STEP) {
    matchRange(gt, m, split, entries, from, Math.min(entries.length, from + MATCH_STEP));
    yield { stage: 'matching', done: Math.min(entries.length, from + MATCH_STEP), total: entries.length };
  }
  return m;
}

/** A matching in progress also keeps the last entry of each id outside the split. */
interface MatchingState extends Matching {
  lastUnknownEntry: Map<number, number>;
}

function emptyMatching(gt: GroundTruth, unit: Unit, split: string): MatchingState {
  const rows = universeRows(gt, unit, split);
  // Ids outside the split are rare: a Map for their last entry is enough.
  return { unit, rows, entryAt: new Int32Array(rows.length).fill(-1), evaluated: 0, duplicates: 0, overriddenEntries: [], unknownEntries: [], lastUnknownEntry: new Map() };
}

/** Entries [from, to) matched into `m`, in file order (a later entry overrides). */
function matchRange(gt: GroundTruth, m: MatchingState, split: string, entries: readonly IdEntry[], from: number, to: number): void {
  const { unit, entryAt, lastUnknownEntry, overriddenEntries, unknownEntries } = m;
  const positionOfRow = gt.universePositions(unit, split);
  for (let i = from; i < to; i++) {
    const id = entries[i].id;
    const row = gt.rowOfId(unit, id);
    const position = row < 0 ? -1 : positionOfRow[row];
    const previous = position >= 0 ? entryAt[position] : (lastUnknownEntry.get(id) ?? -1);
    if (previous >= 0) overriddenEntries.push(previous);
    else if (position >= 0) m.evaluated++;
    if (position >= 0) entryAt[position] = i;
    else {
      lastUnknownEntry.set(id, i);
      unknownEntries.push({ entry: i, id, in_dataset: row >= 0 });
    }
  }
  m.duplicates = overriddenEntries.length;
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
