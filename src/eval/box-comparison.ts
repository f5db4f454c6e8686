/** One predicted box against a ref's box (Dataset.refBoxIou): both IoU conventions at once. */
import type { ReferStore } from '../core/store/store';
import { continuousIou, publishedIou } from './box-iou';
import type { IouConvention } from './boxes';
import { GroundTruth } from './ground-truth';

export interface BoxComparison {
  /** The asked convention's IoU; null where computeIoU divides by zero (scored as wrong). */
  iou: number | null;
  published: number | null;
  continuous: number | null;
  convention: IouConvention;
  groundTruthBox: number[];
  threshold: number;
}

/** `box` is [x, y, w, h] in pixels; the ref is a row of `store`. */
export function compareRefBox(store: ReferStore, refRow: number, box: readonly number[], convention: IouConvention, threshold: number): BoxComparison {
  const truth = new GroundTruth(store).refBox(refRow);
  const published = publishedIou(box, truth);
  const continuous = continuousIou(box, truth);
  return { iou: convention === 'published' ? published : continuous, published, continuous, convention, groundTruthBox: Array.from(truth), threshold };
}
