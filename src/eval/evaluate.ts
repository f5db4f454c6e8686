/**
 * One evaluation: which pair, split and task, the options, and the predictions (a parsed
 * JSON value) in; the report out. A problem with the request or the predictions is a
 * DataError naming it; the report is never computed from part of the input.
 */
import { DataError } from '../core/errors';
import type { Catalog } from '../core/catalog';
import { checkThresholds, DEFAULT_BOX_THRESHOLDS, evaluateBoxes, IOU_CONVENTIONS, type BoxOptions, type IouConvention } from './boxes';
import { evaluateExpressions } from './expressions';
import { GroundTruth } from './ground-truth';
import { gresReport } from './gres-report';
import { finishMasks, scoreMaskRange, startMasks, type MaskJob } from './masks';
import { BOX_FORMATS, BOX_SCALES, parseBoxPredictions, parseMaskPredictions, parseSentencePredictions, TASKS, type BoxFormat, type BoxScale, type Task } from './predictions';

export interface EvaluationRequest {
  dataset: string;
  splitBy: string;
  split: string;
  task: string;
  iou?: string;
  boxFormat?: string;
  boxScale?: string;
  thresholds?: readonly number[];
}

export interface EvaluationSetup {
  gt: GroundTruth;
  dataset: string;
  splitBy: string;
  split: string;
  task: Task;
  box: BoxOptions;
}

export type EvaluationReport = ReturnType<typeof evaluateBoxes> | ReturnType<typeof finishMaskReport> | ReturnType<typeof evaluateExpressions>;

/** The masks report; on gRefCOCO with GRES's metrics beside LAVT's (`gres`). */
function finishMaskReport(source: string, gt: GroundTruth, parsed: ReturnType<typeof parseMaskPredictions>, job: MaskJob) {
  const report = finishMasks(gt, parsed, job);
  return gt.hasTargetLists ? { ...report, gres: gresReport(source, gt, parsed, job.matching) } : report;
}

function oneOf<T extends string>(what: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new DataError(`unknown ${what} ${JSON.stringify(value)}: use one of ${allowed.join(', ')}`);
  return value as T;
}

/** Checks the request against the catalog; throws a DataError naming what is wrong. */
export function evaluationSetup(catalog: Catalog, request: EvaluationRequest): EvaluationSetup {
  const task = oneOf<Task>('task', request.task, TASKS, 'boxes');
  const store = catalog.get(request.dataset, request.splitBy);
  const gt = new GroundTruth(store);
  gt.checkSplit(request.split);
  const asked = request.thresholds ?? DEFAULT_BOX_THRESHOLDS;
  checkThresholds(asked);
  // Accuracy is the share at IoU ≥ 0.5, whatever else is asked.
  const thresholds = [...new Set([...asked, 0.5])].sort((a, b) => a - b);
  const box: BoxOptions = {
    thresholds,
    iou: oneOf<IouConvention>('iou', request.iou, IOU_CONVENTIONS, 'published'),
    boxFormat: oneOf<BoxFormat>('boxFormat', request.boxFormat, BOX_FORMATS, 'xywh'),
    boxScale: oneOf<BoxScale>('boxScale', request.boxScale, BOX_SCALES, 'pixels'),
  };
  return { gt, dataset: request.dataset, splitBy: request.splitBy, split: request.split, task, box };
}

export function evaluatePredictions(setup: EvaluationSetup, source: string, predictions: unknown): EvaluationReport {
  const { gt, split } = setup;
  if (setup.task === 'boxes') return evaluateBoxes(gt, split, parseBoxPredictions(source, predictions), setup.box);
  if (setup.task === 'expressions') return evaluateExpressions(source, gt, split, parseSentencePredictions(source, predictions));
  const parsed = parseMaskPredictions(source, predictions);
  const job = startMasks(gt, split, parsed);
  scoreMaskRange(source, gt, parsed.unit, job.matching, parsed.entries, job.scores, job.samples, 0, job.matching.rows.length);
  return finishMaskReport(source, gt, parsed, job);
}

/** Masks decoded in slices of this many samples between event-loop turns (~10 ms each). */
const MASK_SLICE = 200;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** evaluatePredictions for a server: mask decoding, the slow part, yields to other requests. */
export async function evaluatePredictionsYielding(setup: EvaluationSetup, source: string, predictions: unknown): Promise<EvaluationReport> {
  if (setup.task !== 'masks') return evaluatePredictions(setup, source, predictions);
  const { gt, split } = setup;
  const parsed = parseMaskPredictions(source, predictions);
  const job = startMasks(gt, split, parsed);
  const n = job.matching.rows.length;
  for (let from = 0; from < n; from += MASK_SLICE) {
    scoreMaskRange(source, gt, parsed.unit, job.matching, parsed.entries, job.scores, job.samples, from, Math.min(n, from + MASK_SLICE));
    await nextTurn();
  }
  return finishMaskReport(source, gt, parsed, job);
}
