/**
 * The compiled index: the columnar tables of a data file, stored so that a later start
 * maps them back in milliseconds instead of parsing JSON and pickles again.
 *
 * Layout: a 32-byte header (magic, format version, manifest length, CRC-32 of the
 * manifest, total file length, build id), a msgpackr manifest (kind, fingerprint of the
 * source files and their stat() stamps, build id, the section table, and the table tree
 * with every typed array and every long string replaced by a section reference), then
 * the sections' bytes, 8-byte aligned, each with its own CRC-32. Nothing is trusted
 * before its length and CRC are checked; typed arrays are views on the bytes read, not
 * copies. The manifest is a few kB: the bundle leaves msgpackr's native string
 * extractor out (scripts/bundle.js), which would cost ~25 ms of every start to load and
 * speeds up only large string-heavy messages.
 *
 * Sections over LAZY_BYTES (every column of a full-scale dataset: polygon coordinates
 * alone are ~115 MB for RefCOCO) sit at the end of the file and are read, checked and
 * decoded on first use, so a server starts without them and a first query pays only for
 * the columns it reads (a ref query: a few MB of 145). They must come from the same
 * build as the rest of the loaded tree (new coordinates with old offsets would be wrong
 * masks), so the file stays open until they are read: a newer build renamed over it
 * does not matter, and one written over it in place (a changed size, mtime or build id)
 * is a StaleIndexError, never served.
 *
 * A lazy member is an accessor that keeps its value once read, never redefined as a
 * data property: V8 turns an object whose accessors are reconfigured into a slow
 * dictionary, and the tables' objects are on every query's hot path.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, readSync, renameSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { Packr } from 'msgpackr';
import { DataError, StaleIndexError } from '../errors';
import { currentFingerprint, joinFingerprints, type SourceFile, type SourceStamp } from './compiled-index-sources';
import { openRegularFile } from './regular-file';

/** Bump when the tables' shape, a reader's output or this layout changes: old caches are rebuilt. */
export const FORMAT_VERSION = 5;
const MAGIC = Buffer.from('REFERIDX');
const HEADER_BYTES = 32;
/** Strings longer than this are stored as UTF-8 sections, not inside the manifest. */
const STRING_SECTION_CHARS = 1 << 16;
/** Sections larger than this are read on first use: the small ones cost less to read
 * with the rest than one read each. */
export const LAZY_BYTES = 64 << 10;
type TypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
const packr = new Packr({ useRecords: false });
const TYPED_ARRAYS = { Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array };
/** 'latin1': a string with no code unit above 0xff, one byte each (decoded by a copy, not UTF-8). */
type SectionType = keyof typeof TYPED_ARRAYS | 'string' | 'latin1';

interface SectionRef { $section: number }
/** -0 outside a typed array: msgpack writes it as the integer 0, so it is named instead. */
interface NegativeZero { $negativeZero: true }
interface Section { type: SectionType; offset: number; bytes: number; crc: number; lazy: boolean }
interface Manifest { kind: string; fingerprint: string; sources?: SourceStamp[]; buildId: number; sections: Section[]; tree: unknown }
const BUILD_ID_AT = 28;

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && v.constructor.name in TYPED_ARRAYS;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

const ONLY_LATIN1 = /^[\u0000-\u00ff]*$/;

/**
 * What an index is checked against: the stat() stamps of its source files when they were
 * read for the build (readCompiledIndex is then given the same files), or a fingerprint
 * string the caller computes itself.
 */
export type IndexSources = string | readonly SourceStamp[];

export function writeCompiledIndex(path: string, kind: string, sources: IndexSources, tree: unknown, lazyBytes = LAZY_BYTES): void {
  const fingerprint = typeof sources === 'string' ? sources : joinFingerprints(sources);
  const payloads: { type: SectionType; bytes: Uint8Array }[] = [];
  const replace = (node: unknown): unknown => {
    if (Object.is(node, -0)) return { $negativeZero: true } satisfies NegativeZero;
    if (isTypedArray(node)) {
      payloads.push({ type: node.constructor.name as SectionType, bytes: new Uint8Array(node.buffer, node.byteOffset, node.byteLength) });
      return { $section: payloads.length - 1 } satisfies SectionRef;
    }
    if (typeof node === 'string' && node.length > STRING_SECTION_CHARS) {
      const latin1 = ONLY_LATIN1.test(node);
      payloads.push({ type: latin1 ? 'latin1' : 'string', bytes: Buffer.from(node, latin1 ? 'latin1' : 'utf8') });
      return { $section: payloads.length - 1 } satisfies SectionRef;
    }
    if (Array.isArray(node)) return node.map(replace);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (v !== undefined) out[k] = replace(v);
    return out;
  };
  const replaced = replace(tree);
  // Eager sections first, so that a start reads one contiguous block; lazy ones last.
  const order = payloads.map((_, i) => i).sort((a, b) => Number(payloads[a].bytes.length > lazyBytes) - Number(payloads[b].bytes.length > lazyBytes));
  const sections: Section[] = new Array<Section>(payloads.length);
  let offset = 0;
  let end = 0;
  for (const i of order) {
    const { type, bytes } = payloads[i];
    sections[i] = { type, offset, bytes: bytes.length, crc: crc32(bytes), lazy: bytes.length > lazyBytes };
    end = offset + bytes.length; // no padding after the last section: every byte there is checked
    offset += align8(bytes.length);
  }
  // Section offsets are absolute, so they depend on the manifest's length, which depends
  // on the offsets: grow the start until the packed manifest fits before it.
  let base = 0;
  let manifest: Buffer;
  const buildId = randomBytes(4).readUInt32LE(0);
  for (;;) {
    const stamps = typeof sources === 'string' ? undefined : [...sources];
    manifest = packr.pack({ kind, fingerprint, sources: stamps, buildId, sections: sections.map((s) => ({ ...s, offset: s.offset + base })), tree: replaced } satisfies Manifest);
    const needed = align8(HEADER_BYTES + manifest.length);
    if (needed <= base) break;
    base = needed;
  }
  const file = Buffer.alloc(base + end);
  MAGIC.copy(file, 0);
  file.writeUInt32LE(FORMAT_VERSION, 8);
  file.writeUInt32LE(manifest.length, 12);
  file.writeUInt32LE(crc32(manifest), 16);
  file.writeBigUInt64LE(BigInt(file.length), 20);
  file.writeUInt32LE(buildId, BUILD_ID_AT);
  manifest.copy(file, HEADER_BYTES);
  payloads.forEach((p, i) => file.set(p.bytes, base + sections[i].offset));

  mkdirSync(dirname(path), { recursive: true });
  // Write beside the target and rename: a crash leaves the old file or none, never half.
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(tmp, file);
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}

export type CompiledRead<T> = { ok: true; tree: T } | { ok: false; reason: 'missing' | 'stale' | 'corrupt'; detail: string };

/** What to do when a lazy section turns out damaged on first use (the file is still the
 * build the tree came from): return the value that belongs at that place in the tree,
 * e.g. from a rebuild. A section of another build is a StaleIndexError instead. */
export type LazyFailure = (keyPath: string[], detail: string) => unknown;

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(length);
  if (readSync(fd, buf, 0, length, position) !== length) throw new DataError('short read');
  return buf;
}

function decodeSection(section: Section, bytes: Buffer): unknown {
  if (section.type === 'string') return bytes.toString('utf8');
  if (section.type === 'latin1') return bytes.toString('latin1');
  const Ctor = TYPED_ARRAYS[section.type];
  if (!Ctor || section.bytes % Ctor.BYTES_PER_ELEMENT !== 0) throw new DataError(`section of type ${section.type} has a bad length`);
  // Typed arrays need aligned offsets; `bytes` is a fresh, unpooled allocation.
  return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, section.bytes / Ctor.BYTES_PER_ELEMENT);
}

/** A source file that cannot be read now: the caller's error to report, not a damaged index. */
class SourceFileError extends Error {
  constructor(readonly cause: unknown) {
    super('source file unreadable');
  }
}

function fingerprintOfSources(sources: readonly SourceFile[], recorded: unknown): string {
  try {
    return currentFingerprint(sources, recorded);
  } catch (e) {
    throw new SourceFileError(e);
  }
}

/** The descriptor a loaded tree reads its lazy sections from. */
interface OpenIndexFile {
  fd: number;
  closed: boolean;
  /** Objects of the tree with unread lazy sections still alive. */
  holders: number;
}

function closeIndexFile(file: OpenIndexFile): void {
  if (!file.closed) closeSync(file.fd);
  file.closed = true;
}

/** Closes the descriptor once every object that could still read from it is gone (a
 * pair reloaded, a test done) without having read all its lazy sections. */
const lazyHolders = new FinalizationRegistry<OpenIndexFile>((file) => {
  if (--file.holders === 0) closeIndexFile(file);
});

/**
 * Reads a compiled index. Unchanged signature; what is new: the file stays open while
 * the tree has unread lazy sections, and a lazy section read after the file was written
 * over in place throws StaleIndexError (see the module comment).
 */
export function readCompiledIndex<T>(path: string, kind: string, sources: string | readonly SourceFile[], onLazyFailure?: LazyFailure): CompiledRead<T> {
  let opened: { fd: number; stat: Stats };
  try {
    opened = openRegularFile(path, `compiled index ${path}`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Not a regular file (a FIFO, a directory): corrupt, so that it is rebuilt over.
    return { ok: false, reason: code ? 'missing' : 'corrupt', detail: (e as Error).message };
  }
  const file: OpenIndexFile = { fd: opened.fd, closed: false, holders: 0 };
  try {
    const read = readOpened<T>(file, opened.stat, path, kind, sources, onLazyFailure);
    if (read.lazyLeft === 0) closeIndexFile(file);
    return read.result;
  } catch (e) {
    closeIndexFile(file);
    if (e instanceof SourceFileError) throw e.cause;
    // Whatever the bytes make fail (a misaligned section, a manifest of the wrong shape)
    // is damage: the index is rebuilt, never half used.
    return { ok: false, reason: 'corrupt', detail: (e as Error).message };
  }
}

function readOpened<T>(
  file: OpenIndexFile,
  stat: Stats,
  path: string,
  kind: string,
  sources: string | readonly SourceFile[],
  onLazyFailure: LazyFailure | undefined,
): { result: CompiledRead<T>; lazyLeft: number } {
  const { fd } = file;
  const done = (result: CompiledRead<T>) => ({ result, lazyLeft: 0 });
  const corrupt = (detail: string) => done({ ok: false, reason: 'corrupt', detail });
  const header = readAt(fd, 0, Math.min(HEADER_BYTES, stat.size));
  if (header.length < HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC)) return corrupt('not a compiled index (bad magic)');
  const version = header.readUInt32LE(8);
  if (version !== FORMAT_VERSION) return done({ ok: false, reason: 'stale', detail: `format version ${version}, expected ${FORMAT_VERSION}` });
  const total = Number(header.readBigUInt64LE(20));
  if (total !== stat.size) return corrupt(`truncated or padded: ${stat.size} bytes, header says ${total}`);
  const manifestBytes = readAt(fd, HEADER_BYTES, Math.min(header.readUInt32LE(12), stat.size - HEADER_BYTES));
  if (crc32(manifestBytes) !== header.readUInt32LE(16)) return corrupt('manifest checksum mismatch');
  let manifest: Manifest;
  try {
    manifest = packr.unpack(manifestBytes) as Manifest;
  } catch (e) {
    return corrupt(`manifest does not decode: ${(e as Error).message}`);
  }
  if (manifest === null || typeof manifest !== 'object' || !Array.isArray(manifest.sections)) return corrupt('manifest is not a section table');
  if (manifest.kind !== kind) return corrupt(`holds ${manifest.kind}, expected ${kind}`);
  const fingerprint = typeof sources === 'string' ? sources : fingerprintOfSources(sources, manifest.sources);
  if (manifest.fingerprint !== fingerprint) return done({ ok: false, reason: 'stale', detail: 'source files changed' });
  const { buildId } = manifest;
  if (buildId !== header.readUInt32LE(BUILD_ID_AT)) return corrupt('header and manifest name different builds');
  const { sections } = manifest;
  if (sections.some((s) => !Number.isSafeInteger(s?.offset) || !Number.isSafeInteger(s.bytes) || s.offset < HEADER_BYTES || s.offset + s.bytes > stat.size)) {
    return corrupt('a section lies outside the file');
  }

  // All eager sections in one read.
  const eager = sections.filter((s) => !s.lazy);
  const start = eager.length ? Math.min(...eager.map((s) => s.offset)) : 0;
  const end = eager.length ? Math.max(...eager.map((s) => s.offset + s.bytes)) : 0;
  const block = eager.length ? readAt(fd, start, end - start) : Buffer.alloc(0);
  const values = new Map<number, unknown>();
  for (const [i, s] of sections.entries()) {
    if (s.lazy) continue;
    const bytes = block.subarray(s.offset - start, s.offset - start + s.bytes);
    if (crc32(bytes) !== s.crc) return corrupt(`section ${i} checksum mismatch`);
    values.set(i, decodeSection(s, bytes));
  }

  let lazyLeft = 0;
  let stale = false;
  /** Throws StaleIndexError unless the open file is still the build the tree came from;
   * once stale, always stale (and the descriptor is closed). */
  const checkSameBuild = (where: string) => {
    if (!stale && !file.closed) {
      const now = fstatSync(fd);
      stale = now.size !== stat.size || now.mtimeMs !== stat.mtimeMs || readAt(fd, BUILD_ID_AT, 4).readUInt32LE(0) !== buildId;
    }
    if (stale || file.closed) {
      closeIndexFile(file);
      throw new StaleIndexError(`compiled index ${path}: section ${where} belongs to another build (the file was rewritten in place after it was loaded); the dataset must be reloaded`);
    }
  };
  const readLazy = (s: Section, keyPath: string[]): unknown => {
    const where = keyPath.join('.');
    checkSameBuild(where);
    let problem: string;
    try {
      const bytes = readAt(fd, s.offset, s.bytes);
      if (crc32(bytes) === s.crc) return decodeSection(s, bytes);
      problem = 'checksum mismatch';
    } catch (e) {
      problem = (e as Error).message; // a short read, a misaligned section: damage
    }
    checkSameBuild(where); // written over while it was being read?
    const detail = `section ${where}: ${problem}`;
    if (!onLazyFailure) throw new DataError(`compiled index ${path}: ${detail}`);
    return onLazyFailure(keyPath, detail);
  };
  /** One lazy section fewer left to read: the last one closes the file. */
  const unreadSectionDone = () => {
    if (--lazyLeft === 0) closeIndexFile(file);
  };
  /** A lazy section's value, settled for good. */
  const lazyValue = (s: Section, keyPath: string[]): unknown => {
    const value = readLazy(s, keyPath);
    unreadSectionDone();
    return value;
  };
  const sectionOf = (node: unknown): Section | undefined => {
    const index = (node as SectionRef | null)?.$section;
    if (typeof index !== 'number') return undefined;
    if (!sections[index]) throw new DataError(`section ${index} does not exist`);
    return sections[index];
  };
  const restore = (node: unknown, keyPath: string[]): unknown => {
    if (Array.isArray(node)) return node.map((v, i) => restore(v, [...keyPath, String(i)]));
    if (node === null || typeof node !== 'object') return node;
    if ((node as Partial<NegativeZero>).$negativeZero === true) return -0;
    const section = sectionOf(node);
    if (section) {
      // A section that is not an object's member is read now (nothing in our tables).
      return section.lazy ? readLazy(section, keyPath) : values.get(sections.indexOf(section));
    }
    const out: Record<string, unknown> = {};
    let holdsLazy = false;
    for (const [k, v] of Object.entries(node)) {
      const lazy = sectionOf(v);
      if (lazy?.lazy) {
        lazyLeft++;
        holdsLazy = true;
        // Read on first access, then kept (a failed read is tried again, and fails again).
        let settled = false;
        let value: unknown;
        Object.defineProperty(out, k, {
          enumerable: true,
          configurable: true,
          get() {
            if (!settled) {
              value = lazyValue(lazy, [...keyPath, k]);
              settled = true;
            }
            return value;
          },
          set(replacement: unknown) {
            if (!settled) unreadSectionDone();
            value = replacement;
            settled = true;
          },
        });
      } else out[k] = restore(v, [...keyPath, k]);
    }
    if (holdsLazy) {
      file.holders++;
      lazyHolders.register(out, file);
    }
    return out;
  };
  const tree = restore(manifest.tree, []) as T;
  return { result: { ok: true, tree }, lazyLeft };
}
