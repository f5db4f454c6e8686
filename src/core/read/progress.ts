/**
 * Progress of a reader through a file, in bytes, for build-index's bar: a 140 MB
 * instances.json takes seconds to parse, and a bar that only moves between files sits
 * still through it.
 */

/** Called with the bytes of the file read so far: increasing, the last call the file's size. */
export type ByteProgress = (bytesDone: number) => void;

/** About this many calls per file, however large: the bar moves smoothly and costs nothing. */
const CALLS_PER_FILE = 256;
const MIN_STEP_BYTES = 4096;

/**
 * A reader's hot loop calls `at(position)` as often as it likes; `onProgress` hears of it
 * only when it has moved a step on, and `done()` reports the whole file once.
 */
export class ProgressTicker {
  /** Position of the next report: past the end when nobody listens, so `at` stays one compare. */
  next: number;
  private readonly step: number;
  private last = -1;

  constructor(
    private readonly totalBytes: number,
    private readonly onProgress: ByteProgress | undefined,
  ) {
    this.step = Math.max(MIN_STEP_BYTES, Math.ceil(totalBytes / CALLS_PER_FILE));
    this.next = onProgress ? this.step : Number.POSITIVE_INFINITY;
  }

  /** Reports `position` if it is a step past the last report. */
  at(position: number): void {
    if (position < this.next) return;
    this.report(Math.min(position, this.totalBytes));
    this.next = position + this.step;
  }

  done(): void {
    if (this.onProgress) this.report(this.totalBytes);
  }

  private report(bytes: number): void {
    if (bytes <= this.last) return;
    this.last = bytes;
    this.onProgress!(bytes);
  }
}
