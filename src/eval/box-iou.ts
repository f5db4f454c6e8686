/**
 * The two box IoUs of comprehension accuracy, on [x, y, w, h] boxes, prediction first.
 * Both boxes are read in place from arrays of boxes (`p` at `pAt`, the GT at `gAt`): the
 * scoring loops pass whole typed columns and no box is copied. The operation order is
 * the published code's: float64 results depend on it.
 *
 * The *At functions return inter / union as float division gives it, so a zero union
 * comes out as NaN or ±Infinity; where the reference raises ZeroDivisionError is told by
 * the *UnionAt function, asked only for such a result (the hot loops stay branch-light).
 */

/** computeIoU's overlap: inclusive pixel corners (x2 = x + w - 1), counted only when ix1 < ix2 and iy1 < iy2. */
function publishedInterAt(p: ArrayLike<number>, pAt: number, gt: ArrayLike<number>, gAt: number): number {
  const p0 = p[pAt], p1 = p[pAt + 1];
  const g0 = gt[gAt], g1 = gt[gAt + 1];
  const ix1 = Math.max(p0, g0);
  const iy1 = Math.max(p1, g1);
  const ix2 = Math.min(p0 + p[pAt + 2] - 1, g0 + gt[gAt + 2] - 1);
  const iy2 = Math.min(p1 + p[pAt + 3] - 1, g1 + gt[gAt + 3] - 1);
  return ix1 < ix2 && iy1 < iy2 ? (ix2 - ix1 + 1) * (iy2 - iy1 + 1) : 0;
}

function publishedUnion(p: ArrayLike<number>, pAt: number, gt: ArrayLike<number>, gAt: number, inter: number): number {
  return p[pAt + 2] * p[pAt + 3] + gt[gAt + 2] * gt[gAt + 3] - inter;
}

/** computeIoU of REFER's pyEvalDemo / MAttNet eval_dets_utils. */
export function publishedIouAt(p: ArrayLike<number>, pAt: number, gt: ArrayLike<number>, gAt: number): number {
  const inter = publishedInterAt(p, pAt, gt, gAt);
  return inter / publishedUnion(p, pAt, gt, gAt, inter);
}

export function publishedUnionAt(p: ArrayLike<number>, pAt: number, gt: ArrayLike<number>, gAt: number): number {
  return publishedUnion(p, pAt, gt, gAt, publishedInterAt(p, pAt, gt, gAt));
}

/** torchvision box_iou's intersection and union in float64 on [x, y, x + w, y + h]. */
function continuousParts(p: ArrayLike<number>, pAt: number, gt: ArrayLike<number>, gAt: number, union: boolean): number {
  const p0 = p[pAt], p1 = p[pAt + 1];
  const g0 = gt[gAt], g1 = gt[gAt + 1];
  const px2 = p0 + p[pAt + 2];
  const py2 = p1 + p[pAt + 3];
  const gx2 = g0 + gt[gAt + 2];
  const gy2 = g1 + gt[gAt + 3];
  const areaP = (px2 - p0) * (py2 - p1);
  const areaG = (gx2 - g0) * (gy2 - g1);
  const inter = Math.max(Math.min(px2, gx2) - Math.max(p0, g0), 0) * Math.max(Math.min(py2, gy2) - Math.max(p1, g1), 0);
  const u = areaP + areaG - inter;
  return union ? u : inter / u;
}

/** torchvision box_iou in float64. */
export function continuousIouAt(p: ArrayLike<number>, pAt: number, gt: ArrayLike<number>, gAt: number): number {
  return continuousParts(p, pAt, gt, gAt, false);
}

export function continuousUnionAt(p: ArrayLike<number>, pAt: number, gt: ArrayLike<number>, gAt: number): number {
  return continuousParts(p, pAt, gt, gAt, true);
}

/** computeIoU of two single boxes; null where the reference divides by zero (scored as wrong). */
export function publishedIou(p: ArrayLike<number>, gt: ArrayLike<number>): number | null {
  const iou = publishedIouAt(p, 0, gt, 0);
  return !Number.isFinite(iou) && publishedUnionAt(p, 0, gt, 0) === 0 ? null : iou;
}

/** box_iou of two single boxes; null for a zero union. */
export function continuousIou(p: ArrayLike<number>, gt: ArrayLike<number>): number | null {
  const iou = continuousIouAt(p, 0, gt, 0);
  return !Number.isFinite(iou) && continuousUnionAt(p, 0, gt, 0) === 0 ? null : iou;
}
