/**
 * Reads a REFER instances.json (COCO format) into columnar tables, checking each record.
 * A malformed record is skipped and counted (see Problems); a file that is not JSON or
 * lacks the images/annotations/categories lists is an error.
 */
import { stringColumn } from './columns';
import { DataError } from './errors';
import { Problems } from './problems';
import type { AnnotationTable, CategoryTable, ImageTable, InstancesTables, SegmentationTable } from './tables';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isInt(v: Json | undefined): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function isNumberList(v: Json | undefined, length?: number): v is number[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) return false;
  for (const x of v) if (typeof x !== 'number') return false;
  return true;
}

export function parseJsonFile(text: string, fileName: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new DataError(`${fileName}: not valid JSON (${(e as Error).message})`);
  }
}

function listField(root: JsonObject, key: string, fileName: string): Json[] {
  const v = root[key];
  if (!Array.isArray(v)) throw new DataError(`${fileName}: expected a list "${key}" at the top level, found ${v === undefined ? 'nothing' : typeof v}`);
  return v;
}

function readCategories(list: Json[], problems: Problems): CategoryTable {
  const seen = new Set<number>();
  const id: number[] = [];
  const name: string[] = [];
  const supercategory: string[] = [];
  list.forEach((c, i) => {
    const where = `categories[${i}]`;
    if (!isObject(c) || !isInt(c.id) || typeof c.name !== 'string') return problems.add('a category needs an integer id and a string name', where);
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
    if (!isInt(img.height) || !isInt(img.width) || img.height < 0 || img.width < 0) { problems.add('an image needs integer height and width ≥ 0', at); continue; }
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

/** Grows a Float64Array by doubling; the polygons of a full dataset are ~20M numbers. */
class FloatPool {
  data = new Float64Array(1 << 16);
  length = 0;
  push(values: number[]): void {
    if (this.length + values.length > this.data.length) {
      let size = this.data.length * 2;
      while (size < this.length + values.length) size *= 2;
      const next = new Float64Array(size);
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    for (let i = 0; i < values.length; i++) this.data[this.length + i] = values[i];
    this.length += values.length;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

interface SegmentationBuilder {
  partStart: number[];
  partCoordStart: number[];
  coords: FloatPool;
  partRle: number[];
  rleCounts: string[];
  rleHeight: number[];
  rleWidth: number[];
  isDict: number[];
}

function isRleDict(v: Json): v is JsonObject {
  return isObject(v) && (typeof v.counts === 'string' || isNumberList(v.counts)) && isNumberList(v.size, 2) && v.size.every((x) => Number.isInteger(x) && x >= 0);
}

/** Checks a segmentation; returns a problem description or null. */
function segmentationProblem(seg: Json | undefined): string | null {
  if (isObject(seg)) return isRleDict(seg) ? null : 'a segmentation dict needs counts (string or list of numbers) and size [h, w]';
  if (!Array.isArray(seg)) return 'segmentation must be a list of polygons, a list of RLE dicts, or an RLE dict';
  for (const part of seg) {
    if (Array.isArray(part)) {
      if (!isNumberList(part) || part.length % 2 !== 0) return 'a polygon must be a flat list of numbers [x1, y1, x2, y2, …] of even length';
    } else if (!isRleDict(part)) return 'a segmentation part must be a polygon or an RLE dict {counts, size}';
  }
  return null;
}

function addRlePart(b: SegmentationBuilder, rle: JsonObject): void {
  const size = rle.size as number[];
  const counts = rle.counts as string | number[];
  b.partRle.push(b.rleCounts.length);
  b.rleCounts.push(typeof counts === 'string' ? counts : '');
  b.rleHeight.push(size[0]);
  b.rleWidth.push(size[1]);
  if (typeof counts !== 'string') b.coords.push(counts);
  b.partCoordStart.push(b.coords.length);
}

function addSegmentation(b: SegmentationBuilder, seg: Json[] | JsonObject): void {
  if (!Array.isArray(seg)) {
    addRlePart(b, seg);
    b.isDict.push(1);
  } else {
    for (const part of seg) {
      if (Array.isArray(part)) {
        b.coords.push(part as number[]);
        b.partRle.push(-1);
        b.partCoordStart.push(b.coords.length);
      } else addRlePart(b, part as JsonObject);
    }
    b.isDict.push(0);
  }
  b.partStart.push(b.partRle.length);
}

function readAnnotations(list: Json[], imageRowById: Map<number, number>, categoryIds: Set<number>, problems: Problems): AnnotationTable {
  const b: SegmentationBuilder = {
    partStart: [0], partCoordStart: [0], coords: new FloatPool(), partRle: [], rleCounts: [], rleHeight: [], rleWidth: [], isDict: [],
  };
  const numericIds: number[] = [];
  const stringIds: string[] = [];
  const imageRow: number[] = [];
  const categoryId: number[] = [];
  const bbox: number[] = [];
  const area: number[] = [];
  const iscrowd: number[] = [];
  const maskName: string[] = [];
  let hasIscrowd = false;
  let hasMaskName = false;
  const seen = new Set<number | string>();
  for (let i = 0; i < list.length; i++) {
    const ann = list[i];
    const where = `annotations[${i}]`;
    if (!isObject(ann) || !(isInt(ann.id) || typeof ann.id === 'string')) { problems.add('an annotation needs an integer or string id', where); continue; }
    const at = `${where} (id ${JSON.stringify(ann.id)})`;
    if (typeof ann.id === 'string' ? numericIds.length > 0 : stringIds.length > 0) { problems.add('annotation ids mix numbers and strings', at); continue; }
    if (seen.has(ann.id)) { problems.add('duplicate annotation id (the first one is kept)', at); continue; }
    if (!isInt(ann.image_id)) { problems.add('image_id must be an integer', at); continue; }
    const row = imageRowById.get(ann.image_id);
    if (row === undefined) { problems.add('image_id is not in images', `${at}, image_id ${ann.image_id}`); continue; }
    if (!isInt(ann.category_id)) { problems.add('category_id must be an integer', at); continue; }
    if (!categoryIds.has(ann.category_id)) { problems.add('category_id is not in categories', `${at}, category_id ${ann.category_id}`); continue; }
    if (!isNumberList(ann.bbox, 4)) { problems.add('bbox must be 4 numbers [x, y, w, h]', at); continue; }
    const segProblem = segmentationProblem(ann.segmentation);
    if (segProblem) { problems.add(segProblem, at); continue; }
    seen.add(ann.id);
    if (typeof ann.id === 'string') stringIds.push(ann.id);
    else numericIds.push(ann.id);
    imageRow.push(row);
    categoryId.push(ann.category_id);
    bbox.push(...ann.bbox);
    area.push(typeof ann.area === 'number' ? ann.area : NaN);
    if ('iscrowd' in ann) hasIscrowd = true;
    iscrowd.push(ann.iscrowd ? 1 : 0);
    if (typeof ann.mask_name === 'string') hasMaskName = true;
    maskName.push(typeof ann.mask_name === 'string' ? ann.mask_name : '');
    addSegmentation(b, ann.segmentation as Json[] | JsonObject);
  }
  const segmentation: SegmentationTable = {
    partStart: Uint32Array.from(b.partStart),
    partCoordStart: Uint32Array.from(b.partCoordStart),
    coords: b.coords.toArray(),
    partRle: Int32Array.from(b.partRle),
    rleCounts: stringColumn(b.rleCounts),
    rleHeight: Int32Array.from(b.rleHeight),
    rleWidth: Int32Array.from(b.rleWidth),
    isDict: Uint8Array.from(b.isDict),
  };
  const table: AnnotationTable = {
    id: Float64Array.from(numericIds),
    imageRow: Int32Array.from(imageRow),
    categoryId: Int32Array.from(categoryId),
    bbox: Float64Array.from(bbox),
    area: Float64Array.from(area),
    segmentation,
  };
  if (stringIds.length > 0) table.stringId = stringColumn(stringIds);
  if (hasIscrowd) table.iscrowd = Uint8Array.from(iscrowd);
  if (hasMaskName) table.maskName = stringColumn(maskName);
  return table;
}

/** Reads the text of an instances.json; `fileName` names it in errors and warnings. */
export function readInstances(text: string, fileName: string): InstancesTables {
  const root = parseJsonFile(text, fileName);
  if (!isObject(root)) throw new DataError(`${fileName}: expected a JSON object with images, annotations and categories`);
  const problems = new Problems(fileName);
  const categories = readCategories(listField(root, 'categories', fileName), problems);
  const images = readImages(listField(root, 'images', fileName), problems);
  const imageRowById = new Map<number, number>();
  images.id.forEach((id, row) => imageRowById.set(id, row));
  const annotations = readAnnotations(listField(root, 'annotations', fileName), imageRowById, new Set(categories.id), problems);
  return { categories, images, annotations, warnings: problems.list() };
}
