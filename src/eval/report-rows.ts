/** Rows shared by the reports of every task. */
import type { UnknownEntry } from './matching';

export type IdKey = 'sent_id' | 'ref_id';

/** Unknown entries under the id key of the file, as the golden answers list them. */
export function unknownEntryRows(key: IdKey, entries: readonly UnknownEntry[]) {
  return entries.map((u) => ({ entry: u.entry, [key]: u.id, in_dataset: u.in_dataset }));
}
