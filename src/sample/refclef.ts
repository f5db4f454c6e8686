/**
 * RefClef (ReferItGame over SAIAPR TC-12 images): string annotation ids
 * `<image_id>_<k>`, a `mask_name`, no `iscrowd`, segmentation as a list of compressed RLE
 * dicts built with the project's mask codec, refs without `file_name`. Almost every
 * object is referred to. unc and berkeley hold the same refs, split differently by
 * image (unc with testA/B/C and the combined testAB/testBC/testAC).
 */
import { rleFromPolygon, rleMerge, rleToString, rleArea, rleToBbox } from '../mask';
import { objectOutline } from './geometry';
import { infoJson, LICENSES, categoriesJson } from './coco-pool';
import { JsonFile, pyObject, pyString } from './json-file';
import { partition, Random } from './random';
import { apportion, assignSentenceCounts, scaled, writeSentences, type BuiltDataset, type Ref } from './refs';
import { REFCLEF_CATEGORIES, type Category } from './vocabulary';

const FULL = { images: 19894, refs: 96654, sentences: 130525, annotations: 99296 };
const UNC_SPLITS = { train: 0.6, val: 0.1, testA: 0.06, testB: 0.06, testC: 0.06, testAB: 0.04, testBC: 0.04, testAC: 0.04 };
const BERKELEY_SPLITS = { train: 0.45, val: 0.05, test: 0.5 };
const MAX_IMAGE_ID = 40999;

interface ClefObject {
  k: number;
  category: Category;
  seed: number;
}

interface ClefImage {
  id: number;
  width: number;
  height: number;
  objects: ClefObject[];
}

/** SAIAPR TC-12 keeps images in folders of a thousand: 25418 is `25/25418.jpg`. */
export function refclefFileName(imageId: number): string {
  return `${String(Math.floor(imageId / 1000)).padStart(2, '0')}/${imageId}.jpg`;
}

function imageSize(rng: Random): [number, number] {
  const roll = rng.next();
  if (roll < 0.55) return [480, 360];
  if (roll < 0.85) return [360, 480];
  return [rng.range(300, 500), rng.range(300, 500)];
}

/** Split labels for `n` images, shuffled, with exact counts per label. */
function imageSplits(rng: Random, n: number, ratios: Record<string, number>): string[] {
  const labels: string[] = [];
  for (const [split, count] of Object.entries(apportion(n, ratios))) for (let i = 0; i < count; i++) labels.push(split);
  return rng.shuffle(labels);
}

function annotationJson(img: ClefImage, obj: ClefObject): string {
  const outline = objectOutline(new Random(obj.seed), img.width, img.height);
  const rle = rleMerge(outline.parts.map((xy) => rleFromPolygon(xy, img.height, img.width)));
  const id = `${img.id}_${obj.k}`;
  return pyObject([
    ['segmentation', `[${pyObject([['counts', pyString(rleToString(rle))], ['size', `[${img.height}, ${img.width}]`]])}]`],
    ['area', String(rleArea(rle))],
    ['image_id', String(img.id)],
    ['bbox', `[${rleToBbox(rle).join(', ')}]`],
    ['category_id', String(obj.category.id)],
    ['id', pyString(id)],
    ['mask_name', pyString(`${id}.png`)],
  ]);
}

function writeInstances(path: string, images: readonly ClefImage[]): number {
  const file = new JsonFile(path);
  file.text(`{"info": ${infoJson('refclef')}, "images": [`);
  images.forEach((img, i) =>
    file.text((i ? ', ' : '') + pyObject([['file_name', pyString(refclefFileName(img.id))], ['height', String(img.height)],
      ['width', String(img.width)], ['id', String(img.id)]])),
  );
  file.text(`], "licenses": [${LICENSES.join(', ')}], "annotations": [`);
  let first = true;
  for (const img of images) {
    for (const obj of img.objects) {
      file.text((first ? '' : ', ') + annotationJson(img, obj));
      first = false;
    }
  }
  file.text(`], "categories": ${categoriesJson(REFCLEF_CATEGORIES)}}`);
  return file.close();
}

export function buildRefclef(seed: number, fraction: number): BuiltDataset {
  const rng = Random.stream(seed, 'refclef');
  const imageCount = scaled(FULL.images, fraction);
  const refCount = Math.max(imageCount, scaled(FULL.refs, fraction));
  const refsPerImage = partition(rng, refCount, imageCount, Math.max(15, Math.ceil(refCount / imageCount) + 8));
  const extraTotal = Math.max(0, scaled(FULL.annotations, fraction) - refCount);
  const extras = partition(rng, extraTotal + imageCount, imageCount, extraTotal + 1).map((n) => n - 1);
  const unc = imageSplits(rng, imageCount, UNC_SPLITS);
  const berkeley = imageSplits(rng, imageCount, BERKELEY_SPLITS);

  const ids = new Set<number>();
  const images: ClefImage[] = [];
  const refs: Ref[] = [];
  for (let i = 0; i < imageCount; i++) {
    let id = rng.range(1, MAX_IMAGE_ID);
    while (ids.has(id)) id = rng.range(1, MAX_IMAGE_ID);
    ids.add(id);
    const [width, height] = imageSize(rng);
    const objects: ClefObject[] = [];
    for (let k = 1; k <= refsPerImage[i] + extras[i]; k++) {
      objects.push({ k, category: rng.pick(REFCLEF_CATEGORIES), seed: rng.int(2 ** 32) });
    }
    images.push({ id, width, height, objects });
    for (const obj of rng.shuffle([...objects]).slice(0, refsPerImage[i])) {
      refs.push({
        annId: `${id}_${obj.k}`,
        imageId: id,
        category: obj.category,
        person: obj.category.supercategory === 'humans',
        splits: { unc: unc[i], berkeley: berkeley[i] },
        sentenceCount: 0,
        sentences: [],
      });
    }
  }
  assignSentenceCounts(rng, refs, Math.max(refCount, scaled(FULL.sentences, fraction)));
  writeSentences(rng, refs, 'refclef');
  const refIds = refs.map((_, i) => i);
  return {
    name: 'refclef',
    images: images.length,
    annotations: images.reduce((t, img) => t + img.objects.length, 0),
    writeInstances: (path) => writeInstances(path, images),
    pairs: [
      { splitBy: 'unc', refs, refIds },
      { splitBy: 'berkeley', refs, refIds },
    ],
  };
}
