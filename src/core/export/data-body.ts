/**
 * The body of GET /export/<dataset>/<splitBy>/data.jsonl (REFER's `data` in one
 * response), written straight from the store's columns as UTF-8 chunks.
 *
 * Why not JSON.stringify of the store's records: building a record object per row
 * (and, for segmentation=omit, each annotation's segmentation only to drop it) cost
 * ~2.8 s of CPU on full-scale refcoco/unc, and the Python client's first session waited
 * for it. Here each kind's fields are known in advance, so a line is one template
 * literal over typed columns, and strings that repeat (split names) are escaped once.
 * The bytes are exactly those of JSON.stringify of store.categoryAt / imageAt /
 * annotationAt / refAt (test/export-data-body.test.ts compares them on every sample pair).
 */
import { stringAt, type StringColumn } from '../store/columns';
import { DataError } from '../errors';
import type { ReferStore } from '../store/store';


export interface DataBodyOptions {
  /** false: leave out the annotations' segmentation (most of the bytes). */
  segmentation: boolean;
}

/** JSON.stringify's rendering of a number: non-finite values are null. */
function num(n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null';
}

/** `,"key":"value"` for a text column's row, '' where the record lacks the field (''). */
function optionalText(key: string, column: StringColumn | undefined, row: number): string {
  if (!column) return '';
  const value = stringAt(column, row);
  return value === '' ? '' : `,"${key}":${JSON.stringify(value)}`;
}

/**
 * data.jsonl as a sequence of UTF-8 chunks of a few milliseconds' work each: a first line
 * {dataset, splitBy, sections}, then per kind (categories, images, annotations, refs)
 * its header line (count and key columns) and its records. Checked before the first
 * chunk is asked for: gRefCOCO's refs name 0..n objects and have no place here.
 */
export function dataBodyChunks(store: ReferStore, options: DataBodyOptions): Iterator<Buffer> {
  if (store.hasTargetLists) throw new DataError(`${store.name}: data.jsonl is REFER's bulk transfer and its refs name one object each; for gRefCOCO use refs.jsonl, annotations.jsonl and images.jsonl`);
  return chunks(store, options);
}

function* chunks(store: ReferStore, { segmentation }: DataBodyOptions): Generator<Buffer> {
  const keys = store.bulkKeyColumns();
  const { categories, images, annotations } = store.instances.tables;
  const refs = store.refs;
  const counts = { categories: store.categoryCount, images: store.imageCount, annotations: store.annotationCount, refs: store.refCount };
  const annIdJson = annotations.stringId ? keys.annId.map((id) => JSON.stringify(id)) : undefined;
  const annId = (row: number) => (annIdJson ? annIdJson[row] : num(annotations.id[row]));

  yield line({ dataset: store.dataset, splitBy: store.splitBy, sections: counts });

  yield* sectionHeader('categories', counts.categories);
  yield* rows(counts.categories, (r) => JSON.stringify({ id: categories.id[r], name: categories.name[r], supercategory: categories.supercategory[r] }));

  yield* sectionHeader('images', counts.images, { id: keys.imageId });
  yield* rows(counts.images, (r) => {
    const license = images.license && !Number.isNaN(images.license[r]) ? `,"license":${num(images.license[r])}` : '';
    return (
      `{"id":${num(images.id[r])},"file_name":${JSON.stringify(stringAt(images.fileName, r))},"height":${images.height[r]},"width":${images.width[r]}` +
      `${optionalText('coco_url', images.cocoUrl, r)}${optionalText('flickr_url', images.flickrUrl, r)}${license}${optionalText('date_captured', images.dateCaptured, r)}}`
    );
  });

  yield* sectionHeader('annotations', counts.annotations, { id: keys.annId, image_row: keys.annImageRow });
  const { bbox, area, iscrowd } = annotations;
  yield* rows(counts.annotations, (r) => {
    const b = r * 4;
    const seg = segmentation ? `,"segmentation":${JSON.stringify(store.segmentationAt(r))}` : '';
    const crowd = iscrowd ? `,"iscrowd":${iscrowd[r]}` : '';
    return (
      `{"id":${annId(r)},"image_id":${num(images.id[annotations.imageRow[r]])},"category_id":${annotations.categoryId[r]},` +
      `"bbox":[${num(bbox[b])},${num(bbox[b + 1])},${num(bbox[b + 2])},${num(bbox[b + 3])}],"area":${num(area[r])}${seg}${crowd}${optionalText('mask_name', annotations.maskName, r)}}`
    );
  });

  const { refId, refAnnRow, refImageRow, refCategoryId, sentStart, sentId } = keys;
  yield* sectionHeader('refs', counts.refs, { ref_id: refId, ann_row: refAnnRow, image_row: refImageRow, category_id: refCategoryId, sent_start: sentStart, sent_id: sentId });
  const splitJson = refs.splitNames.map((name) => JSON.stringify(name));
  yield* rows(counts.refs, (r) => {
    let sentIds = '';
    let sentences = '';
    for (let s = refs.sentStart[r]; s < refs.sentStart[r + 1]; s++) {
      const id = num(refs.sentId[s]);
      const sent = JSON.stringify(stringAt(refs.sent, s));
      const exception = refs.tokenExceptions[s];
      // Escaping never makes or removes a space, so splitting the escaped sentence at
      // spaces gives the escaped tokens of sent.split(' ').
      const tokens = exception ? JSON.stringify(exception) : `[${sent.replaceAll(' ', '","')}]`;
      const comma = s === refs.sentStart[r] ? '' : ',';
      sentIds += comma + id;
      sentences += `${comma}{"sent_id":${id},"raw":${JSON.stringify(stringAt(refs.raw, s))},"sent":${sent},"tokens":${tokens}}`;
    }
    return (
      `{"ref_id":${num(refs.refId[r])},"ann_id":${annId(keys.refAnnRow[r])},"category_id":${refs.categoryId[r]},"image_id":${num(images.id[refs.imageRow[r]])},` +
      `"split":${splitJson[refs.split[r]]},"sent_ids":[${sentIds}],"sentences":[${sentences}]${optionalText('file_name', refs.fileName, r)}}`
    );
  });
}

/**
 * JSON.stringify({section, count, keys}), a key column per chunk: the refs' header holds
 * ~450k numbers, too many for one slice of the event loop.
 */
function* sectionHeader(kind: string, count: number, keys?: Record<string, ArrayLike<number | string>>): Generator<Buffer> {
  if (!keys) {
    yield line({ section: kind, count });
    return;
  }
  let prefix = `{"section":${JSON.stringify(kind)},"count":${count},"keys":{`;
  for (const [name, column] of Object.entries(keys)) {
    yield Buffer.from(`${prefix}${JSON.stringify(name)}:${JSON.stringify(Array.from(column))}`);
    prefix = ',';
  }
  yield Buffer.from('}}\n');
}

function line(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value)}\n`);
}

/** Bytes per chunk; a record longer than a chunk gets a chunk of its own. */
const CHUNK_BYTES = 128 * 1024;

/** The records' lines written into chunks of about CHUNK_BYTES (UTF-8 takes at most 3 bytes per UTF-16 unit). */
function* rows(count: number, record: (row: number) => string): Generator<Buffer> {
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let at = 0;
  for (let r = 0; r < count; r++) {
    const text = `${record(r)}\n`;
    if (at + text.length * 3 > chunk.length) {
      if (at > 0) yield chunk.subarray(0, at);
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, text.length * 3));
      at = 0;
    }
    at += chunk.write(text, at);
  }
  if (at > 0) yield chunk.subarray(0, at);
}
