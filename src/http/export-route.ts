/**
 * Bulk export as JSON Lines, for the Python client and for training pipelines that want a
 * whole split in one request instead of hundreds of GraphQL pages.
 *
 *   GET /export/<dataset>/<splitBy>.jsonl[?split=testA][&include=masks]
 *       one ref per line: the ref as in the refs file (ref_id, ann_id, image_id,
 *       category_id, split, sent_ids, sentences, file_name), plus `box` (getRefBox),
 *       `category` {id, name, supercategory}, `image` (instances.json's image record) and
 *       `annotation` (its annotation record, segmentation as in the file); with
 *       include=masks also `mask` {size: [h, w], counts}, the union mask's compressed RLE
 *   GET /export/<dataset>/<splitBy>/<refs|images|annotations|categories>.jsonl
 *       every record of that kind, one per line, exactly as the files hold them (refs:
 *       the refs file; the others: instances.json), in file order
 *       segmentations.jsonl: each annotation's segmentation alone, in annotation order
 *   GET /export/<dataset>/<splitBy>/data.jsonl[?segmentation=omit]
 *       all four in one request (what REFER keeps as `refer.data`): a first line
 *       {dataset, splitBy, sections: {kind: count}}, then per kind (categories, images,
 *       annotations, refs) a line {"section": kind, "count": n} and its n records.
 *       segmentation=omit leaves out the annotations' segmentation (most of the bytes),
 *       for clients that fetch segmentations.jsonl only when one is read.
 *       The section lines of images, annotations and refs also carry `keys`, their ids
 *       and relations as parallel arrays (rows are 0-based positions in the sections):
 *         images {id}, annotations {id, image_row},
 *         refs {ref_id, ann_row, image_row, category_id, sent_start, sent_id}
 *       (ref r's sentences are sent_id[sent_start[r] .. sent_start[r+1]]), so a client
 *       can index every record without parsing one. The segmentation=omit body is built
 *       once per store and kept, with its gzip (the Python client asks for it at every
 *       REFER session), and on disk beside the compiled indexes for the next server
 *       (export-kept-bodies.ts, src/core/export/).
 *
 * Bodies are produced a batch of lines at a time as the client reads them (a pull
 * stream: a slow reader stops production, so server memory stays flat), and gzipped when
 * the request's Accept-Encoding allows it. Errors before the first byte are plain-text
 * 400/404; a record whose mask cannot be computed is a line {"error": "..."} naming it,
 * so a long export never dies silently half-way.
 */
import type { Catalog } from '../core/catalog';
import { DataError, NotFoundError } from '../core/errors';
import { refMask } from '../core/masks';
import type { ReferStore } from '../core/store/store';
import { rleToString } from '../mask';
import type { Plugin } from 'graphql-yoga';
import { KeptBodies, type BodyFiles } from './export-kept-bodies';
import { decodeIdSegment, refuseMethod, textResponse as text, type Responses } from './responses';

// The export bodies' code is required by the first /export request, not when the server
// starts (issue 8 §2).
const dataBodyModule = () => require('../core/export/data-body') as typeof import('../core/export/data-body');
const dataBodyFileModule = () => require('../core/export/data-body-file') as typeof import('../core/export/data-body-file');

/** Everything the export reads from a store, in one place. */
function exportSource(store: ReferStore) {
  return {
    refCount: store.refCount,
    imageCount: store.imageCount,
    annotationCount: store.annotationCount,
    categoryCount: store.categoryCount,
    checkSplit: (split: string) => store.checkSplit(split),
    refIdsOfSplit: (split: string) => store.getRefIds({ split }),
    refRow: (refId: number) => store.refRow(refId),
    /** REFER's ref record; G_REFER's (target lists) for gRefCOCO. */
    ref: (row: number) => (store.hasTargetLists ? store.gRefAt(row) : store.refAt(row)),
    image: (row: number) => store.imageAt(row),
    annotation: (row: number) => store.annotationAt(row),
    segmentation: (row: number) => store.segmentationAt(row),
    category: (row: number) => store.categoryAt(row),
    /** The ref with its box, category, image and annotation records; lists of them for gRefCOCO's 0..n targets. */
    refWithRecords(row: number) {
      if (store.hasTargetLists) {
        const annotations = store.annotationsOfRef(row).map((a) => store.annotationAt(a));
        return {
          ...store.gRefAt(row),
          boxes: annotations.map((a) => a.bbox),
          categories: store.annotationsOfRef(row).map((a) => store.categoryAt(store.categoryOfAnnotation(a))),
          image: store.imageAt(store.imageOfRef(row)),
          annotations,
        };
      }
      const annotation = store.annotationAt(store.referredAnnotation(row));
      return {
        ...store.refAt(row),
        box: annotation.bbox,
        category: store.categoryAt(store.categoryOfRef(row)),
        image: store.imageAt(store.imageOfRef(row)),
        annotation,
      };
    },
    /** Computed, not kept: an export walks every ref once and would only evict the masks in use. */
    refMask(row: number) {
      const rle = refMask(store, row);
      return { size: [rle.h, rle.w], counts: rleToString(rle) };
    },
  };
}

type ExportSource = ReturnType<typeof exportSource>;

const PREFIX = '/export/';
const KINDS = ['refs', 'images', 'annotations', 'categories', 'segmentations'] as const;
type Kind = (typeof KINDS)[number];
/** Bytes of data.jsonl?segmentation=omit bodies and their gzip kept (refcoco's full scale: 57 + 11 MB); least recently used go first. */
const KEPT_BODY_BYTES = 192 * 1024 * 1024;
/** Lines per chunk: big enough that per-chunk overhead vanishes, small enough to stay flat. */
const LINES_PER_CHUNK = 256;
const USAGE = `${PREFIX}<dataset>/<splitBy>.jsonl[?split=…][&include=masks] or ${PREFIX}<dataset>/<splitBy>/<${KINDS.join('|')}|data>.jsonl`;

/** A pull stream of JSON lines: line(i) for i in [0, count), LINES_PER_CHUNK at a time. */
function jsonLines(count: number, line: (i: number) => unknown): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const end = Math.min(count, next + LINES_PER_CHUNK);
        let chunk = '';
        for (; next < end; next++) chunk += `${JSON.stringify(line(next))}\n`;
        if (chunk) controller.enqueue(encoder.encode(chunk));
        if (next >= count) controller.close();
      },
    },
    { highWaterMark: 1 },
  );
}

function acceptsGzip(request: Request): boolean {
  const accept = request.headers.get('accept-encoding') ?? '';
  return accept.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    const q = params.find((p) => p.trim().startsWith('q='));
    return coding.trim().toLowerCase() === 'gzip' && (!q || Number(q.trim().slice(2)) > 0);
  });
}

/** A pull stream of prepared chunks, one per pull, so a slow reader stops production. */
function chunkStream(chunks: Iterator<Buffer>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    },
    { highWaterMark: 1 },
  );
}

/** What an export answers: a stream (gzipped on the way when the request accepts it), or kept bytes already in their final encoding. */
type ExportBody = ReadableStream<Uint8Array> | { bytes: Uint8Array; gzipped: boolean };

function exportHttpResponse(fetchAPI: Responses, request: Request, content: ExportBody, fileName: string): Response {
  const headers: Record<string, string> = {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'content-disposition': `inline; filename="${fileName}"`,
    vary: 'accept-encoding',
  };
  if (request.method === 'HEAD') return new fetchAPI.Response(null, { status: 200, headers });
  if (!(content instanceof ReadableStream)) {
    if (content.gzipped) headers['content-encoding'] = 'gzip';
    return new fetchAPI.Response(content.bytes as Uint8Array<ArrayBuffer>, { status: 200, headers });
  }
  if (!acceptsGzip(request)) return new fetchAPI.Response(content, { status: 200, headers });
  headers['content-encoding'] = 'gzip';
  return new fetchAPI.Response(content.pipeThrough(new CompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>), { status: 200, headers });
}

/** The ref lines of /export/<dataset>/<splitBy>.jsonl. */
function refLines(source: ExportSource, url: URL): ReadableStream<Uint8Array> {
  const split = url.searchParams.get('split');
  const include = url.searchParams.getAll('include').flatMap((v) => v.split(','));
  const unknown = include.filter((v) => v !== 'masks');
  if (unknown.length) throw new DataError(`include=${unknown.join(',')} is not known; valid: include=masks`);
  if (split !== null) source.checkSplit(split);
  const rows = split === null ? undefined : source.refIdsOfSplit(split).map((id) => source.refRow(id));
  const withMasks = include.includes('masks');
  return jsonLines(rows ? rows.length : source.refCount, (i) => {
    const row = rows ? rows[i] : i;
    const record: Record<string, unknown> = source.refWithRecords(row);
    if (withMasks) {
      try {
        record.mask = source.refMask(row);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        return { error: e.message, ref_id: record.ref_id };
      }
    }
    return record;
  });
}

function recordLines(source: ExportSource, kind: Kind): ReadableStream<Uint8Array> {
  switch (kind) {
    case 'refs':
      return jsonLines(source.refCount, source.ref);
    case 'images':
      return jsonLines(source.imageCount, source.image);
    case 'annotations':
      return jsonLines(source.annotationCount, source.annotation);
    case 'categories':
      return jsonLines(source.categoryCount, source.category);
    case 'segmentations':
      return jsonLines(source.annotationCount, source.segmentation);
  }
}

function omitsSegmentation(url: URL): boolean {
  const segmentation = url.searchParams.get('segmentation') ?? 'include';
  if (segmentation !== 'include' && segmentation !== 'omit') throw new DataError(`segmentation=${segmentation} is not known; valid: segmentation=include (default) or segmentation=omit`);
  return segmentation === 'omit';
}

async function exportResponse(catalog: Catalog, keptBodies: KeptBodies, request: Request, url: URL, fetchAPI: Responses): Promise<Response> {
  const path = url.pathname.slice(PREFIX.length);
  const whole = /^([^/]+)\/([^/]+)\/([^/]+)\.jsonl$/.exec(path);
  const refs = whole ? null : /^([^/]+)\/([^/]+)\.jsonl$/.exec(path);
  const match = whole ?? refs;
  if (!match) return text(fetchAPI, 404, `no export at ${url.pathname}: expected ${USAGE}`);
  const [dataset, splitBy] = [decodeIdSegment(match[1]), decodeIdSegment(match[2])];
  if (dataset === undefined || splitBy === undefined) return text(fetchAPI, 404, `no export at ${url.pathname}: broken %-escape in the dataset or splitBy`);
  if (whole && whole[3] !== 'data' && !KINDS.includes(whole[3] as Kind)) return text(fetchAPI, 404, `no export at ${url.pathname}: "${whole[3]}" is not one of ${KINDS.join(', ')}, data`);
  try {
    const store = catalog.get(dataset, splitBy);
    const source = exportSource(store);
    const body = !whole ? refLines(source, url) : whole[3] !== 'data' ? recordLines(source, whole[3] as Kind) : await dataBody(store, keptBodies, url, request);
    const fileName = whole ? `${dataset}_${splitBy}_${whole[3]}.jsonl` : `${dataset}_${splitBy}.jsonl`;
    return exportHttpResponse(fetchAPI, request, body, fileName);
  } catch (e) {
    if (e instanceof NotFoundError) return text(fetchAPI, 404, `no export: ${e.message}`);
    if (e instanceof DataError) return text(fetchAPI, 400, `no export: ${e.message}`);
    throw e;
  }
}

/**
 * data.jsonl: streamed, or with segmentation=omit the body kept for the store, gzipped
 * once when asked (HEAD builds nothing).
 */
async function dataBody(store: ReferStore, keptBodies: KeptBodies, url: URL, request: Request): Promise<ExportBody> {
  const segmentation = !omitsSegmentation(url);
  const chunks = dataBodyModule().dataBodyChunks(store, { segmentation });
  if (segmentation || request.method === 'HEAD') return chunkStream(chunks);
  if (acceptsGzip(request)) return { bytes: await keptBodies.encoded(store, 'gzip', () => chunks), gzipped: true };
  return { bytes: await keptBodies.body(store, () => chunks), gzipped: false };
}

/** data.jsonl?segmentation=omit bodies kept beside the catalog's compiled indexes. */
function bodyFilesOf(catalog: Catalog): BodyFiles {
  return {
    path: (store) => dataBodyFileModule().dataBodyFile(catalog, store),
    read: (path, store) => dataBodyFileModule().readDataBodyFile(path, store),
    write: (path, store, body) => dataBodyFileModule().writeDataBodyFile(path, store, body),
  };
}

/** The route as a Yoga plugin: it answers /export/… itself, and leaves every other path alone. */
export function useExportRoute(catalog: Catalog, keptBodies = new KeptBodies(KEPT_BODY_BYTES, { files: bodyFilesOf(catalog) })): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(PREFIX)) return;
      endResponse(refuseMethod(fetchAPI, request, `${PREFIX}…`) ?? (await exportResponse(catalog, keptBodies, request, url, fetchAPI)));
    },
  };
}
