/**
 * One evaluation: which pair, split and task, the options, and the predictions (a parsed
 * JSON value) in; the report out. A problem with the request or the predictions is a
 * DataError naming it; the report is never computed from part of the input.
 */
import { DataError } from '../core/errors';
import type { Catalog } from '../core/catalog';
import { checkThresholds, DEFAULT_BOX_THRESHOLDS, evaluateBoxes, evaluateBoxSteps, IOU_CONVENTIONS, type BoxOptions, type IouConvention } from './boxes';
import { evaluateExpressions, evaluateExpressionSteps } from './expressions';
import { GroundTruth } from './ground-truth';
import { gresReport } from './gres-report';
import { finishMaskSteps, scoreMaskSteps, type MaskJob } from './masks';
import { BOX_FORMATS, BOX_SCALES, boxPredictionSteps, maskPredictionSteps, sentencePredictionSteps, TASKS, type BoxFormat, type BoxScale, type MaskEntry, type Parsed, type Task } from './predictions';
import { runSteps, runStepsYielding, type Progress, type Steps } from './steps';

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

export type EvaluationReport = ReturnType<typeof evaluateBoxes> | (ReturnType<typeof finishMaskReport> extends Steps<infer R> ? R : never) | ReturnType<typeof evaluateExpressions>;

/** The masks report; on gRefCOCO with GRES's metrics beside LAVT's (`gres`). */
function* finishMaskReport(source: string, gt: GroundTruth, split: string, parsed: Parsed<MaskEntry>, job: MaskJob) {
  const report = yield* finishMaskSteps(gt, split, parsed, job);
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

/** The whole evaluation, parsing included, as steps (see steps.ts). */
export function* evaluationSteps(setup: EvaluationSetup, source: string, predictions: unknown): Steps<EvaluationReport> {
  const { gt, split } = setup;
  if (setup.task === 'boxes') return yield* evaluateBoxSteps(gt, split, yield* boxPredictionSteps(source, predictions), setup.box);
  if (setup.task === 'expressions') return yield* evaluateExpressionSteps(source, gt, split, yield* sentencePredictionSteps(source, predictions));
  const parsed = yield* maskPredictionSteps(source, predictions);
  return yield* finishMaskReport(source, gt, split, parsed, yield* scoreMaskSteps(source, gt, split, parsed));
}

export function evaluatePredictions(setup: EvaluationSetup, source: string, predictions: unknown): EvaluationReport {
  return runSteps(evaluationSteps(setup, source, predictions));
}

/** evaluatePredictions for a server or a terminal: event-loop turns between slices of work, with progress. */
export function evaluatePredictionsYielding(setup: EvaluationSetup, source: string, predictions: unknown, onProgress?: (p: Progress) => void): Promise<EvaluationReport> {
  return runStepsYielding(evaluationSteps(setup, source, predictions), onProgress);
}
