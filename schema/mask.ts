/**
 * Mask: the binary mask of an object as COCO RLE, bitmap or PNG (Ref.mask,
 * Annotation.mask), and the question people ask of masks, "is the IoU of my prediction
 * with the object at least 0.5?" (Query.maskIou, Dataset.refMaskIou).
 *
 * Masks come from src/core/masks.ts (computed on first request, bounded LRU) through one
 * DataLoader per request and store, so the masks of a page of N refs are one batch.
 * A mask costs 20 in the complexity estimate, its bitmap and PNG more: a query asking
 * for the masks of thousands of refs is refused before anything is computed.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import DataLoader from 'dataloader';
import type { StoreLoaders } from '../loaders';
import { DataError, NotFoundError } from '../src/core/errors';
import { annotationMasks } from '../src/core/masks';
import type { ReferStore } from '../src/core/store/store';
import { maskToPng, packBits, rleArea, rleDecode, rleFromBbox, rleFromCounts, rleFromString, rleIou, rleMerge, rleToBbox, rleToString, type Rle } from '../src/mask';
import { countsTotal } from '../src/mask/rle';
import { Annotation } from './annotation';
import { builder } from './builder';
import type { Context } from './context';
import { Dataset } from './dataset';
import { decodeTypedId, nodeKey } from './node';
import { Ref } from './ref';

/** Cost of a mask in the complexity estimate; its bitmap and PNG add to it. */
export const MASK_COMPLEXITY = 20;
const BITMAP_COMPLEXITY = 200;
const PNG_COMPLEXITY = 50;
const RLE_COMPLEXITY = 10;

export class MaskModel {
  constructor(
    readonly rle: Rle,
    /** Global id of the Ref or Annotation the mask belongs to. */
    readonly ownerId: string,
  ) {}
}

/** Where GET serves the mask's PNG (see src/http/mask-route.ts), relative to the server. */
export function maskPngPath(globalId: string): string {
  return `/masks/${encodeURIComponent(globalId)}.png`;
}

// One loader per request and store: keyed by the request's StoreLoaders, it lives and
// dies with them. (It is not one of loaders/index.ts's relations, so observeBatches does
// not see it.)
const maskLoaders = new WeakMap<StoreLoaders, DataLoader<number, Rle>>();

function loadMask(ctx: Context, store: ReferStore, annRow: number): Promise<Rle> {
  const owner = ctx.loaders.of(store);
  let loader = maskLoaders.get(owner);
  if (!loader) {
    loader = new DataLoader<number, Rle>(async (rows) => annotationMasks(store, rows));
    maskLoaders.set(owner, loader);
  }
  return loader.load(annRow);
}

/** The Ref or Annotation a global id names, as an annotation row of a store. */
export interface MaskOwner {
  typename: 'Ref' | 'Annotation';
  store: ReferStore;
  annRow: number;
}

/**
 * Resolves a Ref or Annotation global id. An id that does not name a record is a
 * NotFoundError; the id of a record of another type (an Image, say) is a DataError.
 */
export async function maskOwnerOf(ctx: Context, globalId: string): Promise<MaskOwner> {
  const { typename, key, store, rest } = decodeTypedId(ctx, globalId, ['Ref', 'Annotation'] as const, 'masks belong to Ref and Annotation ids');
  const loaders = ctx.loaders.of(store);
  if (typename === 'Annotation') return { typename, store, annRow: await loaders.load('annotationById', rest) };
  if (!/^-?\d+$/.test(rest)) throw new NotFoundError(`malformed id "${key}": "${rest}" is not an integer ref id`);
  const refRow = await loaders.load('refById', Number(rest));
  return { typename, store, annRow: store.refs.annRow[refRow] };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const MaskBitmapFormat = builder.enumType('MaskBitmapFormat', {
  description: 'Layout of Mask.bitmap.',
  values: {
    ROW_MAJOR_UINT8: { description: 'One byte per pixel, 0 or 1, row after row: numpy `mask` (C order), h*w bytes.' },
    PACKED_BITS: {
      description: 'The row-major pixels 8 to a byte, most significant bit first, rows not padded: numpy `np.packbits(mask)`; `np.unpackbits(b)[:h*w].reshape(h, w)` undoes it.',
    },
  } as const,
});

const Mask = builder.objectType(MaskModel, {
  name: 'Mask',
  description:
    "A binary mask of an image's size. `counts` with `size: [height, width]` is the COCO RLE dict that pycocotools' mask.decode, area and toBbox read.",
  fields: (t) => ({
    height: t.int({ resolve: (m) => m.rle.h }),
    width: t.int({ resolve: (m) => m.rle.w }),
    counts: t.string({ description: "Compressed RLE string, as pycocotools' mask.encode / frPyObjects + merge give it.", resolve: (m) => rleToString(m.rle) }),
    area: t.int({ description: 'Pixels set (pycocotools mask.area).', resolve: (m) => rleArea(m.rle) }),
    bbox: t.floatList({ description: '[x, y, w, h] of the set pixels, whole pixels (pycocotools mask.toBbox); [0, 0, 0, 0] when empty.', resolve: (m) => rleToBbox(m.rle) }),
    rle: t.intList({
      description: 'Uncompressed RLE counts: runs over the pixels in column-major order, alternating 0s and 1s, starting with 0s.',
      complexity: RLE_COMPLEXITY,
      resolve: (m) => Array.from(m.rle.counts),
    }),
    bitmap: t.string({
      description: 'Base64 of the decoded mask (640x480: 400 KB of base64 as ROW_MAJOR_UINT8, 50 KB as PACKED_BITS).',
      args: { format: t.arg({ type: MaskBitmapFormat, defaultValue: 'ROW_MAJOR_UINT8' }) },
      complexity: BITMAP_COMPLEXITY,
      resolve: (m, { format }) => {
        const bitmap = rleDecode(m.rle, 'row');
        return base64(format === 'PACKED_BITS' ? packBits(bitmap) : bitmap);
      },
    }),
    png: t.string({
      nullable: true,
      description: 'Base64 of a 1-bit grayscale PNG of the mask (set pixels white); null with an error for a mask without pixels (0 rows or columns).',
      complexity: PNG_COMPLEXITY,
      resolve: (m) => {
        if (m.rle.h === 0 || m.rle.w === 0) throw new DataError(`this mask is ${m.rle.w}x${m.rle.h} pixels; a PNG needs at least one`);
        return base64(maskToPng(m.rle));
      },
    }),
    pngUrl: t.string({
      description: 'Path of the same PNG on this server, for <img src>: GET /masks/<global id>.png (relative to the GraphQL endpoint\'s origin).',
      resolve: (m) => maskPngPath(m.ownerId),
    }),
  }),
});

const UNION_NOTE =
  "The union of the object's segmentation parts: polygons rasterised at the image's size as pycocotools frPyObjects does (a list whose first part has exactly 4 numbers is read as boxes, as frPyObjects reads it), RefClef's RLE parts as stored, merged with pycocotools' merge. " +
  "REFER's getMask instead sums the decoded parts, so pixels where parts overlap are 2 or more there and its `area` counts them twice; binarise getMask's mask to get this one. " +
  'An object without parts has an empty mask; null with an error when the segmentation cannot be made into a mask.';

builder.objectFields(Ref, (t) => ({
  mask: t.field({
    type: Mask,
    nullable: true,
    description: `The referred object's binary mask. ${UNION_NOTE}`,
    complexity: MASK_COMPLEXITY,
    resolve: async (r, _args, ctx) => new MaskModel(await loadMask(ctx, r.store, r.store.refs.annRow[r.row]), encodeGlobalID('Ref', nodeKey(r.store, r.store.refs.refId[r.row]))),
  }),
}));

builder.objectFields(Annotation, (t) => ({
  mask: t.field({
    type: Mask,
    nullable: true,
    description: `The object's binary mask. ${UNION_NOTE}`,
    complexity: MASK_COMPLEXITY,
    resolve: async (a, _args, ctx) => new MaskModel(await loadMask(ctx, a.store, a.row), encodeGlobalID('Annotation', nodeKey(a.store, a.store.instances.annId(a.row)))),
  }),
}));

// ---- comparing masks -------------------------------------------------------------------

interface MaskInputValue {
  id?: string | number | null;
  box?: readonly number[] | null;
  counts?: string | null;
  uncompressedCounts?: readonly number[] | null;
  height?: number | null;
  width?: number | null;
}

const VALUE_KINDS = ['box', 'counts', 'uncompressedCounts'] as const;
const MASK_KINDS = ['id', ...VALUE_KINDS] as const;
type MaskKind = (typeof MASK_KINDS)[number];

const MaskInput = builder.inputType('MaskInput', {
  description:
    'A mask to compare: exactly one of `id`, `box`, `counts` or `uncompressedCounts`. A box or counts needs `height` and `width` (the image size), ' +
    'except that they default to the size of the other mask of the comparison.',
  fields: (t) => ({
    id: t.id({ description: 'Global id of a Ref or Annotation: its mask (see Ref.mask).' }),
    box: t.floatList({ description: '[x, y, w, h] in pixels, rasterised as pycocotools frBbox does (e.g. a predicted box).' }),
    counts: t.string({ description: 'A compressed COCO RLE string (pycocotools mask.encode(...)["counts"]).' }),
    uncompressedCounts: t.intList({ description: 'Uncompressed COCO RLE counts: column-major runs, 0s first.' }),
    height: t.int({ description: 'Rows of the mask (the image height).' }),
    width: t.int({ description: 'Columns of the mask (the image width).' }),
  }),
});

/** The one kind of mask an input gives, among `kinds`. */
function maskKind<K extends MaskKind>(input: MaskInputValue, name: string, kinds: readonly K[]): K {
  const given = kinds.filter((k) => input[k] != null);
  if (given.length !== 1) {
    const choices = `${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1]}`;
    throw new DataError(`${name}: give exactly one of ${choices} (got ${given.length === 0 ? 'none' : given.join(' and ')})`);
  }
  return given[0];
}

/** height and width of an input, if it gives them (both or neither). */
function explicitSize(input: MaskInputValue, name: string): [number, number] | undefined {
  const { height, width } = input;
  if (height == null && width == null) return undefined;
  if (height == null || width == null) throw new DataError(`${name}: give both height and width, or neither`);
  return [height, width];
}

/** The mask of a box or counts input at size [h, w]. */
function maskOfValue(input: MaskInputValue, kind: Exclude<MaskKind, 'id'>, name: string, [h, w]: [number, number]): Rle {
  try {
    if (kind === 'box') {
      const box = input.box!;
      if (box.length !== 4 || !box.every(Number.isFinite)) throw new RangeError(`expected 4 finite numbers [x, y, w, h], got [${box.join(', ')}]`);
      if (box[2] < 0 || box[3] < 0) throw new RangeError(`width and height must not be negative, got [${box.join(', ')}]`);
      return rleFromBbox(box, h, w);
    }
    const rle = kind === 'counts' ? rleFromString(input.counts!, h, w) : rleFromCounts(input.uncompressedCounts!, h, w);
    const total = countsTotal(rle.counts);
    if (total !== h * w) {
      throw new RangeError(`the runs cover ${total} pixels but height x width = ${h}x${w} = ${h * w} (is the size right, and are the counts column-major COCO RLE?)`);
    }
    return rle;
  } catch (e) {
    if (e instanceof RangeError) throw new DataError(`${name}.${kind}: ${e.message}`);
    throw e;
  }
}

/** The masks of two inputs; a box or counts without a size takes the other's. */
async function masksOf(ctx: Context, inputs: [MaskInputValue, MaskInputValue], names: [string, string]): Promise<[Rle, Rle]> {
  const kinds = inputs.map((input, i) => maskKind(input, names[i], MASK_KINDS));
  const sizes = inputs.map((input, i) => explicitSize(input, names[i]));
  const masks = await Promise.all(
    inputs.map(async (input, i) => {
      if (kinds[i] !== 'id') return undefined;
      const owner = await maskOwnerOf(ctx, String(input.id));
      const rle = await loadMask(ctx, owner.store, owner.annRow);
      const size = sizes[i];
      if (size && (size[0] !== rle.h || size[1] !== rle.w)) {
        throw new DataError(`${names[i]}: height and width are ${size[0]}x${size[1]}, but the mask of id ${input.id} is ${rle.h}x${rle.w}; leave them out with an id`);
      }
      return rle;
    }),
  );
  for (let i = 0; i < 2; i++) {
    const kind = kinds[i];
    if (kind === 'id') continue;
    const other = 1 - i;
    const size = sizes[i] ?? sizes[other] ?? (masks[other] && ([masks[other].h, masks[other].w] as [number, number]));
    if (!size) throw new DataError(`${names[i]}: a ${kind} needs height and width (the size of the image), given here or by the other mask`);
    masks[i] = maskOfValue(inputs[i], kind, names[i], size);
  }
  return masks as [Rle, Rle];
}

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
      const truth = await loadMask(ctx, store, store.refs.annRow[refRow]);
      return compareMasks('refMaskIou', maskOfValue(prediction, kind, 'refMaskIou', [truth.h, truth.w]), truth, args.threshold, false);
    },
  }),
}));
