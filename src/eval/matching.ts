/**
 * Predictions matched to a split's universe, with dict semantics: a repeated id keeps its
 * last entry (the earlier one is counted and listed), an id outside the split is ignored,
 * counted and listed, whether or not the pair knows it.
 */
import type { GroundTruth, Unit } from './ground-truth';
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

/** `ids`: the id of each entry, in file order. */
export function matchIds(gt: GroundTruth, unit: Unit, split: string, ids: ArrayLike<number>): Matching {
  const m = emptyMatching(gt, unit, split);
  matchRange(gt, m, split, ids, 0, ids.length);
  return m;
}

/** Entries matched between two progress reports. */
const MATCH_STEP = 8192;

export function* matchIdSteps(gt: GroundTruth, unit: Unit, split: string, ids: ArrayLike<number>): Steps<Matching> {
  const m = emptyMatching(gt, unit, split);
  for (let from = 0; from < ids.length; from += MATCH_STEP) {
    matchRange(gt, m, split, ids, from, Math.min(ids.length, from + MATCH_STEP));
    yield { stage: 'matching', done: Math.min(ids.length, from + MATCH_STEP), total: ids.length };
  }
  return m;
}

/** The ids of entries that are objects (masks, sentences), for matchIds. */
export function idsOf(entries: readonly { id: number }[]): Float64Array {
  return Float64Array.from(entries, (e) => e.id);
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
function matchRange(gt: GroundTruth, m: MatchingState, split: string, ids: ArrayLike<number>, from: number, to: number): void {
  const { unit, entryAt, overriddenEntries } = m;
  const dense = gt.denseIdPositions(unit, split);
  const positionOfRow = dense ? null : gt.universePositions(unit, split);
  const first = dense ? dense.first : 0;
  const byId = dense ? dense.positions : null;
  const span = byId ? byId.length : 0;
  for (let i = from; i < to; i++) {
    const id = ids[i];
    let position = -1;
    if (byId) {
      const k = id - first;
      if (k >= 0 && k < span) position = byId[k];
    } else {
      const row = gt.rowOfId(unit, id);
      if (row >= 0) position = positionOfRow![row];
    }
    if (position < 0) {
      matchOutside(gt, m, id, i);
      continue;
    }
    const previous = entryAt[position];
    if (previous >= 0) overriddenEntries.push(previous);
    else m.evaluated++;
    entryAt[position] = i;
  }
  m.duplicates = overriddenEntries.length;
}

/** An entry whose id is not in the split (rare): counted, listed, and its last entry kept for the override count. */
function matchOutside(gt: GroundTruth, m: MatchingState, id: number, entry: number): void {
  const previous = m.lastUnknownEntry.get(id);
  if (previous !== undefined) m.overriddenEntries.push(previous);
  m.lastUnknownEntry.set(id, entry);
  m.unknownEntries.push({ entry, id, in_dataset: gt.rowOfId(m.unit, id) >= 0 });
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
