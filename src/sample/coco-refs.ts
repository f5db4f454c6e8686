/**
 * RefCOCO, RefCOCO+ and RefCOCOg over generated COCO pools, with the real datasets'
 * counts per split at full scale (scaled down for smaller roots).
 *
 * - RefCOCO and RefCOCO+ share one pool of images (as the real ones share COCO's), split
 *   by image for unc: testA images have refs to people only, testB to other objects.
 *   RefCOCO's unc and google files hold the same refs; only `split` differs.
 * - RefCOCOg: umd splits by image; google (train/val) by object. google also has refs
 *   the umd file lacks, so some images have no umd refs; the two files share sent_ids
 *   but number their refs separately.
 */
import { buildPool, cocoFileName, writeCocoInstances, type ImagePlan, type PoolAnnotation, type PoolImage } from './coco-pool';
import { partition, Random } from './random';
import { assignSentenceCounts, scaled, writeSentences, type BuiltDataset, type Ref } from './refs';
import { COCO_PERSON } from './vocabulary';

export interface SplitSize {
  images: number;
  refs: number;
  sentences: number;
}

type SplitTable = Record<string, SplitSize>;

/** Real sizes, from the datasets' papers and REFER's statistics. */
const REFCOCO_UNC: SplitTable = {
  train: { images: 16994, refs: 42404, sentences: 120624 },
  val: { images: 1500, refs: 3811, sentences: 10834 },
  testA: { images: 750, refs: 1975, sentences: 5657 },
  testB: { images: 750, refs: 1810, sentences: 5095 },
};
const REFCOCO_PLUS_UNC: SplitTable = {
  train: { images: 16992, refs: 42278, sentences: 120191 },
  val: { images: 1500, refs: 3805, sentences: 10758 },
  testA: { images: 750, refs: 1975, sentences: 5726 },
  testB: { images: 750, refs: 1798, sentences: 4889 },
};
const REFCOCO_ANNOTATIONS = 196771;
const REFCOCOG_UMD: SplitTable = {
  train: { images: 21899, refs: 42226, sentences: 80512 },
  val: { images: 1300, refs: 2573, sentences: 4896 },
  test: { images: 2600, refs: 5023, sentences: 9602 },
};
const REFCOCOG_ANNOTATIONS = 208960;
/** Share of RefCOCOg images whose refs are only in the google file. */
const REFCOCOG_GOOGLE_ONLY_IMAGES = 0.005;

function scaleSplit(size: SplitSize, fraction: number): SplitSize {
  const images = scaled(size.images, fraction);
  const refs = Math.max(images, scaled(size.refs, fraction));
  return { images, refs, sentences: Math.max(refs, scaled(size.sentences, fraction)) };
}

/** `total` extra objects spread over `images` images (zero or more each). */
function spread(rng: Random, total: number, images: number): number[] {
  if (images === 0) return [];
  const cap = Math.max(40, Math.ceil(total / images) * 4);
  return partition(rng, total + images, images, cap + 1).map((n) => n - 1);
}

function refsPerImage(rng: Random, size: SplitSize): number[] {
  return partition(rng, size.refs, size.images, Math.max(8, Math.ceil(size.refs / size.images) + 5));
}

function cocoRef(img: PoolImage, ann: PoolAnnotation, splits: Record<string, string>): Ref {
  return {
    annId: ann.id,
    imageId: img.id,
    category: ann.category,
    person: ann.category.id === COCO_PERSON,
    fileName: `${cocoFileName(img.id).slice(0, -4)}_${ann.id}.jpg`,
    splits,
    sentenceCount: 0,
    sentences: [],
  };
}

/** Exact sentence totals per split label of `splitBy`. */
function assignBySplit(rng: Random, refs: readonly Ref[], splitBy: string, sizes: Record<string, SplitSize>): void {
  for (const [split, size] of Object.entries(sizes)) {
    assignSentenceCounts(rng, refs.filter((r) => r.splits[splitBy] === split), size.sentences);
  }
}

function sequentialIds(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function cocoDataset(name: string, images: PoolImage[], pairs: BuiltDataset['pairs']): BuiltDataset {
  return {
    name,
    images: images.length,
    annotations: images.reduce((t, img) => t + img.annotations.length, 0),
    writeInstances: (path) => writeCocoInstances(path, name, images),
    pairs,
  };
}

/** Google's refcoco split: by image, about 80/10/10 of the refs. */
function googleSplitByImage(rng: Random, refsByImage: Ref[][]): void {
  const total = refsByImage.reduce((t, r) => t + r.length, 0);
  const order = rng.shuffle(refsByImage.filter((r) => r.length > 0));
  let val = 0;
  let test = 0;
  for (const refs of order) {
    let split = 'train';
    if (val < total * 0.1) split = 'val';
    else if (test < total * 0.1) split = 'test';
    for (const ref of refs) ref.splits.google = split;
    if (split === 'val') val += refs.length;
    if (split === 'test') test += refs.length;
  }
}

/** RefCOCO (unc, google) and RefCOCO+ (unc) over one shared pool. */
export function buildRefcocoFamily(seed: number, fraction: number): BuiltDataset[] {
  const rng = Random.stream(seed, 'refcoco-pool');
  const plans: (ImagePlan & { split: string; refcoco: number; plus: number })[] = [];
  const sizes: Record<string, SplitSize> = {};
  const plusSizes: Record<string, SplitSize> = {};
  for (const split of Object.keys(REFCOCO_UNC)) {
    const a = (sizes[split] = scaleSplit(REFCOCO_UNC[split], fraction));
    const b = scaleSplit(REFCOCO_PLUS_UNC[split], fraction);
    b.images = Math.min(b.images, a.images);
    plusSizes[split] = b;
    const n1 = refsPerImage(rng, a);
    const n2 = refsPerImage(rng, b);
    const kind = split === 'testA' ? 'person' : split === 'testB' ? 'other' : 'mixed';
    for (let i = 0; i < a.images; i++) {
      const plus = n2[i] ?? 0;
      plans.push({ split, kind, refcoco: n1[i], plus, referable: Math.max(n1[i], plus), extra: 0 });
    }
  }
  const needed = plans.reduce((t, p) => t + p.referable, 0);
  spread(rng, Math.max(0, scaled(REFCOCO_ANNOTATIONS, fraction) - needed), plans.length).forEach((n, i) => (plans[i].extra = n));
  rng.shuffle(plans);
  const images = buildPool(rng, plans);

  const refcoco: Ref[][] = [];
  const plus: Ref[] = [];
  const refcocoRng = Random.stream(seed, 'refcoco');
  const plusRng = Random.stream(seed, 'refcoco+');
  images.forEach((img, i) => {
    const plan = plans[i];
    const pick = (r: Random, n: number) => r.shuffle([...img.referable]).slice(0, n);
    refcoco.push(pick(refcocoRng, plan.refcoco).map((ann) => cocoRef(img, ann, { unc: plan.split })));
    plus.push(...pick(plusRng, plan.plus).map((ann) => cocoRef(img, ann, { unc: plan.split })));
  });
  googleSplitByImage(refcocoRng, refcoco);
  const refcocoRefs = refcoco.flat();
  assignBySplit(refcocoRng, refcocoRefs, 'unc', sizes);
  writeSentences(refcocoRng, refcocoRefs, 'refcoco');
  assignBySplit(plusRng, plus, 'unc', plusSizes);
  writeSentences(plusRng, plus, 'refcoco+');

  const plusImages = new Set(plus.map((r) => r.imageId));
  const ids = sequentialIds(refcocoRefs.length);
  return [
    cocoDataset('refcoco', images, [
      { splitBy: 'unc', refs: refcocoRefs, refIds: ids },
      { splitBy: 'google', refs: refcocoRefs, refIds: ids },
    ]),
    cocoDataset('refcoco+', images.filter((img) => plusImages.has(img.id)), [
      { splitBy: 'unc', refs: plus, refIds: sequentialIds(plus.length) },
    ]),
  ];
}

/** RefCOCOg: google (train/val, by object) and umd (train/val/test, by image). */
export function buildRefcocog(seed: number, fraction: number): BuiltDataset {
  const rng = Random.stream(seed, 'refcocog-pool');
  const sizes: Record<string, SplitSize> = {};
  for (const split of Object.keys(REFCOCOG_UMD)) sizes[split] = scaleSplit(REFCOCOG_UMD[split], fraction);
  const totalImages = Object.values(sizes).reduce((t, s) => t + s.images, 0);
  const googleOnly = Math.min(sizes.train.images - 1, Math.max(2, Math.round(totalImages * REFCOCOG_GOOGLE_ONLY_IMAGES)));
  sizes.train.images -= googleOnly;
  sizes.train.refs = Math.max(sizes.train.refs, sizes.train.images);

  const plans: (ImagePlan & { split: string | null; refs: number })[] = [];
  for (const [split, size] of Object.entries(sizes)) {
    for (const n of refsPerImage(rng, size)) plans.push({ split, kind: 'mixed', refs: n, referable: n, extra: 0 });
  }
  for (let i = 0; i < googleOnly; i++) {
    const n = rng.range(1, 3);
    plans.push({ split: null, kind: 'mixed', refs: n, referable: n, extra: 0 });
  }
  const needed = plans.reduce((t, p) => t + p.referable, 0);
  spread(rng, Math.max(0, scaled(REFCOCOG_ANNOTATIONS, fraction) - needed), plans.length).forEach((n, i) => (plans[i].extra = n));
  rng.shuffle(plans);
  const images = buildPool(rng, plans);

  const refRng = Random.stream(seed, 'refcocog');
  const google: Ref[] = [];
  images.forEach((img, i) => {
    const plan = plans[i];
    const anns = refRng.shuffle([...img.referable]).slice(0, plan.refs);
    // google-only refs carry no umd split.
    google.push(...anns.map((ann) => cocoRef(img, ann, plan.split ? { umd: plan.split } : {})));
  });
  const umd = google.filter((r) => r.splits.umd !== undefined);
  const extras = google.filter((r) => r.splits.umd === undefined);
  assignBySplit(refRng, umd, 'umd', sizes);
  for (const ref of extras) ref.sentenceCount = refRng.range(1, 3);
  const valRefs = Math.round(google.length * 0.1);
  refRng.shuffle([...google]).forEach((ref, i) => (ref.splits.google = i < valRefs ? 'val' : 'train'));
  writeSentences(refRng, google, 'refcocog');

  return cocoDataset('refcocog', images, [
    { splitBy: 'google', refs: google, refIds: sequentialIds(google.length) },
    { splitBy: 'umd', refs: umd, refIds: sequentialIds(umd.length) },
  ]);
}
