/**
 * data.jsonl?segmentation=omit kept on disk beside the pair's compiled indexes, so that
 * a freshly started server sends it at once instead of writing it (~1 s of CPU on
 * full-scale refcoco/unc) while the first Python session waits.
 *
 * The file is named by the identities (device, inode, size, mtime) of the compiled
 * index files the store was loaded from and by the writer's FORMAT: a rebuilt or
 * replaced index gives a new name, so a stale body is never read; older bodies of the
 * pair are removed when a new one is written. Written beside the target and renamed, so
 * a crash leaves the old file or none, never half of one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Catalog } from '../catalog';
import type { ReferStore } from '../store/store';
import { dataBodyChunks } from './data-body';

/** Bump when data-body.ts's output changes for the same data. */
const FORMAT = 1;

/** Where the store's body is kept on disk; undefined when it was not loaded through compiled indexes (no cache) or was reloaded since. */
export function dataBodyFile(catalog: Catalog, store: ReferStore): string | undefined {
  const live = catalog.stores.get(store.name);
  const files = catalog.indexFilesOf(store.name);
  if (live !== store || !files || files.size === 0) return undefined;
  const hash = createHash('sha256').update(`data.jsonl?segmentation=omit v${FORMAT}`);
  for (const [path, identity] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (identity === undefined) return undefined;
    hash.update(`\n${path} ${identity}`);
  }
  const dir = dirname([...files.keys()][0]);
  return join(dir, `${filePrefix(store)}${hash.digest('hex').slice(0, 16)}.jsonl`);
}

function filePrefix(store: ReferStore): string {
  return `${store.dataset}_${store.splitBy}.data-omit.`;
}

/** The kept body, or undefined when there is none (or it does not look like the store's body). */
export async function readDataBodyFile(path: string, store: ReferStore): Promise<Buffer | undefined> {
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    return undefined;
  }
  const start = `${JSON.stringify({ dataset: store.dataset, splitBy: store.splitBy })}`.slice(0, -1);
  const whole = body.byteLength > 0 && body[body.byteLength - 1] === 0x0a && body.subarray(0, start.length).toString('utf8') === start;
  return whole ? body : undefined;
}

/** Writes the body beside the target, renames it into place and removes the pair's older bodies. Throws on I/O errors. */
export async function writeDataBodyFile(path: string, store: ReferStore, body: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, body);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await Promise.all(olderBodies(path, store).map((old) => unlink(old).catch(() => {})));
}

/**
 * build-index's step: the body of every REFER pair of the catalog that has compiled
 * indexes and no current body file. A body that cannot be written is reported to `warn`
 * (a server then produces it on the first request): the indexes are what build-index is for.
 */
export function writeDataBodyFiles(catalog: Catalog, warn: (message: string) => void): void {
  for (const store of catalog.stores.values()) {
    const path = store.hasTargetLists ? undefined : dataBodyFile(catalog, store);
    if (!path || existsSync(path)) continue;
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      const chunks: Buffer[] = [];
      const it = dataBodyChunks(store, { segmentation: false });
      for (let next = it.next(); !next.done; next = it.next()) chunks.push(next.value);
      writeFileSync(tmp, Buffer.concat(chunks));
      renameSync(tmp, path);
      for (const old of olderBodies(path, store)) unlinkSync(old);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // never written
      }
      warn(`could not write ${store.name}'s data.jsonl body to ${path}: ${(e as Error).message}`);
    }
  }
}

/** The pair's body files in `path`'s folder other than `path`. */
function olderBodies(path: string, store: ReferStore): string[] {
  const dir = dirname(path);
  const prefix = filePrefix(store);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix) && n.endsWith('.jsonl') && n !== basename(path)).map((n) => join(dir, n));
}
