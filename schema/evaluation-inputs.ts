/** The arguments evaluation fields share: IoU convention, box writing, box predictions. */
import type { IouConvention as Convention } from '../src/eval/boxes';
import type { BoxFormat as Format, BoxScale as Scale } from '../src/eval/predictions';
import { builder } from './builder';

export const IouConvention = builder.enumType('IouConvention', {
  description: 'Which box IoU: the published REFER/MAttNet computeIoU, or plain area overlap.',
  values: {
    PUBLISHED: { value: 'published', description: 'computeIoU: inclusive pixel corners (x2 = x + w - 1), overlap only when ix1 < ix2 and iy1 < iy2. The papers’ numbers.' },
    CONTINUOUS: { value: 'continuous', description: "Plain area overlap on [x, y, x + w, y + h], as torchvision's box_iou." },
  } satisfies Record<Uppercase<Convention>, { value: Convention; description: string }>,
});

export const BoxFormat = builder.enumType('BoxFormat', {
  values: {
    XYWH: { value: 'xywh', description: '[x, y, width, height] (getRefBox, COCO).' },
    XYXY: { value: 'xyxy', description: '[x1, y1, x2, y2]: the corners.' },
  } satisfies Record<Uppercase<Format>, { value: Format; description: string }>,
});

export const BoxScale = builder.enumType('BoxScale', {
  values: {
    PIXELS: { value: 'pixels', description: 'Pixels of the image.' },
    UNIT: { value: '1', description: 'Shares of the image size in [0, 1].' },
    PER_MILLE: { value: '1000', description: 'Shares of the image size in [0, 1000], as many VLMs answer.' },
  } satisfies Record<string, { value: Scale; description: string }>,
});

export interface BoxPrediction {
  sentId?: number | null;
  refId?: number | null;
  box: number[];
}

export const BoxPredictionInput = builder.inputType('BoxPredictionInput', {
  description: 'One predicted box, for a sentence (sentId, as MAttNet scores) or for a ref (refId: applies to each of its sentences). Use one key for all predictions.',
  fields: (t) => ({
    sentId: t.int(),
    refId: t.int(),
    box: t.floatList({ required: true, description: 'Four numbers, in the boxFormat and boxScale asked.' }),
  }),
});

/** A prediction as the predictions file writes it, for the one parser in src/eval. */
export function asFileEntry(p: BoxPrediction): Record<string, unknown> {
  const entry: Record<string, unknown> = { box: p.box };
  if (p.sentId != null) entry.sent_id = p.sentId;
  if (p.refId != null) entry.ref_id = p.refId;
  return entry;
}
