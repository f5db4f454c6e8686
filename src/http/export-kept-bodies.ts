/**
 * The kept bodies of data.jsonl?segmentation=omit, which the Python client asks for at
 * every REFER session: produced once per store, and gzipped once per store for the
 * clients that ask for gzip (all but loopback ones), within one byte budget.
 *
 * A fresh server reads the body from its file beside the compiled indexes when there is
 * one (files: see src/core/export/data-body-file.ts) and writes it there otherwise.
 * Producing a body runs on the event loop (it reads the store), so it is done in slices
 * of at most SLICE_MS between which other requests are answered; gzip runs on libuv's
 * thread pool. Keyed by the store object, so a reloaded catalog never gets a stale body.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ReferStore } from '../core/store/store';

/** The one encoding the export offers (brotli would take ~4× gzip's time on 57 MB). */
export type KeptEncoding = 'gzip';

export type Compress = (body: Uint8Array, encoding: KeptEncoding) => Promise<Uint8Array>;

const gzipAsync = promisify(gzip);
const gzipBody: Compress = (body) => gzipAsync(body, { level: 6 });

/** Bodies kept on disk (beside the compiled indexes), read by a fresh server instead of produced. */
export interface BodyFiles {
  /** Where the store's body is kept; undefined for none. */
  path(store: ReferStore): string | undefined;
  read(path: string, store: ReferStore): Promise<Buffer | undefined>;
  write(path: string, store: ReferStore, body: Buffer): Promise<void>;
}

/** Longest run of body production between two turns of the event loop. */
const SLICE_MS = 20;

interface KeptBody {
  body: Buffer;
  /** Compressed forms, kept from the first request that asks for one. */
  compressed: Map<KeptEncoding, Promise<Uint8Array>>;
  /** Bytes of the compressed forms that have finished. */
  compressedBytes: number;
}

/** Collects a body's chunks, yielding to the event loop whenever a slice has run SLICE_MS. */
async function collectInSlices(chunks: Iterator<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  let sliceStart = performance.now();
  for (let next = chunks.next(); !next.done; next = chunks.next()) {
    parts.push(next.value);
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  return Buffer.concat(parts);
}

/** Bodies and their compressed forms, least recently used store first out past maxBytes. */
export class KeptBodies {
  private readonly entries = new Map<ReferStore, KeptBody>();
  /** Bodies being produced: requests that arrive meanwhile wait for the same one. */
  private readonly producing = new Map<ReferStore, Promise<Buffer>>();
  private bytes = 0;

  private readonly compress: Compress;
  private readonly files?: BodyFiles;

  constructor(
    private readonly maxBytes: number,
    options: { compress?: Compress; files?: BodyFiles } = {},
  ) {
    this.compress = options.compress ?? gzipBody;
    this.files = options.files;
  }

  /** The store's body: kept, being produced, or produced now from `chunks()` (called once). */
  body(store: ReferStore, chunks: () => Iterator<Buffer>): Promise<Buffer> {
    const kept = this.entries.get(store);
    if (kept) {
      this.entries.delete(store);
      this.entries.set(store, kept);
      return Promise.resolve(kept.body);
    }
    let body = this.producing.get(store);
    if (!body) {
      body = this.produce(store, chunks)
        .then((bytes) => this.keep(store, bytes))
        .finally(() => this.producing.delete(store));
      this.producing.set(store, body);
    }
    return body;
  }

  /** The store's body in `encoding`, compressed once and kept beside the body. */
  async encoded(store: ReferStore, encoding: KeptEncoding, chunks: () => Iterator<Buffer>): Promise<Uint8Array> {
    const body = await this.body(store, chunks);
    const kept = this.entries.get(store);
    // Too big to keep, or evicted meanwhile: compressed for this request alone.
    if (kept?.body !== body) return this.compress(body, encoding);
    let compressed = kept.compressed.get(encoding);
    if (!compressed) {
      const compressing = this.compress(body, encoding);
      kept.compressed.set(encoding, compressing);
      compressing.then(
        (bytes) => {
          if (this.entries.get(store) !== kept || kept.compressed.get(encoding) !== compressing) return;
          kept.compressedBytes += bytes.byteLength;
          this.bytes += bytes.byteLength;
          this.evict(store);
        },
        () => kept.compressed.delete(encoding),
      );
      compressed = compressing;
    }
    return compressed;
  }

  /** The body from its file, or produced in slices and then written to its file for the next server. */
  private async produce(store: ReferStore, chunks: () => Iterator<Buffer>): Promise<Buffer> {
    const path = this.files?.path(store);
    const fromFile = path ? await this.files!.read(path, store) : undefined;
    if (fromFile) return fromFile;
    const body = await collectInSlices(chunks());
    // A cache folder that cannot be written only means the next server produces the body again.
    if (path) this.files!.write(path, store, body).catch(() => {});
    return body;
  }

  private keep(store: ReferStore, body: Buffer): Buffer {
    if (body.byteLength > this.maxBytes) return body;
    this.entries.set(store, { body, compressed: new Map(), compressedBytes: 0 });
    this.bytes += body.byteLength;
    this.evict(store);
    return body;
  }

  /** Drops least recently used entries past the budget; then, if still past it, `current`'s compressed forms (never its body). */
  private evict(current: ReferStore): void {
    for (const [store, kept] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      if (store === current) continue;
      this.entries.delete(store);
      this.bytes -= kept.body.byteLength + kept.compressedBytes;
    }
    const last = this.entries.get(current);
    if (last && this.bytes > this.maxBytes) {
      this.bytes -= last.compressedBytes;
      last.compressed.clear();
      last.compressedBytes = 0;
    }
  }
}
