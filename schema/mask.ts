/**
 * Mask: the binary mask of an object as COCO RLE, bitmap or PNG (Ref.mask,
 * Annotation.mask). Comparing masks is mask-iou.ts's job.
 *
 * Masks come from src/core/masks.ts (computed on first request, kept in the app's
 * bounded LRU) through one DataLoader per request and store, so the masks of a page of
 * N refs are one batch. A mask costs 20 in the complexity estimate, its bitmap and PNG
 * more: a query asking for the masks of thousands of refs is refused before anything is
 * computed.
 */
import { DataError } from '../src/core/errors';
import { largestMaskPixels } from '../src/core/masks';
import { annotationGlobalId, maskPngPath, refGlobalId } from '../src/ids';
import { packBits, rleArea, rleDecode, rleToBbox, rleToString } from '../src/mask';
import { builder } from './builder';
import { renderModule } from './lazy-modules';
import type { Context } from './context';
import { loadAnnotationMask, loadRefMask, MASK_COMPLEXITY } from './mask-loading';
import { MaskModel } from './models';
import { Annotation, Mask, Ref } from './objects';

/** Costs of a mask's bitmap and PNG of a COCO-sized image (640x480), on top of MASK_COMPLEXITY. */
const BITMAP_COMPLEXITY = 200;
const PNG_COMPLEXITY = 50;
const COCO_PIXELS = 640 * 480;
const RLE_COMPLEXITY = 10;

/**
 * A bitmap's or PNG's work and size grow with its pixels, so its cost does: `cocoCost`
 * per COCO image's worth of pixels of the largest image loaded (a complexity estimate
 * runs before the query, when which image a mask is on is not known yet), never less
 * than `cocoCost`. With a 50-megapixel image loaded, one bitmap is over the limit.
 */
function pixelCost(cocoCost: number) {
  return (_args: unknown, ctx: Context) => {
    let largest = 0;
    for (const store of ctx.catalog.stores.values()) largest = Math.max(largest, largestMaskPixels(store));
    return Math.max(cocoCost, Math.ceil((cocoCost * largest) / COCO_PIXELS));
  };
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

builder.objectType(Mask, {
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
      complexity: pixelCost(BITMAP_COMPLEXITY),
      resolve: (m, { format }) => {
        const bitmap = rleDecode(m.rle, 'row');
        return base64(format === 'PACKED_BITS' ? packBits(bitmap) : bitmap);
      },
    }),
    png: t.string({
      nullable: true,
      description: 'Base64 of a 1-bit grayscale PNG of the mask (set pixels white); null with an error for a mask without pixels (0 rows or columns).',
      complexity: pixelCost(PNG_COMPLEXITY),
      resolve: (m) => {
        if (m.rle.h === 0 || m.rle.w === 0) throw new DataError(`this mask is ${m.rle.w}x${m.rle.h} pixels; a PNG needs at least one`);
        return base64(renderModule().maskToPng(m.rle));
      },
    }),
    pngUrl: t.string({
      description:
        "Path of the same PNG on this server, for <img src>: GET /masks/<dataset>/<splitBy>/<refId>.png for a ref's mask, /masks/<dataset>/annotations/<annId>.png for an annotation's (relative to the GraphQL endpoint's origin; /masks/<global id>.png answers the same).",
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
    resolve: async (r, _args, ctx) => new MaskModel(await loadRefMask(ctx, r.store, r.row), refGlobalId(r.store, r.row)),
  }),
}));

builder.objectFields(Annotation, (t) => ({
  mask: t.field({
    type: Mask,
    nullable: true,
    description: `The object's binary mask. ${UNION_NOTE}`,
    complexity: MASK_COMPLEXITY,
    resolve: async (a, _args, ctx) => new MaskModel(await loadAnnotationMask(ctx, a.store, a.row), annotationGlobalId(a.store, a.row)),
  }),
}));
