/**
 * The question people ask of masks, "is the IoU of my prediction with the object at
 * least 0.5?": MaskComparison, Query.maskIou and Dataset.refMaskIou, as pycocotools'
 * mask.iou answers it.
 */
import { DataError } from '../src/core/errors';
import { rleArea, rleIou, rleMerge, type Rle } from '../src/mask';
import { builder } from './builder';
import { MaskInput, maskKind, type MaskInputValue, maskOfValue, masksOf, VALUE_KINDS } from './mask-input';
import { loadRefMask, MASK_COMPLEXITY } from './mask-loading';
import { Dataset } from './objects';

interface Comparison {
  iou: number;
  intersectionArea: number;
  unionArea: number;
  aArea: number;
  bArea: number;
  threshold: number;
  iscrowd: boolean;
}

/** a is the prediction (pycocotools' dt), b the ground truth (gt); `field` names the asking field in errors. */
function compareMasks(field: string, a: Rle, b: Rle, threshold: number | null | undefined, iscrowd: boolean | null | undefined): Comparison {
  const t = threshold ?? 0.5;
  if (!(t >= 0 && t <= 1)) throw new DataError(`${field}: threshold must be between 0 and 1, got ${t}`);
  if (a.h !== b.h || a.w !== b.w) {
    throw new DataError(`${field}: a is ${a.h}x${a.w} (height x width) but b is ${b.h}x${b.w}: masks of different sizes cannot be compared`);
  }
  const crowd = iscrowd ?? false;
  return {
    iou: rleIou([a], [b], [crowd])[0][0],
    intersectionArea: rleArea(rleMerge([a, b], true)),
    unionArea: rleArea(rleMerge([a, b])),
    aArea: rleArea(a),
    bArea: rleArea(b),
    threshold: t,
    iscrowd: crowd,
  };
}

const MaskComparison = builder.objectRef<Comparison>('MaskComparison').implement({
  description: "Two masks compared as pycocotools' mask.iou([a], [b], [iscrowd]) does, a being the prediction and b the ground truth.",
  fields: (t) => ({
    iou: t.exposeFloat('iou', { description: 'intersection / union; with iscrowd, intersection / aArea (the part of a inside b). 0 when the masks do not meet.' }),
    intersectionArea: t.exposeInt('intersectionArea', { description: 'Pixels set in both.' }),
    unionArea: t.exposeInt('unionArea', { description: 'Pixels set in either (also with iscrowd).' }),
    aArea: t.exposeInt('aArea'),
    bArea: t.exposeInt('bArea'),
    hit: t.boolean({ description: 'iou ≥ threshold: the comprehension-accuracy test.', resolve: (c) => c.iou >= c.threshold }),
    threshold: t.exposeFloat('threshold'),
    iscrowd: t.exposeBoolean('iscrowd'),
  }),
});

builder.queryFields((t) => ({
  maskIou: t.field({
    type: MaskComparison,
    nullable: true,
    description:
      'IoU of two masks of one size, each a ref or annotation (by global id), a box or an RLE: e.g. a predicted box or mask against a ref. ' +
      'Masks of different sizes, malformed counts or a missing input are errors.',
    args: {
      a: t.arg({ type: MaskInput, required: true, description: 'The prediction (pycocotools dt).' }),
      b: t.arg({ type: MaskInput, required: true, description: 'The ground truth (pycocotools gt).' }),
      threshold: t.arg.float({ defaultValue: 0.5, description: 'hit is iou ≥ threshold.' }),
      iscrowd: t.arg.boolean({ defaultValue: false, description: "Treat b as a crowd region, as pycocotools' iscrowd does: iou becomes the part of a inside b." }),
    },
    complexity: 2 * MASK_COMPLEXITY,
    resolve: async (_root, args, ctx) => {
      const names: [string, string] = ['maskIou: a', 'maskIou: b'];
      const [a, b] = await masksOf(ctx, [args.a, args.b], names);
      return compareMasks('maskIou', a, b, args.threshold, args.iscrowd);
    },
  }),
}));

builder.objectFields(Dataset, (t) => ({
  refMaskIou: t.field({
    type: MaskComparison,
    nullable: true,
    description:
      "A prediction for a ref against the ref's mask (Ref.mask), at the ref's image size: give exactly one of box (as getRefBox: [x, y, w, h]), counts or uncompressedCounts. " +
      'hit says whether IoU ≥ threshold, the usual 0.5 of comprehension accuracy.',
    args: {
      refId: t.arg.int({ required: true }),
      box: t.arg.floatList({ description: 'Predicted box [x, y, w, h] in pixels.' }),
      counts: t.arg.string({ description: 'Predicted mask as a compressed COCO RLE string.' }),
      uncompressedCounts: t.arg.intList({ description: 'Predicted mask as uncompressed COCO RLE counts.' }),
      threshold: t.arg.float({ defaultValue: 0.5 }),
    },
    complexity: MASK_COMPLEXITY,
    resolve: async (store, args, ctx) => {
      const refRow = await ctx.loaders.of(store).load('refById', args.refId);
      const prediction: MaskInputValue = { box: args.box, counts: args.counts, uncompressedCounts: args.uncompressedCounts };
      const kind = maskKind(prediction, 'refMaskIou', VALUE_KINDS);
      const truth = await loadRefMask(ctx, store, refRow);
      return compareMasks('refMaskIou', maskOfValue(prediction, kind, 'refMaskIou', [truth.h, truth.w]), truth, args.threshold, false);
    },
  }),
}));
