/**
 * LAVT's literal segmentation target (dataset_refer_bert.py): REFER's getMask sums the
 * decoded parts of the object and LAVT keeps the pixels where the sum is 1, so pixels
 * where two polygons overlap are not part of it. The golden answers score masks against
 * it beside the union (`given_lavt_gt_eq1`); it differs only for objects whose parts
 * overlap.
 */
import type { Rle } from '../mask';
import type { GroundTruth } from './ground-truth';
import { exactlyOneMask, maskArea } from './mask-overlap';

/** Targets per ref, computed once per evaluation. */
export class LavtTargets {
  private readonly byRef = new Map<number, Rle | null>();

  constructor(private readonly gt: GroundTruth) {}

  /** The target of a ref whose union mask is `union`; null where it is the union itself. */
  of(refRow: number, union: Rle): Rle | null {
    let target = this.byRef.get(refRow);
    if (target === undefined) {
      target = this.compute(refRow, union);
      this.byRef.set(refRow, target);
    }
    return target;
  }

  private compute(refRow: number, union: Rle): Rle | null {
    // One part (most objects) is its own target: not rasterised a second time.
    if (this.gt.refMaskPartCount(refRow) < 2) return null;
    const parts = this.gt.refMaskParts(refRow);
    const target = exactlyOneMask(parts);
    // The target is a subset of the union: the same area is the same mask.
    return maskArea(target) === maskArea(union) ? null : target;
  }
}
