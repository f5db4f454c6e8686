/**
 * Generates a REFER data root: synthetic but shaped exactly like the real files
 * (instances.json + refs(<splitBy>).p per dataset, pickles in the flavours the real
 * ones come in). Deterministic: the same seed and scale give byte-identical files.
 *
 *   npx ts-node --transpile-only src/sample/generate.ts --out data --scale sample
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRefcocoFamily, buildRefcocog } from './coco-refs';
import { writePickle, type PickleWriteOptions } from './pickle-writer';
import { writeSampleImages } from './images';
import { buildRefclef } from './refclef';
import { writeGRefcoco } from './grefcoco';
import { countSentences, refsRecords, splitCounts, SPLIT_NAMES, type BuiltDataset } from './refs';

import { DATASETS, type DatasetName } from './datasets';

export { DATASETS, type DatasetName };

export const DEFAULT_SEED = 7;

/** 'sample' is the small root bundled in data/ (40–80 images and 100–200 refs per pair). */
const SAMPLE_FRACTION: Record<DatasetName, number> = { refcoco: 0.003, 'refcoco+': 0.003, refcocog: 0.003, refclef: 0.002, grefcoco: 0.0023 };

/** How each real refs file was pickled (see REFER-FORMAT.md and the golden data). */
const PICKLE_FORMAT: Record<string, Omit<PickleWriteOptions, 'internedValues'>> = {
  'refcoco/unc': { flavour: 'py2-binstring' },
  'refcoco/google': { flavour: 'py2-binstring' },
  'refcoco+/unc': { flavour: 'py3' },
  'refcocog/google': { flavour: 'py2-utf8-str' },
  'refcocog/umd': { flavour: 'py2-utf8-str' },
  'refclef/unc': { flavour: 'protocol0', shareStrings: 'all' },
  'refclef/berkeley': { flavour: 'py3' },
};

export interface GenerateOptions {
  out: string;
  /** 'full' = the real datasets' sizes; a number = that fraction of them. */
  scale: 'sample' | 'full' | number;
  seed?: number;
  /** Which datasets to write (default: all four). */
  datasets?: readonly string[];
  /** Paint the image files under <out>/images (default: for 'sample' only; most users
   * of the real datasets have no images either). */
  images?: boolean;
}

export interface PairSummary {
  dataset: string;
  splitBy: string;
  file: string;
  flavour: string;
  refs: number;
  sentences: number;
  /** Refs per split label. */
  splits: Record<string, number>;
  /** Images and annotations of the dataset's instances.json, which all its pairs share. */
  images: number;
  imagesWithRefs: number;
  annotations: number;
  /** Size of the refs file. */
  bytes: number;
}

export interface DatasetSummary {
  dataset: string;
  images: number;
  annotations: number;
  instancesBytes: number;
  /** Image files painted under images/ (0 without images). */
  imageFiles: number;
  imageBytes: number;
}

export interface Summary {
  out: string;
  seed: number;
  scale: 'sample' | 'full' | number;
  datasets: DatasetSummary[];
  pairs: PairSummary[];
  seconds: number;
}

function fractionFor(scale: GenerateOptions['scale'], dataset: DatasetName): number {
  if (scale === 'sample') return SAMPLE_FRACTION[dataset];
  if (scale === 'full') return 1;
  if (typeof scale !== 'number' || !(scale > 0)) throw new Error(`scale must be 'sample', 'full' or a positive fraction, got ${String(scale)}`);
  return scale;
}

function checkDatasets(names: readonly string[]): DatasetName[] {
  for (const name of names) {
    if (!(DATASETS as readonly string[]).includes(name)) {
      throw new Error(`unknown dataset "${name}"; valid datasets: ${DATASETS.join(', ')}`);
    }
  }
  return DATASETS.filter((d) => names.includes(d));
}

/** RefCOCO and RefCOCO+ come from one build (they share a pool); it is kept for the
 * second of them. */
type FamilyCache = { family?: BuiltDataset[] };

function build(name: Exclude<DatasetName, 'grefcoco'>, seed: number, scale: GenerateOptions['scale'], cache: FamilyCache): BuiltDataset {
  const fraction = fractionFor(scale, name);
  switch (name) {
    case 'refcoco':
    case 'refcoco+':
      cache.family ??= buildRefcocoFamily(seed, fraction);
      return cache.family[name === 'refcoco' ? 0 : 1];
    case 'refcocog':
      return buildRefcocog(seed, fraction);
    case 'refclef':
      return buildRefclef(seed, fraction);
  }
}

/** Writes one dataset's folder; returns its summaries. */
function writeDataset(out: string, built: BuiltDataset): { dataset: DatasetSummary; pairs: PairSummary[] } {
  const dir = join(out, built.name);
  mkdirSync(dir, { recursive: true });
  const instancesBytes = built.writeInstances(join(dir, 'instances.json'));
  const pairs = built.pairs.map(({ splitBy, refs, refIds }): PairSummary => {
    const key = `${built.name}/${splitBy}`;
    const format = PICKLE_FORMAT[key];
    const file = `refs(${splitBy}).p`;
    const data = writePickle(refsRecords(refs, splitBy, refIds), { ...format, internedValues: SPLIT_NAMES });
    writeFileSync(join(dir, file), data);
    return {
      dataset: built.name,
      splitBy,
      file: `${built.name}/${file}`,
      flavour: format.flavour,
      refs: refs.length,
      sentences: countSentences(refs),
      splits: splitCounts(refs, splitBy),
      images: built.images,
      imagesWithRefs: new Set(refs.map((r) => r.imageId)).size,
      annotations: built.annotations,
      bytes: data.length,
    };
  });
  return { dataset: { dataset: built.name, images: built.images, annotations: built.annotations, instancesBytes, imageFiles: 0, imageBytes: 0 }, pairs };
}

function writeGRefcocoDataset(out: string, seed: number, fraction: number): { dataset: DatasetSummary; pair: PairSummary } {
  const g = writeGRefcoco(out, seed, fraction);
  const dataset: DatasetSummary = { dataset: 'grefcoco', images: g.images, annotations: g.annotations, instancesBytes: g.instancesBytes, imageFiles: 0, imageBytes: 0 };
  const pair: PairSummary = {
    dataset: 'grefcoco', splitBy: 'unc', file: 'grefcoco/grefs(unc).json', flavour: 'json', refs: g.refs, sentences: g.sentences,
    splits: g.splits, images: g.images, imagesWithRefs: g.imagesWithRefs, annotations: g.annotations, bytes: g.refsBytes,
  };
  return { dataset, pair };
}

export async function generateDataRoot(options: GenerateOptions): Promise<Summary> {
  const started = process.hrtime.bigint();
  const seed = options.seed ?? DEFAULT_SEED;
  const names = checkDatasets(options.datasets ?? DATASETS);
  const summary: Summary = { out: options.out, seed, scale: options.scale, datasets: [], pairs: [], seconds: 0 };
  const cache: FamilyCache = {};
  const images = options.images ?? options.scale === 'sample';
  const imagesWritten = new Set<string>();
  for (const name of names) {
    if (name === 'grefcoco') {
      // Its own writer: a JSON refs file with multi- and no-target refs. No images painted yet.
      const { dataset, pair } = writeGRefcocoDataset(options.out, seed, fractionFor(options.scale, name));
      summary.datasets.push(dataset);
      summary.pairs.push(pair);
      continue;
    }
    const { dataset, pairs } = writeDataset(options.out, build(name, seed, options.scale, cache));
    if (images) {
      const painted = writeSampleImages(options.out, name, imagesWritten);
      dataset.imageFiles = painted.files;
      dataset.imageBytes = painted.bytes;
    }
    summary.datasets.push(dataset);
    summary.pairs.push(...pairs);
  }
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return summary;
}

const USAGE = `usage: generate --out <dir> [--scale sample|full|<fraction>] [--seed <n>] [--datasets refcoco,refcoco+,refcocog,refclef,grefcoco] [--images true|false]`;

export function parseArgs(argv: readonly string[]): GenerateOptions {
  const options: GenerateOptions = { out: '', scale: 'sample' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    i++;
    if (flag === '--out') options.out = value;
    else if (flag === '--scale') options.scale = value === 'sample' || value === 'full' ? value : Number(value);
    else if (flag === '--seed') options.seed = Number(value);
    else if (flag === '--datasets') options.datasets = value.split(',').map((s) => s.trim()).filter(Boolean);
    else if (flag === '--images') {
      if (value !== 'true' && value !== 'false') throw new Error(`--images must be true or false\n${USAGE}`);
      options.images = value === 'true';
    }
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (!options.out) throw new Error(`--out is required\n${USAGE}`);
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new Error(`--seed must be an integer\n${USAGE}`);
  return options;
}

export function formatSummary(summary: Summary): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const lines = [`${summary.out} (scale ${summary.scale}, seed ${summary.seed}) in ${summary.seconds.toFixed(1)} s`];
  for (const d of summary.datasets) {
    lines.push(`  ${d.dataset}/instances.json: ${d.images} images, ${d.annotations} annotations, ${mb(d.instancesBytes)}`);
    if (d.imageFiles > 0) lines.push(`  ${d.dataset} image files: ${d.imageFiles} JPEGs, ${mb(d.imageBytes)}`);
    for (const p of summary.pairs.filter((x) => x.dataset === d.dataset)) {
      const splits = Object.entries(p.splits).map(([k, v]) => `${k} ${v}`).join(', ');
      lines.push(`  ${p.file} [${p.flavour}]: ${p.refs} refs, ${p.sentences} sentences, ${p.imagesWithRefs} images with refs (${splits}), ${mb(p.bytes)}`);
    }
  }
  return lines.join('\n');
}

/** CLI entry: returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: GenerateOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const summary = await generateDataRoot(options);
  process.stdout.write(`${formatSummary(summary)}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
