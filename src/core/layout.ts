/**
 * Where REFER keeps things under a data root: the published dataset/splitBy pairs, their
 * file names, the image folders, and the guard that keeps image paths inside them.
 * Paths come only from the index's file names, and never leave the images folder.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { DataError, NotFoundError } from './errors';
import type { ReferStore } from './store/store';

/** Every published dataset and its splitBys. */
export const KNOWN_PAIRS: Record<string, string[]> = {
  refclef: ['unc', 'berkeley'],
  refcoco: ['unc', 'google'],
  'refcoco+': ['unc'],
  refcocog: ['google', 'umd'],
  // gRefCOCO (GRES): refs naming several objects or none, read by G_REFER's rules.
  grefcoco: ['unc'],
};

/** The dataset whose refs file is grefs(<splitBy>).json (or .p), with target lists. */
export const GREFCOCO = 'grefcoco';

export const ALL_PAIR_NAMES = Object.entries(KNOWN_PAIRS).flatMap(([d, splits]) => splits.map((s) => `${d}/${s}`));

export const INSTANCES_FILE = 'instances.json';

/** The refs file of a pair; gRefCOCO's is grefs(<splitBy>).json, unless a .p beside it exists (refsFilePath). */
export function refsFileName(splitBy: string, dataset?: string): string {
  return dataset === GREFCOCO ? `grefs(${splitBy}).json` : `refs(${splitBy}).p`;
}

/** The refs file of a pair under dataRoot: for gRefCOCO a grefs(<splitBy>).p beside the .json wins, as in G_REFER. */
export function refsFilePath(dataRoot: string, dataset: string, splitBy: string): string {
  if (dataset === GREFCOCO) {
    const pickle = join(dataRoot, dataset, `grefs(${splitBy}).p`);
    if (existsSync(pickle)) return pickle;
  }
  return join(dataRoot, dataset, refsFileName(splitBy, dataset));
}

/** Splits "refcoco/unc" and checks it is a published pair. */
export function parsePairName(name: string): [string, string] {
  const [dataset, splitBy, extra] = name.split('/');
  if (extra !== undefined || !KNOWN_PAIRS[dataset]?.includes(splitBy ?? '')) {
    throw new NotFoundError(`unknown dataset "${name}"; valid: ${ALL_PAIR_NAMES.join(', ')}`);
  }
  return [dataset, splitBy];
}

/** Pairs whose instances.json and refs file both exist under dataRoot. */
export function findPairs(dataRoot: string): string[] {
  return ALL_PAIR_NAMES.filter((name) => {
    const [dataset, splitBy] = name.split('/');
    return existsSync(join(dataRoot, dataset, INSTANCES_FILE)) && existsSync(refsFilePath(dataRoot, dataset, splitBy));
  });
}

/** The folder of a dataset's images: RefClef's SAIAPR TC-12, or COCO train2014 for the others. */
export function imagesFolder(dataset: string, dataRoot: string): string {
  const parts = dataset === 'refclef' ? ['images', 'saiapr_tc-12'] : ['images', 'mscoco', 'images', 'train2014'];
  return join(resolve(dataRoot), ...parts);
}

/**
 * The absolute path of `fileName` in the dataset's images folder. Only plain relative
 * names are accepted ("COCO_train2014_000000581857.jpg", "25/25418.jpg"): an index is
 * data from the internet, and a name such as "../../etc/passwd" must not reach a file.
 */
export function imageFilePath(dataset: string, fileName: string, dataRoot: string): string {
  const folder = imagesFolder(dataset, dataRoot);
  const path = pathInFolder(folder, fileName);
  if (path === undefined) throw new DataError(`${dataset}: ${refusal(folder, fileName)}`);
  return path;
}

/** The path of image row `imageRow`'s file (the file may not exist). */
export function imagePath(store: ReferStore, imageRow: number, dataRoot: string): string {
  const folder = imagesFolder(store.dataset, dataRoot);
  const fileName = store.imageFileName(imageRow);
  const path = pathInFolder(folder, fileName);
  if (path === undefined) throw new DataError(`${store.name}: image ${store.imageId(imageRow)}: ${refusal(folder, fileName)}`);
  return path;
}

// Under a stand-in root, imagePath gives the path relative to any data root.
const ANY_ROOT = resolve('/');

/** Where REFER expects an image's file, relative to the data root. */
export function relativeImagePath(store: ReferStore, imageRow: number): string {
  return relative(ANY_ROOT, imagePath(store, imageRow, ANY_ROOT));
}

function pathInFolder(folder: string, fileName: string): string | undefined {
  const segments = fileName.split('/');
  const plain = fileName.length > 0 && !/[\\\0]/.test(fileName) && !/^[A-Za-z]:/.test(fileName) && segments.every((s) => s !== '' && s !== '.' && s !== '..');
  const path = join(folder, fileName);
  return plain && path.startsWith(folder + sep) ? path : undefined;
}

function refusal(folder: string, fileName: string): string {
  return `file_name ${JSON.stringify(fileName)} is not a plain relative path inside ${folder}; refusing it`;
}
