/**
 * Reads a REFER instances.json (COCO format) into columnar tables, checking each record.
 * A malformed record is skipped and counted (see Problems); a file that is not JSON or
 * lacks the images/annotations/categories lists is an error. Annotations are streamed:
 * their polygons go straight from the file's bytes into one Float64Array.
 */
import { stringAt, stringColumn } from '../store/columns';
import { DataError } from '../errors';
import { IdIndex } from '../store/id-index';
import { FloatPool, JsonScanner, type Json } from './json-scanner';
import { Problems } from '../problems';
import type { ByteProgress } from './progress';
import type { AnnotationTable, CategoryTable, ImageTable, InstancesTables, SegmentationTable } from '../store/tables';

type JsonObject = { [key: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isInt(v: Json | undefined): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

const INT32_MAX = 2 ** 31 - 1;

/** Values stored in Int32Array columns: anything outside would wrap to another number. */
function isInt32(v: Json | undefined): v is number {
  return isInt(v) && v >= -INT32_MAX - 1 && v <= INT32_MAX;
}

function isSize(v: Json | undefined): v is number {
  return isInt(v) && v >= 0 && v <= INT32_MAX;
}

function isNumberList(v: Json | undefined, length?: number): v is number[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) return false;
  for (const x of v) if (typeof x !== 'number') return false;
  return true;
}

function readCategories(list: Json[], problems: Problems): CategoryTable {
  const seen = new Set<number>();
  const id: number[] = [];
  const name: string[] = [];
  const supercategory: string[] = [];
  list.forEach((c, i) => {
    const where = `categories[${i}]`;
    if (!isObject(c) || !isInt32(c.id) || typeof c.name !== 'string') return problems.add('a category needs an integer id (32-bit) and a string name', where);
    if (seen.has(c.id)) return problems.add('duplicate category id', `${where} (id ${c.id})`);
    seen.add(c.id);
    id.push(c.id);
    name.push(c.name);
    supercategory.push(typeof c.supercategory === 'string' ? c.supercategory : '');
  });
  return { id: Int32Array.from(id), name, supercategory };
}

function readImages(list: Json[], problems: Problems): ImageTable {
  const n = list.length;
  const id: number[] = [];
  const fileName: string[] = [];
  const height: number[] = [];
  const width: number[] = [];
  const cocoUrl: string[] = [];
  const flickrUrl: string[] = [];
  const license: number[] = [];
  const dateCaptured: string[] = [];
  let hasCoco = false;
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const img = list[i];
    const where = `images[${i}]`;
    if (!isObject(img) || !isInt(img.id)) { problems.add('an image needs an integer id', where); continue; }
    const at = `${where} (id ${img.id})`;
    if (typeof img.file_name !== 'string') { problems.add('an image needs a string file_name', at); continue; }
    if (!isSize(img.height) || !isSize(img.width)) { problems.add('an image needs integer height and width in [0, 2^31)', at); continue; }
    if (seen.has(img.id)) { problems.add('duplicate image id (the first one is kept)', at); continue; }
    seen.add(img.id);
    id.push(img.id);
    fileName.push(img.file_name);
    height.push(img.height);
    width.push(img.width);
    if ('coco_url' in img || 'flickr_url' in img || 'license' in img || 'date_captured' in img) hasCoco = true;
    cocoUrl.push(typeof img.coco_url === 'string' ? img.coco_url : '');
    flickrUrl.push(typeof img.flickr_url === 'string' ? img.flickr_url : '');
    license.push(typeof img.license === 'number' ? img.license : NaN);
    dateCaptured.push(typeof img.date_captured === 'string' ? img.date_captured : '');
  }
  const table: ImageTable = { id: Float64Array.from(id), fileName: stringColumn(fileName), height: Int32Array.from(height), width: Int32Array.from(width) };
  if (hasCoco) {
    table.cocoUrl = stringColumn(cocoUrl);
    table.flickrUrl = stringColumn(flickrUrl);
    table.license = Float64Array.from(license);
    table.dateCaptured = stringColumn(dateCaptured);
  }
  return table;
}

/** Segmentation columns under construction; parts of a rejected annotation roll back. */
class SegmentationBuilder {
  partStart = [0];
  partCoordStart = [0];
  coords: FloatPool;
  partRle: number[] = [];
  rleCounts: string[] = [];
  rleHeight: number[] = [];
  rleWidth: number[] = [];
  isDict: number[] = [];

  /** `expectedCoords` presizes the coordinate pool (growing a 100 MB array is slow). */
  constructor(expectedCoords = 1 << 16) {
    this.coords = new FloatPool(expectedCoords);
  }

  mark(): [number, number, number] {
    return [this.partRle.length, this.coords.length, this.rleCounts.length];
  }

  rollback([parts, coords, rles]: [number, number, number]): void {
    this.partRle.length = parts;
    this.partCoordStart.length = parts + 1;
    this.coords.length = coords;
    this.rleCounts.length = this.rleHeight.length = this.rleWidth.length = rles;
  }

  endPart(rle: number): void {
    this.partRle.push(rle);
    this.partCoordStart.push(this.coords.length);
  }

  addRle(rle: JsonObject): void {
    const size = rle.size as number[];
    const counts = rle.counts as string | number[];
    const index = this.rleCounts.length;
    this.rleCounts.push(typeof counts === 'string' ? counts : '');
    this.rleHeight.push(size[0]);
    this.rleWidth.push(size[1]);
    if (typeof counts !== 'string') for (const c of counts) this.coords.push(c);
    this.endPart(index);
  }

  endAnnotation(isDict: boolean): void {
    this.isDict.push(isDict ? 1 : 0);
    this.partStart.push(this.partRle.length);
  }

  /** The columns of the annotations whose `keep` is true. */
  build(keep: (row: number) => boolean): SegmentationTable {
    const coords = this.coords.toArray();
    const t: SegmentationTable = {
      partStart: Uint32Array.from(this.partStart),
      partCoordStart: Uint32Array.from(this.partCoordStart),
      coords,
      partRle: Int32Array.from(this.partRle),
      rleCounts: stringColumn(this.rleCounts),
      rleHeight: Int32Array.from(this.rleHeight),
      rleWidth: Int32Array.from(this.rleWidth),
      isDict: Uint8Array.from(this.isDict),
    };
    const rows = this.isDict.length;
    let all = true;
    for (let a = 0; a < rows && all; a++) all = keep(a);
    if (all) return t;
    // Rare: some annotations point at missing images or categories. Copy the others.
    const kept = new SegmentationBuilder();
    for (let a = 0; a < rows; a++) {
      if (!keep(a)) continue;
      for (let p = t.partStart[a]; p < t.partStart[a + 1]; p++) {
        for (let c = t.partCoordStart[p]; c < t.partCoordStart[p + 1]; c++) kept.coords.push(coords[c]);
        const r = t.partRle[p];
        if (r >= 0) {
          kept.rleCounts.push(this.rleCounts[r]);
          kept.rleHeight.push(this.rleHeight[r]);
          kept.rleWidth.push(this.rleWidth[r]);
        }
        kept.endPart(r >= 0 ? kept.rleCounts.length - 1 : -1);
      }
      kept.endAnnotation(t.isDict[a] === 1);
    }
    return kept.build(() => true);
  }
}

function isRleDict(v: Json): v is JsonObject {
  return isObject(v) && (typeof v.counts === 'string' || isNumberList(v.counts)) && isNumberList(v.size, 2) && v.size.every(isSize);
}

const RLE_PROBLEM = 'a segmentation part must be a polygon or an RLE dict {counts, size}';
const RLE_DICT_PROBLEM = 'a segmentation dict needs counts (string or list of numbers) and size [h, w] (integers in [0, 2^31))';

/**
 * Reads a segmentation value into the builder: a list of polygons and/or RLE dicts, or
 * one RLE dict. Returns a problem description (the value is consumed either way).
 */
function readSegmentation(s: JsonScanner, b: SegmentationBuilder): { problem: string | null; isDict: boolean } {
  const c = s.peek();
  if (c === 0x7b) {
    const rle = s.value();
    if (!isRleDict(rle)) return { problem: RLE_DICT_PROBLEM, isDict: true };
    b.addRle(rle);
    return { problem: null, isDict: true };
  }
  if (c !== 0x5b) {
    s.skip();
    return { problem: 'segmentation must be a list of polygons, a list of RLE dicts, or an RLE dict', isDict: false };
  }
  let problem: string | null = null;
  s.array(() => {
    const part = s.peek();
    if (part === 0x5b) {
      const start = b.coords.length;
      if (!s.numberListInto(b.coords) || (b.coords.length - start) % 2 !== 0) {
        problem ??= 'a polygon must be a flat list of numbers [x1, y1, x2, y2, …] of even length';
      }
      b.endPart(-1);
    } else {
      const rle = s.value();
      if (isRleDict(rle)) b.addRle(rle);
      else problem ??= RLE_PROBLEM;
    }
  });
  return { problem, isDict: false };
}

/** The annotation fields we read; others are skipped. */
const ANNOTATION_KEY_NAMES = ['segmentation', 'bbox', 'id', 'image_id', 'category_id', 'area', 'iscrowd', 'mask_name'] as const;
const ANNOTATION_KEYS = ANNOTATION_KEY_NAMES.map((k) => Buffer.from(k, 'latin1'));
const SEGMENTATION = 0;
const BBOX = 1;

function readAnnotations(s: JsonScanner, problems: Problems): { table: Omit<AnnotationTable, 'imageRow' | 'segmentation'>; imageId: number[]; segmentation: SegmentationBuilder } {
  // COCO polygon coordinates take ~10 bytes each in the file.
  const b = new SegmentationBuilder(Math.max(1 << 16, Math.ceil(s.bytes.length / 9)));
  const numericIds: number[] = [];
  const stringIds: string[] = [];
  const imageId: number[] = [];
  const categoryId: number[] = [];
  const bbox = new FloatPool(1 << 12);
  const area: number[] = [];
  const iscrowd: number[] = [];
  const maskName: string[] = [];
  let hasIscrowd = false;
  let hasMaskName = false;
  s.array((i) => {
    const where = `annotations[${i}]`;
    if (s.peek() !== 0x7b) {
      s.skip();
      return problems.add('an annotation must be an object', where);
    }
    const mark = b.mark();
    const bboxStart = bbox.length;
    let bboxOk = false;
    const ann: JsonObject = {};
    let seg: { problem: string | null; isDict: boolean } = { problem: 'an annotation needs a segmentation', isDict: false };
    // A member loop rather than s.object(callback): no closure or key string per record.
    // A repeated key counts once, with its last value, as JSON.parse (and Python's json)
    // would read it: the parts of an earlier value are rolled back.
    if (s.openObject()) {
      do {
        const key = s.memberKey(ANNOTATION_KEYS);
        if (key === SEGMENTATION) {
          b.rollback(mark);
          seg = readSegmentation(s, b);
        } else if (key === BBOX) {
          bbox.length = bboxStart;
          if (s.peek() === 0x5b) bboxOk = s.numberListInto(bbox) && bbox.length - bboxStart === 4;
          else {
            s.skip();
            bboxOk = false;
          }
        } else if (key >= 0) ann[ANNOTATION_KEY_NAMES[key]] = s.value();
        else s.skip();
      } while (s.nextMember());
    }
    const problem = annotationProblem(ann, bboxOk, seg.problem, numericIds.length > 0, stringIds.length > 0);
    if (problem) {
      b.rollback(mark);
      bbox.length = bboxStart;
      return problems.add(problem, isInt(ann.id) || typeof ann.id === 'string' ? `${where} (id ${JSON.stringify(ann.id)})` : where);
    }
    const id = ann.id as number | string;
    if (typeof id === 'string') stringIds.push(id);
    else numericIds.push(id);
    imageId.push(ann.image_id as number);
    categoryId.push(ann.category_id as number);
    area.push(typeof ann.area === 'number' ? ann.area : NaN);
    if ('iscrowd' in ann) hasIscrowd = true;
    iscrowd.push(ann.iscrowd ? 1 : 0);
    if (typeof ann.mask_name === 'string') hasMaskName = true;
    maskName.push(typeof ann.mask_name === 'string' ? ann.mask_name : '');
    b.endAnnotation(seg.isDict);
  });
  const table: Omit<AnnotationTable, 'imageRow' | 'segmentation'> = {
    id: Float64Array.from(numericIds),
    categoryId: Int32Array.from(categoryId),
    bbox: bbox.toArray(),
    area: Float64Array.from(area),
  };
  if (stringIds.length > 0) table.stringId = stringColumn(stringIds);
  if (hasIscrowd) table.iscrowd = Uint8Array.from(iscrowd);
  if (hasMaskName) table.maskName = stringColumn(maskName);
  return { table, imageId, segmentation: b };
}

function annotationProblem(ann: JsonObject, bboxOk: boolean, segProblem: string | null, numericIds: boolean, stringIds: boolean): string | null {
  if (!(isInt(ann.id) || typeof ann.id === 'string')) return 'an annotation needs an integer or string id';
  if (typeof ann.id === 'string' ? numericIds : stringIds) return 'annotation ids mix numbers and strings';
  if (!isInt(ann.image_id)) return 'image_id must be an integer';
  if (!isInt32(ann.category_id)) return 'category_id must be a 32-bit integer';
  if (!bboxOk) return 'bbox must be 4 numbers [x, y, w, h]';
  return segProblem;
}

/** Drops repeated annotation ids and annotations whose image or category is missing
 * (categories come after annotations in COCO files, so this waits for the end). */
function joinAnnotations(
  raw: ReturnType<typeof readAnnotations>,
  imageRowById: IdIndex<number>,
  categoryIds: Set<number>,
  problems: Problems,
): AnnotationTable {
  const { table, imageId, segmentation } = raw;
  const n = imageId.length;
  const imageRow = new Int32Array(n);
  const keep = new Uint8Array(n);
  const { stringId } = table;
  const ids: ArrayLike<number | string> = stringId ? Array.from(stringId.end, (_, a) => stringAt(stringId, a)) : table.id;
  const firstRowOfId = new IdIndex(ids);
  const idAt = (a: number) => JSON.stringify(ids[a]);
  let kept = 0;
  for (let a = 0; a < n; a++) {
    const row = imageRowById.get(imageId[a]);
    if (firstRowOfId.get(ids[a]) !== a) problems.add('duplicate annotation id (the first one is kept)', `annotation id ${idAt(a)}`);
    else if (row === undefined) problems.add('image_id is not in images', `annotation id ${idAt(a)}, image_id ${imageId[a]}`);
    else if (!categoryIds.has(table.categoryId[a])) problems.add('category_id is not in categories', `annotation id ${idAt(a)}, category_id ${table.categoryId[a]}`);
    else {
      imageRow[a] = row;
      keep[a] = 1;
      kept++;
    }
  }
  const seg = segmentation.build((a) => keep[a] === 1);
  if (kept === n) return { ...table, imageRow, segmentation: seg };
  const rows = Array.from(keep.keys()).filter((a) => keep[a]);
  const pick = <T extends Float64Array | Int32Array | Uint8Array>(col: T, width = 1): T => {
    const out = new (col.constructor as new (n: number) => T)(rows.length * width);
    rows.forEach((a, i) => out.set(col.subarray(a * width, a * width + width), i * width));
    return out;
  };
  const pickStrings = (col: AnnotationTable['stringId']) => col && stringColumn(rows.map((a) => stringAt(col, a)));
  const out: AnnotationTable = {
    id: pick(table.id),
    imageRow: pick(imageRow),
    categoryId: pick(table.categoryId),
    bbox: pick(table.bbox, 4),
    area: pick(table.area),
    segmentation: seg,
  };
  if (table.stringId) out.stringId = pickStrings(table.stringId);
  if (table.iscrowd) out.iscrowd = pick(table.iscrowd);
  if (table.maskName) out.maskName = pickStrings(table.maskName);
  return out;
}

/** Why a file is not read as UTF-8 JSON, when its first bytes tell (JSON text has no NUL). */
function encodingProblem(bytes: Uint8Array): string | null {
  const [a, b] = bytes;
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return 'starts with a UTF-16 byte-order mark; save it as UTF-8';
  if (bytes.length >= 2 && (a === 0 || b === 0)) return 'has NUL bytes at its start (UTF-16 or UTF-32 text?); save it as UTF-8';
  return null;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Reads the bytes of an instances.json; `fileName` names it in errors and warnings. A
 * UTF-8 byte-order mark is skipped (Python's json.load refuses it, but the text is
 * unambiguous); UTF-16 is refused with a hint.
 */
export function readInstances(bytes: Uint8Array, fileName: string, onProgress?: ByteProgress): InstancesTables {
  const s = new JsonScanner(bytes, fileName, onProgress);
  if (UTF8_BOM.every((x, i) => bytes[i] === x)) s.pos = UTF8_BOM.length;
  try {
    const tables = readTables(s);
    s.progress.done();
    return tables;
  } catch (e) {
    // Data that exhausts a resource (call stack, array length) is a problem of the file.
    if (e instanceof RangeError) throw new DataError(`${fileName}: byte ${s.pos}: ${e.message}`);
    throw e;
  }
}

function readTables(s: JsonScanner): InstancesTables {
  const { fileName } = s;
  const encoding = encodingProblem(s.bytes);
  if (encoding) throw new DataError(`${fileName}: ${encoding}`);
  if (s.peek() !== 0x7b) throw new DataError(`${fileName}: expected a JSON object with images, annotations and categories`);
  const problems = new Problems(fileName);
  const lists: { images?: Json[]; categories?: Json[] } = {};
  let annotations: ReturnType<typeof readAnnotations> | undefined;
  s.object((key) => {
    const isList = s.peek() === 0x5b;
    if (key === 'annotations' && isList) annotations = readAnnotations(s, problems);
    else if ((key === 'images' || key === 'categories') && isList) lists[key] = s.value() as Json[];
    else s.skip();
  });
  s.end();
  for (const key of ['images', 'annotations', 'categories'] as const) {
    if (!(key === 'annotations' ? annotations : lists[key])) throw new DataError(`${fileName}: expected a list "${key}" at the top level`);
  }
  const categories = readCategories(lists.categories!, problems);
  const images = readImages(lists.images!, problems);
  return { categories, images, annotations: joinAnnotations(annotations!, new IdIndex(images.id), new Set(categories.id), problems), warnings: problems.list() };
}
