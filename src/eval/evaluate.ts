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
import { BOX_FORMATS, BOX_SCALES, boxPredictionReader, maskPredictionReader, readArraySteps, sentencePredictionReader, TASKS, type BoxFormat, type BoxPredictions, type BoxScale, type MaskEntry, type Parsed, type PredictionReader, type SentenceEntry, type Task } from './predictions';
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

/** A predictions file read into the typed entries of its task. */
export type ParsedPredictions = { task: 'boxes'; boxes: BoxPredictions } | { task: 'masks'; masks: Parsed<MaskEntry> } | { task: 'expressions'; sentences: Parsed<SentenceEntry> };

/** A reader for the setup's task: fed one element at a time (a streamed body) or over a parsed array. */
export function predictionReader(setup: EvaluationSetup, source: string): PredictionReader<ParsedPredictions> {
  const typed = <P>(reader: PredictionReader<P>, wrap: (p: P) => ParsedPredictions): PredictionReader<ParsedPredictions> => ({ add: (value) => reader.add(value), finish: () => wrap(reader.finish()) });
  if (setup.task === 'boxes') return typed(boxPredictionReader(source), (boxes) => ({ task: 'boxes', boxes }));
  if (setup.task === 'expressions') return typed(sentencePredictionReader(source), (sentences) => ({ task: 'expressions', sentences }));
  return typed(maskPredictionReader(source), (masks) => ({ task: 'masks', masks }));
}

/** The evaluation of predictions already read, as steps (see steps.ts). */
export function* parsedEvaluationSteps(setup: EvaluationSetup, source: string, parsed: ParsedPredictions): Steps<EvaluationReport> {
  const { gt, split } = setup;
  if (parsed.task === 'boxes') return yield* evaluateBoxSteps(gt, split, parsed.boxes, setup.box);
  if (parsed.task === 'expressions') return yield* evaluateExpressionSteps(source, gt, split, parsed.sentences);
  return yield* finishMaskReport(source, gt, split, parsed.masks, yield* scoreMaskSteps(source, gt, split, parsed.masks));
}

/** The whole evaluation of a parsed JSON value, reading included, as steps. */
export function* evaluationSteps(setup: EvaluationSetup, source: string, predictions: unknown): Steps<EvaluationReport> {
  return yield* parsedEvaluationSteps(setup, source, yield* readArraySteps(source, predictions, predictionReader(setup, source)));
}

export function evaluatePredictions(setup: EvaluationSetup, source: string, predictions: unknown): EvaluationReport {
  return runSteps(evaluationSteps(setup, source, predictions));
}

/** evaluatePredictions for a server or a terminal: event-loop turns between slices of work, with progress. */
export function evaluatePredictionsYielding(setup: EvaluationSetup, source: string, predictions: unknown, onProgress?: (p: Progress) => void): Promise<EvaluationReport> {
  return runStepsYielding(evaluationSteps(setup, source, predictions), onProgress);
}

/** The same for predictions read already (the server reads the body as it streams in). */
export function evaluateParsedYielding(setup: EvaluationSetup, source: string, parsed: ParsedPredictions): Promise<EvaluationReport> {
  return runStepsYielding(parsedEvaluationSteps(setup, source, parsed));
}
