/**
 * The two box IoUs of comprehension accuracy, on [x, y, w, h] boxes, prediction first;
 * the GT box is read at `at` of its array (a column of boxes needs no copy). The
 * operation order is the published code's: float64 results depend on it.
 */

/**
 * computeIoU of REFER's pyEvalDemo / MAttNet eval_dets_utils: inclusive pixel corners
 * (x2 = x + w - 1), an overlap only when ix1 < ix2 and iy1 < iy2. null where the
 * reference divides by zero (union 0): scored as wrong.
 */
export function publishedIou(p: ArrayLike<number>, gt: ArrayLike<number>, at = 0): number | null {
  const g0 = gt[at], g1 = gt[at + 1], g2 = gt[at + 2], g3 = gt[at + 3];
  const ix1 = Math.max(p[0], g0);
  const iy1 = Math.max(p[1], g1);
  const ix2 = Math.min(p[0] + p[2] - 1, g0 + g2 - 1);
  const iy2 = Math.min(p[1] + p[3] - 1, g1 + g3 - 1);
  const inter = ix1 < ix2 && iy1 < iy2 ? (ix2 - ix1 + 1) * (iy2 - iy1 + 1) : 0;
  const union = p[2] * p[3] + g2 * g3 - inter;
  return union === 0 ? null : inter / union;
}

/** torchvision box_iou in float64 on [x, y, x + w, y + h]; null for 0 / 0. */
export function continuousIou(p: ArrayLike<number>, gt: ArrayLike<number>, at = 0): number | null {
  const g0 = gt[at], g1 = gt[at + 1], g2 = gt[at + 2], g3 = gt[at + 3];
  const px2 = p[0] + p[2];
  const py2 = p[1] + p[3];
  const gx2 = g0 + g2;
  const gy2 = g1 + g3;
  const areaP = (px2 - p[0]) * (py2 - p[1]);
  const areaG = (gx2 - g0) * (gy2 - g1);
  const inter = Math.max(Math.min(px2, gx2) - Math.max(p[0], g0), 0) * Math.max(Math.min(py2, gy2) - Math.max(p[1], g1), 0);
  const union = areaP + areaG - inter;
  return union === 0 ? null : inter / union;
}
