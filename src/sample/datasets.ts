/** The datasets the generator writes; its own module so the CLI can check names without loading it. */
export const DATASETS = ['refcoco', 'refcoco+', 'refcocog', 'refclef', 'grefcoco'] as const;
export type DatasetName = (typeof DATASETS)[number];
