/** Both IoUs of a box evaluation by universe position, as scoring fills them and the rows read them. */

/** What the reference code raises where computeIoU's union is 0. */
export const ZERO_DIVISION = { type: 'ZeroDivisionError', message: 'float division by zero' };

/** Bits of BoxScores.zeroUnion: which IoU divided by zero at a position. */
export const PUBLISHED_ZERO = 1;
export const CONTINUOUS_ZERO = 2;

/** NaN where nothing was predicted, 0 where the union is 0 (flagged in zeroUnion). */
export interface BoxScores {
  published: Float64Array;
  continuous: Float64Array;
  zeroUnion: Uint8Array;
  publishedErrors: number;
}

export function emptyBoxScores(n: number): BoxScores {
  return { published: new Float64Array(n).fill(NaN), continuous: new Float64Array(n).fill(NaN), zeroUnion: new Uint8Array(n), publishedErrors: 0 };
}

/** The published computeIoU at a position, null where it divides by zero (the reference raises). */
export function publishedIouOrNull(scores: BoxScores, p: number): number | null {
  return scores.zeroUnion[p] & PUBLISHED_ZERO ? null : scores.published[p];
}

/** The continuous IoU at a position, null where its union is 0. */
export function continuousIouOrNull(scores: BoxScores, p: number): number | null {
  return scores.zeroUnion[p] & CONTINUOUS_ZERO ? null : scores.continuous[p];
}
