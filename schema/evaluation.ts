/**
 * Evaluation reports in the graph: Query.evaluation(id) reads a report that POST
 * /evaluate (or Query.evaluateBoxes) stored, with its numbers and its samples worst
 * first, each linked to its Ref; Query.evaluateBoxes scores a small set of boxes sent as
 * a variable. The scoring itself is src/eval's.
 */
import { DataError } from '../src/core/errors';
import type { StoredReport } from '../src/eval/report-store';
import type { CategoryView, Metric, MetricBlock, SampleOrder } from '../src/eval/report-view';
import { builder } from './builder';
import { evaluateModule, reportView } from './lazy-modules';
import { asFileEntry, BoxFormat, BoxPredictionInput, BoxScale, IouConvention } from './evaluation-inputs';
import { RefRow } from './models';
import { Dataset, Evaluation, Ref } from './objects';
import { connectionComplexity, pageOf } from './pagination';

/** More boxes than this go through POST /evaluate, which streams them. */
export const MAX_GRAPHQL_PREDICTIONS = 5000;

const MetricRef = builder.objectRef<Metric>('EvaluationMetric').implement({
  description: 'One number of a report, named as in the golden answers: mean_iou, accuracy@0.5, mIoU, oIoU, precision@0.7, Bleu_4, CIDEr, …',
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.float({ nullable: true, description: 'null where the reference has no number (METEOR needs Java; oIoU of an empty union).', resolve: (m) => m.value }),
  }),
});

const MetricBlockRef = builder.objectRef<MetricBlock>('EvaluationMetrics').implement({
  fields: (t) => ({
    n: t.int({ nullable: true, description: 'Samples these numbers are over.', resolve: (b) => b.n }),
    metrics: t.field({ type: [MetricRef], resolve: (b) => b.metrics }),
    metric: t.float({ nullable: true, description: 'One metric by name; null when absent or without a number.', args: { name: t.arg.string({ required: true }) }, resolve: (b, { name }) => b.metrics.find((m) => m.name === name)?.value ?? null }),
  }),
});

interface Blocks {
  given: MetricBlock;
  all: MetricBlock | null;
}

const OverallRef = builder.objectRef<Blocks>('EvaluationOverall').implement({
  description: 'given: over the distinct in-split predictions; all: over the whole split, a missing prediction counted wrong (IoU 0). Expressions have only given.',
  fields: (t) => ({
    given: t.field({ type: MetricBlockRef, resolve: (b) => b.given }),
    all: t.field({ type: MetricBlockRef, nullable: true, resolve: (b) => b.all }),
  }),
});

const CategoryEvaluationRef = builder.objectRef<CategoryView>('CategoryEvaluation').implement({
  fields: (t) => ({
    categoryId: t.exposeInt('categoryId'),
    name: t.exposeString('name'),
    given: t.field({ type: MetricBlockRef, resolve: (c) => c.given }),
    all: t.field({ type: MetricBlockRef, nullable: true, resolve: (c) => c.all }),
  }),
});

const CountsRef = builder.objectRef<StoredReport['report']['counts']>('EvaluationCounts').implement({
  description: 'As the golden answers count: the split (universe), the file (entries), scored, missing, repeated ids (the last wins), ids outside the split (ignored, listed).',
  fields: (t) => ({
    universe: t.exposeInt('universe'),
    entries: t.exposeInt('entries'),
    evaluated: t.exposeInt('evaluated'),
    missing: t.exposeInt('missing'),
    duplicates: t.exposeInt('duplicates'),
    unknown: t.exposeInt('unknown'),
  }),
});

const EvaluationTask = builder.enumType('EvaluationTask', { values: { BOXES: { value: 'boxes' }, MASKS: { value: 'masks' }, EXPRESSIONS: { value: 'expressions' } } as const });

const SampleOrderRef = builder.enumType('EvaluationSampleOrder', {
  values: {
    FILE_ORDER: { description: 'As the report lists them (the split’s order).' },
    IOU_ASC: { description: 'Worst first (boxes, masks); ties in file order.' },
    IOU_DESC: { description: 'Best first (boxes, masks).' },
    CIDER_ASC: { description: 'Worst first (expressions).' },
    CIDER_DESC: { description: 'Best first (expressions).' },
  } satisfies Record<SampleOrder, { description: string }>,
});

interface SampleModel {
  stored: StoredReport;
  index: number;
  /** The sample's row, read once (a box report makes it from columns), as the union of the three tasks' rows: absent fields are undefined. */
  row: Record<string, unknown>;
}

const numberField = (s: SampleModel, key: string) => {
  const v = s.row[key];
  return typeof v === 'number' ? v : null;
};

const SampleRef = builder.objectRef<SampleModel>('EvaluationSample').implement({
  description: 'One scored prediction of a report, as its per_sample row; fields another task has are null.',
  fields: (t) => ({
    index: t.int({ description: 'Position in the report’s per_sample.', resolve: (s) => s.index }),
    entry: t.int({ nullable: true, description: 'Position of the prediction in the file.', resolve: (s) => numberField(s, 'entry') }),
    sentId: t.int({ nullable: true, resolve: (s) => numberField(s, 'sent_id') }),
    refId: t.int({ resolve: (s) => numberField(s, 'ref_id')! }),
    ref: t.field({
      type: Ref,
      resolve: (s, _args, ctx) => {
        const store = ctx.catalog.get(s.stored.dataset, s.stored.splitBy);
        return new RefRow(store, store.refRow(numberField(s, 'ref_id')!));
      },
    }),
    iou: t.float({ nullable: true, description: 'Boxes: the published computeIoU (null where it divides by zero); masks: I / U.', resolve: (s) => numberField(s, 'iou') }),
    iouContinuous: t.float({ nullable: true, resolve: (s) => numberField(s, 'iou_continuous') }),
    hit: t.boolean({ nullable: true, description: 'IoU ≥ 0.5 in the report’s convention (boxes, masks).', resolve: (s) => (typeof s.row.hit === 'boolean' ? (s.row.hit as boolean) : null) }),
    // An expressions row's `pred` is its sentence: only a boxes row's is a box.
    predictedBox: t.floatList({ nullable: true, description: 'Boxes: the prediction in pixels [x, y, w, h].', resolve: (s) => (Array.isArray(s.row.pred) ? (s.row.pred as number[]) : null) }),
    groundTruthBox: t.floatList({ nullable: true, resolve: (s) => (s.row.gt as number[] | undefined) ?? null }),
    intersection: t.float({ nullable: true, description: 'Masks: |P∧G| in pixels.', resolve: (s) => numberField(s, 'I') }),
    union: t.float({ nullable: true, description: 'Masks: |P∨G| in pixels.', resolve: (s) => numberField(s, 'U') }),
    predictedSentence: t.string({ nullable: true, description: 'Expressions: the prediction, tokenised.', resolve: (s) => (typeof s.row.pred === 'string' ? (s.row.pred as string) : null) }),
    cider: t.float({ nullable: true, resolve: (s) => numberField(s, 'CIDEr') }),
    bleu4: t.float({ nullable: true, resolve: (s) => numberField(s, 'Bleu_4') }),
    rougeL: t.float({ nullable: true, resolve: (s) => numberField(s, 'ROUGE_L') }),
  }),
});

builder.objectType(Evaluation, {
  description: 'A stored evaluation report (POST /evaluate or evaluateBoxes), as the golden answers structure it.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The report id: POST /evaluate answers it as "id".' }),
    task: t.field({ type: EvaluationTask, resolve: (r) => r.report.task }),
    dataset: t.field({ type: Dataset, resolve: (r, _args, ctx) => ctx.catalog.get(r.dataset, r.splitBy) }),
    split: t.exposeString('split'),
    createdAt: t.exposeString('createdAt'),
    counts: t.field({ type: CountsRef, resolve: (r) => r.report.counts }),
    overall: t.field({ type: OverallRef, resolve: (r) => reportView().overallBlocks(r.report) }),
    perCategory: t.field({ type: [CategoryEvaluationRef], complexity: 80, resolve: (r) => reportView().categoryBlocks(r.report) }),
    samples: t.connection({
      type: SampleRef,
      args: { orderBy: t.arg({ type: SampleOrderRef, defaultValue: 'FILE_ORDER' }) },
      complexity: connectionComplexity,
      resolve: (r, args, ctx) => pageOf(reportView().sampleOrder(r.report, args.orderBy ?? 'FILE_ORDER'), args, ctx, (index) => ({ stored: r, index, row: r.report.per_sample.row(index) as unknown as Record<string, unknown> })),
    }),
  }),
});

builder.queryFields((t) => ({
  evaluation: t.field({
    type: Evaluation,
    nullable: true,
    description: 'A stored report by id; null when there is none (never made, or evicted: the store keeps the latest reports within a bound).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.evaluations.get(String(id)) ?? null,
  }),
  evaluateBoxes: t.field({
    type: Evaluation,
    description: `Scores up to ${MAX_GRAPHQL_PREDICTIONS} predicted boxes on a split, as POST /evaluate?task=boxes does, and stores the report (its id reads it again). Larger files: POST /evaluate.`,
    args: {
      dataset: t.arg.string({ required: true }),
      splitBy: t.arg.string({ required: true }),
      split: t.arg.string({ required: true }),
      predictions: t.arg({ type: [BoxPredictionInput], required: true }),
      iou: t.arg({ type: IouConvention, defaultValue: 'published' }),
      boxFormat: t.arg({ type: BoxFormat, defaultValue: 'xywh' }),
      boxScale: t.arg({ type: BoxScale, defaultValue: 'pixels' }),
      thresholds: t.arg.floatList({ description: 'Accuracy thresholds besides 0.5 (default 0.25, 0.5, 0.75, 0.9).' }),
    },
    // A prediction costs about what a selected field does; the cost limit bounds the set.
    complexity: (args) => ({ field: 1 + args.predictions.length, multiplier: 1 }),
    resolve: (_root, args, ctx) => {
      const source = 'evaluateBoxes: predictions';
      if (args.predictions.length > MAX_GRAPHQL_PREDICTIONS) throw new DataError(`${source}: ${args.predictions.length} predictions, more than ${MAX_GRAPHQL_PREDICTIONS}: POST the file to /evaluate instead`);
      const { evaluatePredictions, evaluationSetup } = evaluateModule();
      const setup = evaluationSetup(ctx.catalog, {
        dataset: args.dataset,
        splitBy: args.splitBy,
        split: args.split,
        task: 'boxes',
        iou: args.iou ?? undefined,
        boxFormat: args.boxFormat ?? undefined,
        boxScale: args.boxScale ?? undefined,
        thresholds: args.thresholds ?? undefined,
      });
      const report = evaluatePredictions(setup, source, args.predictions.map(asFileEntry));
      return ctx.evaluations.add({ dataset: setup.dataset, splitBy: setup.splitBy, split: setup.split, report });
    },
  }),
}));
