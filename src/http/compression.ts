/**
 * gzip / brotli for text responses (JSON answers, GraphiQL's 9 MB page, the explorer's
 * files), chosen by the request's Accept-Encoding. Images and PNGs are already
 * compressed and pass as they are, as do streams (@defer, SSE) that must not be buffered.
 *
 * A response with an ETag is the same bytes every time, so its compressed form is kept
 * (by ETag and encoding, within a byte budget) and compressed once at a higher setting.
 * The ETag of a compressed response becomes weak (W/"…"), as nginx does: the bytes differ
 * from the identity encoding's, and If-None-Match compares weakly (see etagMatches).
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';
import { addVary } from './vary';

export type Encoding = 'br' | 'gzip';

const compressBrotli = promisify(brotliCompress);
const compressGzip = promisify(gzip);

/** Below this, compression saves less than its headers and CPU cost. */
const MIN_BYTES = 1024;

const COMPRESSIBLE = /^(text\/(?!event-stream)|application\/(json|graphql-response\+json|javascript)|image\/svg\+xml)/;

/**
 * The encoding to use for an Accept-Encoding header: brotli over gzip, honouring q=0.
 * Undefined for none (or identity only).
 */
export function chooseEncoding(acceptEncoding: string | null): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name.trim(), q ? Number(q.slice(2)) || 0 : 1);
  }
  const quality = (name: Encoding) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (quality('br') > 0 && quality('br') >= quality('gzip')) return 'br';
  if (quality('gzip') > 0) return 'gzip';
  return undefined;
}

/**
 * zlib runs on libuv's thread pool, off the event loop. On GraphiQL's 9 MB page brotli 5
 * takes ~1.5 s for 1.95 MB, brotli 9 ~6 s for 1.86 MB, gzip 9 no smaller than gzip 6
 * (2.43 MB, ~0.5 s): 5 for kept bodies, 4 (~2× faster) for answers compressed each time.
 */
async function compress(body: Uint8Array, encoding: Encoding, kept: boolean): Promise<Uint8Array<ArrayBuffer>> {
  const compressed =
    encoding === 'gzip'
      ? await compressGzip(body, { level: 6 })
      : await compressBrotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: kept ? 5 : 4, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength } });
  return new Uint8Array(compressed);
}

/** Compressed bodies of ETag'd responses, least recently used dropped first past maxBytes. */
class CompressedBodies {
  private readonly entries = new Map<string, Uint8Array<ArrayBuffer>>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string): Uint8Array<ArrayBuffer> | undefined {
    const body = this.entries.get(key);
    if (body) {
      this.entries.delete(key);
      this.entries.set(key, body);
    }
    return body;
  }

  set(key: string, body: Uint8Array<ArrayBuffer>): void {
    if (body.byteLength > this.maxBytes || this.entries.has(key)) return;
    this.entries.set(key, body);
    this.bytes += body.byteLength;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.byteLength;
    }
  }
}

export function useCompression({ keptBytes = 32 * 2 ** 20 }: { keptBytes?: number } = {}): Plugin {
  const kept = new CompressedBodies(keptBytes);
  // Concurrent first requests for one ETag share one compression.
  const pending = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      const type = response.headers.get('content-type') ?? '';
      if (!COMPRESSIBLE.test(type) || response.headers.has('content-encoding')) return;
      addVary(response.headers, 'Accept-Encoding');
      const encoding = chooseEncoding(request.headers.get('accept-encoding'));
      if (!encoding || response.status !== 200 || request.method === 'HEAD') return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.delete('content-length');
      headers.set('content-encoding', encoding);
      const etag = response.headers.get('etag');
      if (etag && !etag.startsWith('W/')) headers.set('etag', `W/${etag}`);
      const key = etag ? `${encoding} ${etag}` : undefined;
      // A kept body is answered without reading the response's own (9 MB for GraphiQL).
      const known = key && kept.get(key);
      if (known) {
        setResponse(new fetchAPI.Response(known, { status: 200, headers }));
        return;
      }
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.byteLength < MIN_BYTES) {
        headers.delete('content-encoding');
        if (etag) headers.set('etag', etag);
        setResponse(new fetchAPI.Response(body, { status: 200, headers }));
        return;
      }
      let compressed: Uint8Array<ArrayBuffer>;
      if (key) {
        let compressing = pending.get(key);
        if (!compressing) {
          compressing = compress(body, encoding, true).finally(() => pending.delete(key));
          pending.set(key, compressing);
        }
        compressed = await compressing;
        kept.set(key, compressed);
      } else {
        compressed = await compress(body, encoding, false);
      }
      setResponse(new fetchAPI.Response(compressed, { status: 200, headers }));
    },
  };
}
