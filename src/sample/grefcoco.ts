/**
 * A synthetic gRefCOCO root: grefcoco/instances.json (a COCO pool shaped like RefCOCO's:
 * its unc split sizes in images, its annotation count) and grefcoco/grefs(unc).json,
 * written as the released file is (one line, keys sorted, ASCII escapes).
 *
 * A ref names one object, several (2 to 4 on its image) or none (ann_id [-1], an
 * expression about a category the image lacks). At full scale the file has the released
 * 259,859 expressions over 19,994 images; the ref counts per kind are our choice (the
 * release does not state them). Ids follow the release: train single-target refs and all
 * val/testA/testB refs from 0, train multi-/no-target refs from 200000; sentences from 0
 * and 500000. A few refs have no sentence, as in the release.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPool, cocoFileName, writeCocoInstances, type ImagePlan, type PoolAnnotation, type PoolImage } from './coco-pool';
import { JsonFile, pyObject, pyString } from './json-file';
import { partition, Random } from './random';
import { scaled } from './refs';
import { COCO_CATEGORIES, COCO_PERSON, expressionTokens, rawExpression, type Category } from './vocabulary';

/** RefCOCO unc's images per split, which gRefCOCO keeps. */
const IMAGES_PER_SPLIT: Record<string, number> = { train: 16994, val: 1500, testA: 750, testB: 750 };
const ANNOTATIONS = 196771;
const SENTENCES = 259859;
/** Refs per kind at full scale (our choice: ~4 per image, as the sample's bound allows). */
const REFS = { single: 42000, multi: 28000, noTarget: 10000 };
/** Share of refs without any sentence (the release has a few). */
const NO_SENTENCE_SHARE = 0.002;
const MULTI_WORDS = ['all', 'both', 'two', 'the two', 'every', 'three'];

type Kind = 'single' | 'multi' | 'noTarget';

interface GRef {
  kind: Kind;
  split: string;
  image: PoolImage;
  targets: PoolAnnotation[];
  /** The category an expression is about (for no-target: one the image lacks). */
  about: Category;
  fileName: string;
  refId: number;
  sentences: { sentId: number; raw: string; tokens: string[] }[];
  sentenceCount: number;
}

export interface GRefcocoSummary {
  images: number;
  imagesWithRefs: number;
  annotations: number;
  refs: number;
  sentences: number;
  kinds: Record<Kind, number>;
  splits: Record<string, number>;
  instancesBytes: number;
  refsBytes: number;
}

function kindOf(rng: Random, referable: number): Kind {
  const total = REFS.single + REFS.multi + REFS.noTarget;
  const k = rng.weighted([REFS.single / total, referable >= 2 ? REFS.multi / total : 0, REFS.noTarget / total]);
  return (['single', 'multi', 'noTarget'] as const)[k];
}

function refsOfImage(rng: Random, image: PoolImage, split: string, count: number): GRef[] {
  const refs: GRef[] = [];
  for (let k = 0; k < count; k++) {
    const kind = kindOf(rng, image.referable.length);
    const base = { kind, split, image, refId: 0, sentences: [], sentenceCount: 0 };
    if (kind === 'noTarget') {
      const present = new Set(image.annotations.map((a) => a.category.id));
      const about = rng.pick(COCO_CATEGORIES.filter((c) => !present.has(c.id)));
      refs.push({ ...base, targets: [], about, fileName: cocoFileName(image.id) });
    } else if (kind === 'single') {
      const target = rng.pick(image.referable);
      refs.push({ ...base, targets: [target], about: target.category, fileName: `${cocoFileName(image.id).slice(0, -4)}_${rng.range(1, 40)}.jpg` });
    } else {
      const n = Math.min(image.referable.length, rng.range(2, 4));
      const targets = rng.shuffle([...image.referable]).slice(0, n);
      refs.push({ ...base, targets, about: targets[0].category, fileName: cocoFileName(image.id) });
    }
  }
  return refs;
}

function tokensFor(rng: Random, ref: GRef): string[] {
  const tokens = expressionTokens(rng, ref.about, 'refcoco', ref.about.id === COCO_PERSON);
  return ref.kind === 'multi' ? [...rng.pick(MULTI_WORDS).split(' '), ...tokens] : tokens;
}

/** Ids as in the release: two ranges for refs and two for sentences. */
function numberRefs(refs: GRef[]): void {
  let low = 0;
  let high = 200000;
  let sentLow = 0;
  let sentHigh = 500000;
  for (const ref of refs) {
    const highRange = ref.split === 'train' && ref.kind !== 'single';
    ref.refId = highRange ? high++ : low++;
    for (const s of ref.sentences) s.sentId = highRange ? sentHigh++ : sentLow++;
  }
}

function refJson(ref: GRef): string {
  const annIds = ref.targets.length ? ref.targets.map((a) => String(a.id)) : ['-1'];
  const catIds = ref.targets.length ? ref.targets.map((a) => String(a.category.id)) : ['-1'];
  const sentences = ref.sentences.map((s) =>
    pyObject([
      ['raw', pyString(s.raw)],
      ['sent', pyString(s.tokens.join(' '))],
      ['sent_id', String(s.sentId)],
      ['tokens', `[${s.tokens.map(pyString).join(', ')}]`],
    ]),
  );
  return pyObject([
    ['ann_id', `[${annIds.join(', ')}]`],
    ['category_id', `[${catIds.join(', ')}]`],
    ['file_name', pyString(ref.fileName)],
    ['image_id', String(ref.image.id)],
    ['no_target', ref.kind === 'noTarget' ? 'true' : 'false'],
    ['ref_id', String(ref.refId)],
    ['sent_ids', `[${ref.sentences.map((s) => s.sentId).join(', ')}]`],
    ['sentences', `[${sentences.join(', ')}]`],
    ['split', pyString(ref.split)],
  ]);
}

/** Writes `<out>/grefcoco/` at `fraction` of full scale (1 = the release's size). */
export function writeGRefcoco(out: string, seed: number, fraction: number): GRefcocoSummary {
  const rng = Random.stream(seed, 'grefcoco-pool');
  const splits = Object.keys(IMAGES_PER_SPLIT);
  const imagesPerSplit = splits.map((s) => scaled(IMAGES_PER_SPLIT[s], fraction));
  const images = imagesPerSplit.reduce((t, n) => t + n, 0);
  const refTotal = Math.max(images, scaled(REFS.single + REFS.multi + REFS.noTarget, fraction));
  const refCounts = partition(rng, refTotal, images, Math.ceil(refTotal / images) + 4);
  const plans: (ImagePlan & { split: string; refs: number })[] = [];
  splits.forEach((split, s) => {
    for (let i = 0; i < imagesPerSplit[s]; i++) plans.push({ split, kind: 'mixed', refs: refCounts[plans.length], referable: 0, extra: 0 });
  });
  rng.shuffle(plans);
  const objects = Math.max(scaled(ANNOTATIONS, fraction), refTotal + images);
  const perImage = partition(rng, objects, images, Math.ceil(objects / images) * 4);
  plans.forEach((p, i) => {
    p.referable = Math.max(1, Math.min(perImage[i], p.refs + 2));
    p.extra = Math.max(0, perImage[i] - p.referable);
  });
  const pool = buildPool(rng, plans);

  const refRng = Random.stream(seed, 'grefcoco');
  const refs = pool.flatMap((image, i) => refsOfImage(refRng, image, plans[i].split, plans[i].refs));
  const withSentences = refs.filter(() => !refRng.chance(NO_SENTENCE_SHARE));
  const sentences = Math.max(withSentences.length, scaled(SENTENCES, fraction));
  partition(refRng, sentences, withSentences.length, Math.ceil(sentences / withSentences.length) + 4).forEach((n, i) => (withSentences[i].sentenceCount = n));
  for (const ref of refs) {
    for (let k = 0; k < ref.sentenceCount; k++) {
      const tokens = tokensFor(refRng, ref);
      ref.sentences.push({ sentId: 0, raw: rawExpression(refRng, tokens), tokens });
    }
  }
  numberRefs(refs);

  const dir = join(out, 'grefcoco');
  mkdirSync(dir, { recursive: true });
  const instancesBytes = writeCocoInstances(join(dir, 'instances.json'), 'grefcoco', pool);
  const file = new JsonFile(join(dir, 'grefs(unc).json'));
  file.text('[');
  refs.forEach((ref, i) => file.text((i ? ', ' : '') + refJson(ref)));
  file.text(']');
  const refsBytes = file.close();

  const kinds: Record<Kind, number> = { single: 0, multi: 0, noTarget: 0 };
  const splitCounts: Record<string, number> = {};
  for (const ref of refs) {
    kinds[ref.kind]++;
    splitCounts[ref.split] = (splitCounts[ref.split] ?? 0) + 1;
  }
  return {
    images,
    imagesWithRefs: new Set(refs.map((r) => r.image.id)).size,
    annotations: pool.reduce((t, img) => t + img.annotations.length, 0),
    refs: refs.length,
    sentences: refs.reduce((t, r) => t + r.sentences.length, 0),
    kinds,
    splits: splitCounts,
    instancesBytes,
    refsBytes,
  };
}
