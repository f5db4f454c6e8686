/**
 * The source files a compiled index was built from, and whether they are still the same.
 *
 * A file's fingerprint is its size, mtime and a hash of its bytes (the whole file for a
 * refs pickle, the first and last MiB of a large JSON file). Hashing a 20 MB refs pickle
 * on every start costs more than the rest of its load, so the index also records what
 * stat() said at build time (size, mtime, ctime, device, inode): when stat() still says
 * exactly that, the recorded fingerprint is the file's. Any write changes ctime (utimes
 * cannot set it back), and a rename changes the inode, so a changed file is re-hashed.
 *
 * Except a write within the same timestamp tick as the stamp: as git's "racily clean"
 * files, a stamp whose ctime or mtime lies within RACY_MS of the moment it was taken is
 * never trusted, and that file is hashed at every check (correct, only slower).
 */
import { createHash } from 'node:crypto';
import { closeSync, readSync, statSync, type Stats } from 'node:fs';
import { crc32 } from 'node:zlib';
import { openRegularFile } from './regular-file';

export interface SourceFile {
  path: string;
  /** Hash every byte (a refs pickle) rather than the first and last MiB (a large JSON file). */
  hashWhole: boolean;
}

/** What a compiled index records of one source file when it is built. */
export interface SourceStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  dev: number;
  ino: number;
  fingerprint: string;
  /** Date.now() just before the file was hashed. */
  stampedAt: number;
}

/** Wider than any file system's timestamp granularity (FAT: 2 s). */
export const RACY_MS = 2500;

/** What identifies a source file's contents: size, mtime and a hash of its bytes. */
export function fingerprintFile(path: string, hashWhole: boolean): string {
  const { fd, stat: st } = openRegularFile(path);
  try {
    // CRC-32 of a whole refs file, through one 1 MiB buffer: a 20 MB one costs more in
    // page faults than the CRC itself.
    if (hashWhole) return `${st.size}:${Math.round(st.mtimeMs)}:crc${crc32OfFile(fd).toString(16)}`;
    const hash = createHash('sha1');
    const chunk = Buffer.alloc(Math.min(1 << 20, st.size));
    readSync(fd, chunk, 0, chunk.length, 0);
    hash.update(chunk);
    readSync(fd, chunk, 0, chunk.length, Math.max(0, st.size - chunk.length));
    hash.update(chunk);
    return `${st.size}:${Math.round(st.mtimeMs)}:${hash.digest('hex')}`;
  } finally {
    closeSync(fd);
  }
}

function crc32OfFile(fd: number): number {
  const chunk = Buffer.allocUnsafe(1 << 20);
  let crc = 0;
  for (let position = 0, n; (n = readSync(fd, chunk, 0, chunk.length, position)) > 0; position += n) crc = crc32(chunk.subarray(0, n), crc);
  return crc;
}

/** The fingerprint of several files, as one string: what an index is checked against. */
export function joinFingerprints(stamps: readonly { fingerprint: string }[]): string {
  return stamps.map((s) => s.fingerprint).join('|');
}

/** Stamps the files now, before they are read for a build. */
export function stampSources(files: readonly SourceFile[]): SourceStamp[] {
  return files.map(({ path, hashWhole }) => {
    const stampedAt = Date.now();
    const fingerprint = fingerprintFile(path, hashWhole);
    // stat() after hashing: a write during the hash then shows as a changed ctime.
    const st = statSync(path);
    return { ...statFields(st), fingerprint, stampedAt };
  });
}

function statFields(st: Stats): Omit<SourceStamp, 'fingerprint' | 'stampedAt'> {
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, dev: st.dev, ino: st.ino };
}

/** Is this recorded stamp still the file's, by stat() alone? */
function stampHolds(path: string, stamp: SourceStamp | undefined): boolean {
  if (!stamp || typeof stamp.fingerprint !== 'string' || !Number.isFinite(stamp.stampedAt)) return false;
  if (Math.max(stamp.ctimeMs, stamp.mtimeMs) > stamp.stampedAt - RACY_MS) return false;
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return false; // gone: fingerprintFile says how
  }
  if (!st.isFile()) return false;
  const now = statFields(st);
  return now.size === stamp.size && now.mtimeMs === stamp.mtimeMs && now.ctimeMs === stamp.ctimeMs && now.dev === stamp.dev && now.ino === stamp.ino;
}

/**
 * The files' fingerprint now: the recorded one of each file whose stamp still holds,
 * else a fresh hash. `recorded` comes from an index file, so it is checked, not trusted.
 */
export function currentFingerprint(files: readonly SourceFile[], recorded: unknown): string {
  const stamps = Array.isArray(recorded) && recorded.length === files.length ? (recorded as SourceStamp[]) : [];
  return files.map(({ path, hashWhole }, i) => (stampHolds(path, stamps[i]) ? stamps[i].fingerprint : fingerprintFile(path, hashWhole))).join('|');
}
