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
 *       once per store and kept (the Python client asks for it at every REFER session).
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
import { decodeIdSegment, refuseMethod, textResponse as text, type Responses } from './responses';

/** Everything the export reads from a store, in one place. */
function exportSource(store: ReferStore) {
  return {
    refCount: store.refCount,
    imageCount: store.imageCount,
    annotationCount: store.annotationCount,
    categoryCount: store.categoryCount,
    store,
    checkSplit: (split: string) => store.checkSplit(split),
    refIdsOfSplit: (split: string) => store.getRefIds({ split }),
    refRow: (refId: number) => store.refRow(refId),
    /** REFER's ref record; G_REFER's (target lists) for gRefCOCO. */
    ref: (row: number) => (store.hasTargetLists ? store.gRefAt(row) : store.refAt(row)),
    image: (row: number) => store.imageAt(row),
    annotation: (row: number) => store.annotationAt(row),
    annotationWithoutSegmentation(row: number) {
      const { segmentation: _omitted, ...rest } = store.annotationAt(row);
      return rest;
    },
    segmentation: (row: number) => store.segmentationAt(row),
    category: (row: number) => store.categoryAt(row),
    /** The `keys` of data.jsonl's section lines, per kind (REFER's one-object refs). */
    sectionKeys(): Record<'images' | 'annotations' | 'refs', Record<string, unknown[]>> {
      if (store.hasTargetLists) throw new DataError(`${store.name}: data.jsonl is REFER's bulk transfer and its refs name one object each; for gRefCOCO use refs.jsonl, annotations.jsonl and images.jsonl`);
      const c = store.bulkKeyColumns();
      return {
        images: { id: Array.from(c.imageId) },
        annotations: { id: [...c.annId], image_row: Array.from(c.annImageRow) },
        refs: { ref_id: Array.from(c.refId), ann_row: Array.from(c.refAnnRow), image_row: Array.from(c.refImageRow), category_id: Array.from(c.refCategoryId), sent_start: Array.from(c.sentStart), sent_id: Array.from(c.sentId) },
      };
    },
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
/** Bytes of data.jsonl?segmentation=omit bodies kept (refcoco's full scale is ~55 MB); least recently used go first. */
const DATA_BODY_CACHE_BYTES = 192 * 1024 * 1024;
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

function streamResponse(fetchAPI: Responses, request: Request, content: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer>, fileName: string): Response {
  const headers: Record<string, string> = {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'content-disposition': `inline; filename="${fileName}"`,
    vary: 'accept-encoding',
  };
  if (request.method === 'HEAD') return new fetchAPI.Response(null, { status: 200, headers });
  if (!acceptsGzip(request)) return new fetchAPI.Response(content, { status: 200, headers });
  const body = content instanceof Uint8Array ? new fetchAPI.Response(content).body! : content;
  headers['content-encoding'] = 'gzip';
  return new fetchAPI.Response(body.pipeThrough(new CompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>), { status: 200, headers });
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

/**
 * data.jsonl: REFER's `data` in one request — for each of categories, images,
 * annotations and refs a header line {"section": kind, "count": n}, then its n records.
 */
function dataLines(source: ExportSource, dataset: string, splitBy: string, omitSegmentation: boolean): ReadableStream<Uint8Array> {
  const keys = source.sectionKeys();
  const sections = [
    { kind: 'categories', count: source.categoryCount, record: source.category, keys: undefined },
    { kind: 'images', count: source.imageCount, record: source.image, keys: keys.images },
    { kind: 'annotations', count: source.annotationCount, record: omitSegmentation ? source.annotationWithoutSegmentation : source.annotation, keys: keys.annotations },
    { kind: 'refs', count: source.refCount, record: source.ref, keys: keys.refs },
  ];
  const total = 1 + sections.reduce((n, s) => n + s.count + 1, 0);
  let section = -1;
  let sectionStart = 1;
  return jsonLines(total, (i) => {
    if (i === 0) return { dataset, splitBy, sections: Object.fromEntries(sections.map((s) => [s.kind, s.count])) };
    // Lines are asked for in order, so the current section only ever moves forward.
    while (section < 0 || i > sectionStart + sections[section].count) {
      sectionStart = section < 0 ? 1 : sectionStart + sections[section].count + 1;
      section++;
    }
    const { kind, count, record, keys } = sections[section];
    return i === sectionStart ? { section: kind, count, keys } : record(i - sectionStart - 1);
  });
}

function omitsSegmentation(url: URL): boolean {
  const segmentation = url.searchParams.get('segmentation') ?? 'include';
  if (segmentation !== 'include' && segmentation !== 'omit') throw new DataError(`segmentation=${segmentation} is not known; valid: segmentation=include (default) or segmentation=omit`);
  return segmentation === 'omit';
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}

/**
 * data.jsonl?segmentation=omit bodies by store, least recently used first out past
 * DATA_BODY_CACHE_BYTES: producing one costs seconds of JSON.stringify, sending a kept one
 * nothing. Keyed by the store object, so a reloaded catalog never gets a stale body.
 */
class DataBodies {
  private readonly bodies = new Map<ReferStore, Uint8Array<ArrayBuffer>>();
  /** Bodies being produced: requests that arrive meanwhile wait for the same one. */
  private readonly pending = new Map<ReferStore, Promise<Uint8Array<ArrayBuffer>>>();
  private bytes = 0;

  get(store: ReferStore, produce: () => ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
    const kept = this.bodies.get(store);
    if (kept) {
      this.bodies.delete(store);
      this.bodies.set(store, kept);
      return Promise.resolve(kept);
    }
    let body = this.pending.get(store);
    if (!body) {
      body = readAll(produce())
        .then((bytes) => this.keep(store, bytes))
        .finally(() => this.pending.delete(store));
      this.pending.set(store, body);
    }
    return body;
  }

  private keep(store: ReferStore, body: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
    if (body.byteLength > DATA_BODY_CACHE_BYTES) return body;
    this.bodies.set(store, body);
    this.bytes += body.byteLength;
    for (const [oldest, oldBody] of this.bodies) {
      if (this.bytes <= DATA_BODY_CACHE_BYTES) break;
      this.bodies.delete(oldest);
      this.bytes -= oldBody.byteLength;
    }
    return body;
  }
}

async function exportResponse(catalog: Catalog, dataBodies: DataBodies, request: Request, url: URL, fetchAPI: Responses): Promise<Response> {
  const path = url.pathname.slice(PREFIX.length);
  const whole = /^([^/]+)\/([^/]+)\/([^/]+)\.jsonl$/.exec(path);
  const refs = whole ? null : /^([^/]+)\/([^/]+)\.jsonl$/.exec(path);
  const match = whole ?? refs;
  if (!match) return text(fetchAPI, 404, `no export at ${url.pathname}: expected ${USAGE}`);
  const [dataset, splitBy] = [decodeIdSegment(match[1]), decodeIdSegment(match[2])];
  if (dataset === undefined || splitBy === undefined) return text(fetchAPI, 404, `no export at ${url.pathname}: broken %-escape in the dataset or splitBy`);
  if (whole && whole[3] !== 'data' && !KINDS.includes(whole[3] as Kind)) return text(fetchAPI, 404, `no export at ${url.pathname}: "${whole[3]}" is not one of ${KINDS.join(', ')}, data`);
  try {
    const source = exportSource(catalog.get(dataset, splitBy));
    const body = !whole ? refLines(source, url) : whole[3] !== 'data' ? recordLines(source, whole[3] as Kind) : await dataBody(source, dataBodies, dataset, splitBy, url, request);
    const fileName = whole ? `${dataset}_${splitBy}_${whole[3]}.jsonl` : `${dataset}_${splitBy}.jsonl`;
    return streamResponse(fetchAPI, request, body, fileName);
  } catch (e) {
    if (e instanceof NotFoundError) return text(fetchAPI, 404, `no export: ${e.message}`);
    if (e instanceof DataError) return text(fetchAPI, 400, `no export: ${e.message}`);
    throw e;
  }
}

/** data.jsonl: streamed, or with segmentation=omit the body kept for the store (HEAD builds nothing). */
async function dataBody(source: ExportSource, dataBodies: DataBodies, dataset: string, splitBy: string, url: URL, request: Request): Promise<ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer>> {
  const omit = omitsSegmentation(url);
  const produce = () => dataLines(source, dataset, splitBy, omit);
  if (!omit || request.method === 'HEAD') return produce();
  return dataBodies.get(source.store, produce);
}

/** The route as a Yoga plugin: it answers /export/… itself, and leaves every other path alone. */
export function useExportRoute(catalog: Catalog): Plugin {
  const dataBodies = new DataBodies();
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(PREFIX)) return;
      endResponse(refuseMethod(fetchAPI, request, `${PREFIX}…`) ?? (await exportResponse(catalog, dataBodies, request, url, fetchAPI)));
    },
  };
}
