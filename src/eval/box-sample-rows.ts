/**
 * A box report's per-sample rows as typed columns: a 200,000-box upload on train keeps
 * 120k rows, and as objects (a row, its gt and pred arrays) they were 360k long-lived
 * objects that scavenges copied and major GCs walked while the server answered others
 * (GC turns of 20–50 ms, some of 0.2–1 s). Here a row is three numbers per sample plus the
 * evaluation's own typed arrays, and becomes an object only when it is read.
 */
import { continuousIouOrNull, PUBLISHED_ZERO, publishedIouOrNull, ZERO_DIVISION, type BoxScores } from './box-scores';
import { SampleRows } from './sample-rows';

export interface BoxSample {
  sent_id?: number;
  ref_id: number;
  gt: number[];
  entry: number;
  pred: number[];
  iou: number | null;
  iou_continuous: number | null;
  hit: boolean;
  error?: { type: string; message: string };
}

export interface BoxSampleColumns {
  unit: 'sent' | 'ref';
  /** Whether `hit` is by the continuous IoU rather than the published one. */
  continuous: boolean;
  /** Per sample, in universe order: its universe position, the entry matched there, its ref's id. */
  positions: Int32Array;
  entries: Int32Array;
  refIds: Float64Array;
  /** Per entry: the file's id, and the pixel box (four numbers an entry). */
  ids: Float64Array;
  pred: Float64Array;
  /** Per universe position: the GT box (four numbers a position), and both IoUs. */
  truth: Float64Array;
  scores: BoxScores;
}

export class BoxSampleRows extends SampleRows<BoxSample> {
  constructor(private readonly c: BoxSampleColumns) {
    super();
  }

  get length(): number {
    return this.c.positions.length;
  }

  /** The published computeIoU of sample i; null where it divides by zero. */
  iou(i: number): number | null {
    return publishedIouOrNull(this.c.scores, this.c.positions[i]);
  }

  iouContinuous(i: number): number | null {
    return continuousIouOrNull(this.c.scores, this.c.positions[i]);
  }

  row(i: number): BoxSample {
    const { unit, truth, pred, scores } = this.c;
    const p = this.c.positions[i];
    const e = this.c.entries[i];
    const iou = publishedIouOrNull(scores, p);
    const iouContinuous = continuousIouOrNull(scores, p);
    const chosen = this.c.continuous ? iouContinuous : iou;
    const g = p * 4;
    const a = e * 4;
    // sent_id first, as the golden rows have it; undefined is left out of the JSON.
    const sample: BoxSample = {
      sent_id: unit === 'sent' ? this.c.ids[e] : undefined,
      ref_id: this.c.refIds[i],
      gt: [truth[g], truth[g + 1], truth[g + 2], truth[g + 3]],
      entry: e,
      pred: [pred[a], pred[a + 1], pred[a + 2], pred[a + 3]],
      iou,
      iou_continuous: iouContinuous,
      hit: chosen !== null && chosen >= 0.5,
    };
    if (scores.zeroUnion[p] & PUBLISHED_ZERO) sample.error = ZERO_DIVISION;
    return sample;
  }
}
