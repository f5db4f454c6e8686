/**
 * What a GraphQL answer depends on besides the request: the loaded data and the server
 * code. Cache validators (ETags) are built on it, so they change when a pair is reloaded
 * from changed files or the schema changes, and stay the same across restarts and across
 * processes serving the same files (so a CDN in front of several workers keeps its hits).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { printSchema, type GraphQLSchema } from 'graphql';
import type { Catalog } from '../core/catalog';
import { refsFileName } from '../core/layout';
import type { ReferStore } from '../core/store/store';

/** Size and modification time of a store's two source files, taken once per loaded store. */
const storeStamps = new WeakMap<ReferStore, string>();

function fileStamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${Math.round(st.mtimeMs)}`;
  } catch {
    return 'unreadable';
  }
}

function storeStamp(dataRoot: string, pair: string, store: ReferStore): string {
  let stamp = storeStamps.get(store);
  if (stamp === undefined) {
    const folder = join(dataRoot, store.dataset);
    stamp = `${pair}=${fileStamp(join(folder, 'instances.json'))},${fileStamp(join(folder, refsFileName(store.splitBy, store.dataset)))}`;
    storeStamps.set(store, stamp);
  }
  return stamp;
}

/**
 * A function giving the current fingerprint of `catalog`'s loaded pairs, `schema` and
 * `settings` (the limits that shape answers). The loaded stores' files are stamped now,
 * as they were loaded (a store loaded later is stamped when first seen); the schema is
 * printed on first use, keeping it off the start-up path.
 */
export function dataFingerprint(catalog: Catalog, schema: GraphQLSchema, settings: string): () => string {
  const currentStamps = () => [...catalog.stores].map(([pair, store]) => storeStamp(catalog.dataRoot, pair, store)).join(';');
  currentStamps();
  let schemaHash: string | undefined;
  let last: { stamps: string; fingerprint: string } | undefined;
  return () => {
    schemaHash ??= createHash('sha1').update(printSchema(schema)).digest('hex');
    const stamps = currentStamps();
    if (last?.stamps !== stamps) last = { stamps, fingerprint: createHash('sha1').update(`${schemaHash}\n${settings}\n${stamps}`).digest('base64url') };
    return last.fingerprint;
  };
}
