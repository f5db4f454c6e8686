/**
 * The overlay parameters of GET /renders/…: a prediction drawn over the ground truth.
 *   overlayBox=x,y,w,h                  a predicted box, in image pixels
 *   overlayReport=<report id>&sample=N  the predicted mask of per_sample row N of a stored
 *                                       masks report (POST /evaluate answers its id)
 * Read from the query, then resolved against the app's reports; each refusal says which
 * parameter was wrong and how.
 */
import type { ReferStore } from '../core/store/store';
import type { EvaluationReports } from '../eval/report-store';
import type { Overlay } from '../render';

export type OverlayAsk = { box: [number, number, number, number] } | { reportId: string; sample: number };

/** A refusal: 400 for a malformed parameter, 404 for a report or sample that is not there. */
export interface OverlayRefusal {
  status: 400 | 404;
  error: string;
}

// A decimal number as JSON or JavaScript writes it; Number() alone would take '' and ' ' as 0.
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

const refuse = (status: 400 | 404, error: string): OverlayRefusal => ({ status, error });

/** The overlay the query asks for: none (undefined), one, or a refusal. */
export function overlayAsk(query: URLSearchParams): OverlayAsk | OverlayRefusal | undefined {
  const boxes = query.getAll('overlayBox');
  const reports = query.getAll('overlayReport');
  const samples = query.getAll('sample');
  if (boxes.length > 1 || reports.length > 1 || samples.length > 1) return refuse(400, 'give overlayBox, overlayReport and sample at most once each');
  if (boxes.length === 1 && (reports.length === 1 || samples.length === 1)) return refuse(400, 'give either overlayBox or overlayReport with sample, not both');
  if (boxes.length === 1) {
    const parts = boxes[0].split(',').map((p) => p.trim());
    const box = parts.map(Number);
    if (parts.length !== 4 || !parts.every((p) => NUMBER.test(p)) || !box.every(Number.isFinite)) {
      return refuse(400, `overlayBox must be four finite numbers x,y,w,h in image pixels, got ${JSON.stringify(boxes[0])}`);
    }
    return { box: box as [number, number, number, number] };
  }
  if (reports.length !== samples.length) return refuse(400, 'overlayReport and sample go together: overlayReport=<report id>&sample=<index in its per_sample>');
  if (reports.length === 0) return undefined;
  if (!/^\d+$/.test(samples[0]) || !Number.isSafeInteger(Number(samples[0]))) return refuse(400, `sample must be a whole number (an index in the report's per_sample), got ${JSON.stringify(samples[0])}`);
  if (reports[0] === '') return refuse(400, 'overlayReport is empty: give the id POST /evaluate answered');
  return { reportId: reports[0], sample: Number(samples[0]) };
}

/** What the overlay adds to a render's ETag (a report's samples never change under its id). */
export function overlayKey(ask: OverlayAsk): string {
  return 'box' in ask ? `box:${ask.box.join(',')}` : `report:${ask.reportId}:${ask.sample}`;
}

/** The overlay to draw on ref row `refRow` of `store`, or why there is none. */
export function resolveOverlay(reports: EvaluationReports, ask: OverlayAsk, store: ReferStore, refRow: number): Overlay | OverlayRefusal {
  if ('box' in ask) return { box: ask.box };
  const { reportId, sample } = ask;
  const stored = reports.get(reportId);
  if (!stored) return refuse(404, `overlayReport: no evaluation report ${JSON.stringify(reportId)} (never made, or evicted: the server keeps the latest reports)`);
  const { report } = stored;
  if (report.task !== 'masks') return refuse(400, `overlayReport: report ${reportId} scores ${report.task}, not masks: draw a predicted box with overlayBox=x,y,w,h`);
  if (sample >= report.per_sample.length) return refuse(404, `sample: report ${reportId} has ${report.per_sample.length} samples (0 to ${report.per_sample.length - 1}), not ${sample}`);
  const row = report.per_sample.row(sample);
  const pair = `${stored.dataset}/${stored.splitBy}`;
  if (pair !== store.name || row.ref_id !== store.refId(refRow)) {
    return refuse(400, `sample: sample ${sample} of report ${reportId} is ref ${row.ref_id} of ${pair}, not the ref drawn (ref ${store.refId(refRow)} of ${store.name})`);
  }
  const mask = reports.predictedMask(reportId, sample);
  if (!mask) return refuse(404, `overlayReport: report ${reportId} no longer holds its predictions`);
  return { mask };
}
