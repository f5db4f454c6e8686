// Derived indexes of a store, computed once on first use and kept as long as the store
// (stores never change once loaded).

import type { ReferStore } from '../store/store';

/** Per-store memo: derived indexes are computed once, on first use. */
export function memo<T>(build: (store: ReferStore) => T): (store: ReferStore) => T {
  const cache = new WeakMap<ReferStore, T>();
  return (store) => {
    let value = cache.get(store);
    if (value === undefined) {
      value = build(store);
      cache.set(store, value);
    }
    return value;
  };
}
