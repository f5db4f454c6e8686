/**
 * The compiled index: the columnar tables of a data file, stored so that a later start
 * maps them back in milliseconds instead of parsing JSON and pickles again.
 *
 * Layout: a 32-byte header (magic, format version, manifest length, CRC-32 of everything
 * after the header, total length), a msgpackr manifest (kind, fingerprint of the source
 * files, the table tree with every typed array replaced by a section reference), then
 * the typed arrays' bytes, each 8-byte aligned. Reading checks length and CRC before
 * anything is trusted, and typed arrays are views on the file's buffer, not copies.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { Packr } from 'msgpackr';

/** Bump when the tables' shape or a reader's output changes: old caches are rebuilt. */
export const FORMAT_VERSION = 1;
const MAGIC = Buffer.from('REFERIDX');
const HEADER_BYTES = 32;
const packr = new Packr({ useRecords: false });

type TypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
const TYPED_ARRAYS = { Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array };
type TypedArrayName = keyof typeof TYPED_ARRAYS;

interface SectionRef { $section: number; type: TypedArrayName; length: number }
interface Section { offset: number; bytes: number }
interface Manifest { kind: string; fingerprint: string; sections: Section[]; tree: unknown }

/** What identifies the source files a compiled index was built from. */
export function fingerprintFile(path: string, hashWhole: boolean): string {
  const st = statSync(path);
  const hash = createHash('sha1');
  if (hashWhole) hash.update(readFileSync(path));
  else {
    // A large JSON file: hash its first and last MiB, with size and mtime.
    const fd = openSync(path, 'r');
    try {
      const chunk = Buffer.alloc(Math.min(1 << 20, st.size));
      readSync(fd, chunk, 0, chunk.length, 0);
      hash.update(chunk);
      readSync(fd, chunk, 0, chunk.length, Math.max(0, st.size - chunk.length));
      hash.update(chunk);
    } finally {
      closeSync(fd);
    }
  }
  return `${st.size}:${Math.round(st.mtimeMs)}:${hash.digest('hex')}`;
}

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && v.constructor.name in TYPED_ARRAYS;
}

export function writeCompiledIndex(path: string, kind: string, fingerprint: string, tree: unknown): void {
  const arrays: TypedArray[] = [];
  const replace = (node: unknown): unknown => {
    if (isTypedArray(node)) {
      const ref: SectionRef = { $section: arrays.length, type: node.constructor.name as TypedArrayName, length: node.length };
      arrays.push(node);
      return ref;
    }
    if (Array.isArray(node)) return node.map(replace);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (v !== undefined) out[k] = replace(v);
    return out;
  };
  const replaced = replace(tree);
  const sections: Section[] = [];
  const fixedManifest = { kind, fingerprint, tree: replaced };
  let offset = 0;
  for (const a of arrays) {
    sections.push({ offset, bytes: a.byteLength });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  // The sections start after the manifest, whose length depends on the offsets written
  // in it: grow the start until the packed manifest fits before it (offsets only grow,
  // so this settles in a step or two).
  let base = 0;
  let manifest: Buffer;
  for (;;) {
    manifest = packr.pack({ ...fixedManifest, sections: sections.map((s) => ({ offset: s.offset + base, bytes: s.bytes })) } satisfies Manifest);
    const needed = Math.ceil((HEADER_BYTES + manifest.length) / 8) * 8;
    if (needed <= base) break;
    base = needed;
  }
  const total = base + offset;
  const file = Buffer.alloc(total);
  MAGIC.copy(file, 0);
  file.writeUInt32LE(FORMAT_VERSION, 8);
  file.writeUInt32LE(manifest.length, 12);
  file.writeBigUInt64LE(BigInt(total), 20);
  manifest.copy(file, HEADER_BYTES);
  arrays.forEach((a, i) => file.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), base + sections[i].offset));
  file.writeUInt32LE(crc32(file.subarray(HEADER_BYTES)), 16);

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

export function readCompiledIndex<T>(path: string, kind: string, fingerprint: string): CompiledRead<T> {
  let file: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      file = Buffer.allocUnsafeSlow(size);
      if (readSync(fd, file, 0, size, 0) !== size) return { ok: false, reason: 'corrupt', detail: 'short read' };
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return { ok: false, reason: 'missing', detail: (e as Error).message };
  }
  const corrupt = (detail: string): CompiledRead<T> => ({ ok: false, reason: 'corrupt', detail });
  if (file.length < HEADER_BYTES || !file.subarray(0, 8).equals(MAGIC)) return corrupt('not a compiled index (bad magic)');
  const version = file.readUInt32LE(8);
  if (version !== FORMAT_VERSION) return { ok: false, reason: 'stale', detail: `format version ${version}, expected ${FORMAT_VERSION}` };
  const total = Number(file.readBigUInt64LE(20));
  if (total !== file.length) return corrupt(`truncated or padded: ${file.length} bytes, header says ${total}`);
  if (crc32(file.subarray(HEADER_BYTES)) !== file.readUInt32LE(16)) return corrupt('checksum mismatch');
  let manifest: Manifest;
  try {
    manifest = packr.unpack(file.subarray(HEADER_BYTES, HEADER_BYTES + file.readUInt32LE(12))) as Manifest;
  } catch (e) {
    return corrupt(`manifest does not decode: ${(e as Error).message}`);
  }
  if (manifest.kind !== kind) return corrupt(`holds ${manifest.kind}, expected ${kind}`);
  if (manifest.fingerprint !== fingerprint) return { ok: false, reason: 'stale', detail: 'source files changed' };
  const restore = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(restore);
    if (node === null || typeof node !== 'object') return node;
    const ref = node as SectionRef;
    if (typeof ref.$section === 'number') {
      const section = manifest.sections[ref.$section];
      const Ctor = TYPED_ARRAYS[ref.type];
      if (!section || !Ctor || section.bytes !== ref.length * Ctor.BYTES_PER_ELEMENT || section.offset + section.bytes > file.length) {
        throw new Error(`section ${ref.$section} is out of bounds`);
      }
      return new Ctor(file.buffer as ArrayBuffer, file.byteOffset + section.offset, ref.length);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = restore(v);
    return out;
  };
  try {
    return { ok: true, tree: restore(manifest.tree) as T };
  } catch (e) {
    return corrupt((e as Error).message);
  }
}
