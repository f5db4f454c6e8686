/**
 * Dataset.refBoxIou: a predicted box against the ref's box (getRefBox), the test of
 * comprehension accuracy. (refMaskIou compares with the ref's mask instead.)
 */
import { DataError } from '../src/core/errors';
import type { BoxComparison } from '../src/eval/box-comparison';
import { builder } from './builder';
import { boxComparison } from './lazy-modules';
import { IouConvention } from './evaluation-inputs';
import { Dataset } from './objects';

const BoxComparisonRef = builder.objectRef<BoxComparison>('BoxComparison').implement({
  description: "A predicted box against a ref's box, as comprehension accuracy scores it.",
  fields: (t) => ({
    iou: t.float({ nullable: true, description: 'The asked convention’s IoU; null where computeIoU divides by zero (the reference code scores that as wrong).', resolve: (c) => c.iou }),
    hit: t.boolean({ description: 'iou ≥ threshold (a null iou is a miss).', resolve: (c) => c.iou !== null && c.iou >= c.threshold }),
    publishedIou: t.float({ nullable: true, resolve: (c) => c.published }),
    continuousIou: t.float({ nullable: true, resolve: (c) => c.continuous }),
    iouConvention: t.field({ type: IouConvention, resolve: (c) => c.convention }),
    groundTruthBox: t.floatList({ description: 'getRefBox: [x, y, w, h].', resolve: (c) => c.groundTruthBox }),
    threshold: t.exposeFloat('threshold'),
  }),
});

builder.objectFields(Dataset, (t) => ({
  refBoxIou: t.field({
    type: BoxComparisonRef,
    description: "IoU of a predicted box [x, y, w, h] (pixels) with the ref's box: comprehension accuracy, box against box.",
    args: {
      refId: t.arg.int({ required: true }),
      box: t.arg.floatList({ required: true, description: 'Predicted [x, y, w, h] in pixels.' }),
      iou: t.arg({ type: IouConvention, defaultValue: 'published' }),
      threshold: t.arg.float({ defaultValue: 0.5 }),
    },
    resolve: async (store, args, ctx) => {
      const threshold = args.threshold ?? 0.5;
      if (!(threshold >= 0 && threshold <= 1)) throw new DataError(`refBoxIou: threshold must be between 0 and 1, got ${threshold}`);
      if (args.box.length !== 4 || !args.box.every(Number.isFinite)) throw new DataError(`refBoxIou: box must be four finite numbers [x, y, w, h], got ${JSON.stringify(args.box)}`);
      const refRow = await ctx.loaders.of(store).load('refById', args.refId);
      return boxComparison().compareRefBox(store, refRow, args.box, args.iou ?? 'published', threshold);
    },
  }),
}));
