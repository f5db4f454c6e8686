/**
 * Long computations written once as generators that yield their progress now and then:
 * run to completion in one go (the CLI, tests), or with event-loop turns between slices
 * of about SLICE_MS (the server: other requests are answered meanwhile).
 */
import { performance } from 'node:perf_hooks';

export interface Progress {
  /** What is being done: "parsing", "matching", "scoring", … */
  stage: string;
  done: number;
  total: number;
}

export type Steps<T> = Generator<Progress, T, void>;

/** A slice of work between event-loop turns: well under the ~50 ms a stall is felt at. */
export const SLICE_MS = 8;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runStepsYielding<T>(steps: Steps<T>, onProgress?: (p: Progress) => void): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - sliceStart < SLICE_MS) continue;
    onProgress?.(r.value);
    await nextTurn();
    sliceStart = performance.now();
  }
}
