/**
 * `refer-graphql evaluate --data-root DIR --dataset refcoco/unc --split testA --task boxes
 * preds.json [--json]` as a function (src/cli.ts registers it): loads the one pair,
 * scores the file, prints the summary table or, with --json, the whole report.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadCatalog } from '../core/catalog';
import { parsePairName } from '../core/layout';
import { DataError } from '../core/errors';
import { evaluatePredictionsYielding, evaluationSetup } from './evaluate';
import type { Progress } from './steps';
import { summaryTable } from './summary-table';

export interface EvaluateCommandOptions {
  dataRoot: string;
  /** "dataset/splitBy". */
  dataset: string;
  split: string;
  task: string;
  /** The predictions file (.json, or gzip-compressed). */
  file: string;
  json?: boolean;
  iou?: string;
  boxFormat?: string;
  boxScale?: string;
  thresholds?: readonly number[];
  /** Compiled-index cache directory; null for none (default: the catalog's default). */
  cacheDir?: string | null;
  /** Told now and then how far the evaluation is (the CLI draws a progress bar with it). */
  onProgress?: (p: Progress, predictions: number) => void;
}

function readPredictionsFile(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DataError(`${file}: cannot be read: ${(e as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new DataError(`${file}: not JSON: ${(e as Error).message}`);
  }
}

/** Runs the evaluation; resolves to the text to print. DataErrors name the file and the problem. */
export async function runEvaluateCommand(options: EvaluateCommandOptions): Promise<string> {
  const [dataset, splitBy] = parsePairName(options.dataset);
  const catalog = loadCatalog({ dataRoot: options.dataRoot, datasets: [options.dataset], cacheDir: options.cacheDir });
  const setup = evaluationSetup(catalog, { dataset, splitBy, split: options.split, task: options.task, iou: options.iou, boxFormat: options.boxFormat, boxScale: options.boxScale, thresholds: options.thresholds });
  const predictions = readPredictionsFile(options.file);
  const count = Array.isArray(predictions) ? predictions.length : 0;
  const report = await evaluatePredictionsYielding(setup, options.file, predictions, options.onProgress && ((p) => options.onProgress!(p, count)));
  if (options.json) return `${JSON.stringify(report)}\n`;
  return summaryTable(`${options.dataset} ${options.split} ${setup.task}`, report);
}
