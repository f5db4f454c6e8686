/**
 * A pool of COCO train2014 images with their annotated objects, and its instances.json.
 *
 * Outlines are not kept: each annotation holds a seed and its polygons are drawn again
 * while the file is written, so a full-scale pool (200k objects) stays small in memory
 * and RefCOCO and RefCOCO+, which share a pool, get the same polygons.
 */
import { JsonFile, pyObject, pyString } from './json-file';
import { formatPythonFloat } from './python-float';
import { objectOutline } from './geometry';
import { Random } from './random';
import { COCO_CATEGORIES, COCO_PERSON, type Category } from './vocabulary';

export interface PoolAnnotation {
  id: number;
  category: Category;
  /** Seed of the outline's random stream. */
  seed: number;
}

export interface PoolImage {
  id: number;
  width: number;
  height: number;
  license: number;
  dateCaptured: string;
  flickrUrl: string;
  /** All objects, in file order. */
  annotations: PoolAnnotation[];
  /** The objects a ref may point at (a subset of `annotations`). */
  referable: PoolAnnotation[];
}

/** What one image must hold: `referable` objects of a `kind`, and `extra` others. */
export interface ImagePlan {
  referable: number;
  kind: 'person' | 'other' | 'mixed';
  extra: number;
}

const NON_PERSON = COCO_CATEGORIES.filter((c) => c.id !== COCO_PERSON);
const PERSON = COCO_CATEGORIES.find((c) => c.id === COCO_PERSON) as Category;
const MAX_IMAGE_ID = 581929;
const MAX_ANNOTATION_ID = 2232119;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function cocoFileName(imageId: number): string {
  return `COCO_train2014_${pad(imageId, 12)}.jpg`;
}

/** Distinct random ids in [1, max]. */
function uniqueIds(rng: Random, count: number, max: number): number[] {
  const seen = new Set<number>();
  const ids: number[] = [];
  while (ids.length < count) {
    const id = rng.range(1, max);
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  return ids;
}

function imageSize(rng: Random): [number, number] {
  const roll = rng.next();
  if (roll < 0.7) return [640, rng.range(360, 640)];
  if (roll < 0.95) return [rng.range(360, 639), 640];
  return [rng.range(200, 640), rng.range(200, 640)];
}

function categoryFor(rng: Random, kind: ImagePlan['kind'], personShare: number): Category {
  if (kind === 'person' || (kind === 'mixed' && rng.chance(personShare))) return PERSON;
  return rng.pick(NON_PERSON);
}

/** Builds the images of `plans`, in that order. */
export function buildPool(rng: Random, plans: readonly ImagePlan[]): PoolImage[] {
  const imageIds = uniqueIds(rng, plans.length, MAX_IMAGE_ID);
  const totalAnns = plans.reduce((t, p) => t + p.referable + p.extra, 0);
  const annIds = uniqueIds(rng, totalAnns, MAX_ANNOTATION_ID);
  let nextAnn = 0;
  return plans.map((plan, i) => {
    const id = imageIds[i];
    const [width, height] = imageSize(rng);
    const referable: PoolAnnotation[] = [];
    const others: PoolAnnotation[] = [];
    for (let k = 0; k < plan.referable; k++) {
      referable.push({ id: 0, category: categoryFor(rng, plan.kind, 0.45), seed: rng.int(2 ** 32) });
    }
    for (let k = 0; k < plan.extra; k++) {
      others.push({ id: 0, category: categoryFor(rng, 'mixed', 0.3), seed: rng.int(2 ** 32) });
    }
    const annotations = rng.shuffle([...referable, ...others]);
    for (const ann of annotations) ann.id = annIds[nextAnn++];
    const day = rng.range(1, 30);
    const time = `${pad(rng.range(0, 23), 2)}:${pad(rng.range(0, 59), 2)}:${pad(rng.range(0, 59), 2)}`;
    return {
      id,
      width,
      height,
      license: rng.range(1, 8),
      dateCaptured: `2013-11-${pad(day, 2)} ${time}`,
      flickrUrl: `http://farm${rng.range(1, 9)}.staticflickr.com/${rng.range(1000, 9999)}/${id}_synthetic_z.jpg`,
      annotations,
      referable,
    };
  });
}

function imageJson(img: PoolImage): string {
  const fileName = cocoFileName(img.id);
  return pyObject([
    ['license', String(img.license)],
    ['file_name', pyString(fileName)],
    ['coco_url', pyString(`http://images.cocodataset.org/train2014/${fileName}`)],
    ['height', String(img.height)],
    ['width', String(img.width)],
    ['date_captured', pyString(img.dateCaptured)],
    ['flickr_url', pyString(img.flickrUrl)],
    ['id', String(img.id)],
  ]);
}

/** Writes one annotation straight into `file` (this runs 200k times at full scale). */
function writeAnnotation(file: JsonFile, img: PoolImage, ann: PoolAnnotation): void {
  const outline = objectOutline(new Random(ann.seed), img.width, img.height);
  file.text('{"segmentation": [');
  outline.parts.forEach((xy, i) => {
    if (i > 0) file.text(', ');
    file.hundredthsList(xy);
  });
  file.text(`], "area": ${formatPythonFloat(outline.area)}, "iscrowd": 0, "image_id": `);
  file.int(img.id);
  file.text(', "bbox": ');
  file.hundredthsList(outline.bbox);
  file.text(', "category_id": ');
  file.int(ann.category.id);
  file.text(', "id": ');
  file.int(ann.id);
  file.text('}');
}

export const LICENSES = Array.from({ length: 8 }, (_, i) =>
  pyObject([['url', pyString(`http://example.invalid/license/${i + 1}`)], ['id', String(i + 1)], ['name', pyString(`License ${i + 1}`)]]),
);

export function infoJson(dataset: string): string {
  return pyObject([
    ['description', pyString(`SYNTHETIC ${dataset} data generated by refer-graphql (not real annotations)`)],
    ['version', pyString('synthetic-1')],
    ['year', '2014'],
    ['contributor', pyString('refer-graphql generate-data')],
    ['date_created', pyString('2014-01-01')],
  ]);
}

export function categoriesJson(categories: readonly Category[]): string {
  return `[${categories.map((c) => pyObject([['supercategory', pyString(c.supercategory)], ['id', String(c.id)], ['name', pyString(c.name)]])).join(', ')}]`;
}

/** Writes `images` and all their objects as a COCO instances.json; returns its size. */
export function writeCocoInstances(path: string, dataset: string, images: readonly PoolImage[]): number {
  const file = new JsonFile(path);
  file.text(`{"info": ${infoJson(dataset)}, "images": [`);
  images.forEach((img, i) => file.text((i ? ', ' : '') + imageJson(img)));
  file.text(`], "licenses": [${LICENSES.join(', ')}], "annotations": [`);
  let first = true;
  for (const img of images) {
    for (const ann of img.annotations) {
      if (!first) file.text(', ');
      writeAnnotation(file, img, ann);
      first = false;
    }
  }
  file.text(`], "categories": ${categoriesJson(COCO_CATEGORIES)}}`);
  return file.close();
}
