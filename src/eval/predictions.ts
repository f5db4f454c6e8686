/**
 * Reading a predictions file (already JSON-parsed) into typed entries, with an error
 * naming the entry and the problem for anything that cannot be scored. Extra fields are
 * ignored; degenerate but numeric boxes are kept (the reference code scores them).
 */
import { DataError } from '../core/errors';
import type { Unit } from './ground-truth';
import { runSteps, type Steps } from './steps';

export type Task = 'boxes' | 'masks' | 'expressions';
export const TASKS: readonly Task[] = ['boxes', 'masks', 'expressions'];

/** How a box is written: corners or size, and in pixels or as a share (×1 or ×1000) of the image. */
export type BoxFormat = 'xywh' | 'xyxy';
export const BOX_FORMATS: readonly BoxFormat[] = ['xywh', 'xyxy'];
export type BoxScale = 'pixels' | '1' | '1000';
export const BOX_SCALES: readonly BoxScale[] = ['pixels', '1', '1000'];

export interface IdEntry {
  /** Position in the file (0-based). */
  index: number;
  id: number;
}
export interface MaskEntry extends IdEntry {
  size: [number, number];
  counts: string | number[];
  /** gRefCOCO: the model's "no target" answer beside its mask (GRES); absent means false. */
  noTarget?: boolean;
}
export interface SentenceEntry extends IdEntry {
  sent: string;
}

export interface Parsed<E> {
  unit: Unit;
  entries: E[];
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function fail(source: string, index: number, problem: string): never {
  throw new DataError(`${source}: prediction ${index}: ${problem}`);
}

function asRecord(source: string, value: unknown, index: number): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(source, index, `expected an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function idOf(source: string, record: Record<string, unknown>, index: number, keys: readonly Unit[]): [Unit, number] {
  for (const unit of keys) {
    const key = `${unit}_id`;
    if (!(key in record)) continue;
    const id = record[key];
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) fail(source, index, `${key} must be an integer, got ${describe(id)}`);
    return [unit, id];
  }
  fail(source, index, `no ${keys.map((k) => `"${k}_id"`).join(' or ')}`);
}

export function checkArray(source: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new DataError(`${source}: predictions must be a JSON array of objects, got ${value === null ? 'null' : typeof value}`);
  return value;
}

/** Entries read between two progress reports. */
const PARSE_STEP = 2048;

/**
 * Reads a predictions file one element at a time, in file order: as the server's body
 * streams in (each parsed element is turned into its typed entry at once and dies young,
 * instead of 200,000 parsed objects surviving garbage collections until the whole body is
 * in), or over an array already parsed. `add` throws a DataError naming the element.
 */
export interface PredictionReader<P> {
  add(value: unknown): void;
  finish(): P;
}

/** The unit of a file: the first entry's key decides, and every entry must use it. */
class FileUnit {
  unit: Unit | undefined;

  constructor(
    private readonly source: string,
    private readonly keys: readonly Unit[],
  ) {}

  idOf(record: Record<string, unknown>, index: number): number {
    const [u, id] = idOf(this.source, record, index, this.keys);
    this.unit ??= u;
    if (u !== this.unit) fail(this.source, index, `keyed by ${u}_id, but prediction 0 is keyed by ${this.unit}_id: use one key for the whole file`);
    return id;
  }

  get value(): Unit {
    return this.unit ?? this.keys[0];
  }
}

class EntryReader<E extends IdEntry> implements PredictionReader<Parsed<E>> {
  private readonly entries: E[] = [];
  private readonly unit: FileUnit;

  constructor(
    private readonly source: string,
    keys: readonly Unit[],
    private readonly read: (record: Record<string, unknown>, index: number) => Omit<E, 'index' | 'id'>,
  ) {
    this.unit = new FileUnit(source, keys);
  }

  add(value: unknown): void {
    const index = this.entries.length;
    const record = asRecord(this.source, value, index);
    const id = this.unit.idOf(record, index);
    this.entries.push({ index, id, ...this.read(record, index) } as E);
  }

  finish(): Parsed<E> {
    return { unit: this.unit.value, entries: this.entries };
  }
}

/** A parsed array read through `reader`, a step at a time. */
export function* readArraySteps<P>(source: string, value: unknown, reader: PredictionReader<P>): Steps<P> {
  const list = checkArray(source, value);
  for (let i = 0; i < list.length; i++) {
    reader.add(list[i]);
    if (i % PARSE_STEP === PARSE_STEP - 1) yield { stage: 'reading predictions', done: i + 1, total: list.length };
  }
  return reader.finish();
}

/**
 * A box file as two typed arrays, no object per prediction: the box hot loops read them
 * by entry index, and 200,000 predictions are two arrays for the GC, not 400,000 objects.
 */
export interface BoxPredictions {
  unit: Unit;
  /** The id of each entry, in file order. */
  ids: Float64Array;
  /** x, y, w, h (or x1, y1, x2, y2) of each entry as written, four numbers an entry. */
  boxes: Float64Array;
}

const BOX_KEYS: readonly Unit[] = ['sent', 'ref'];

class BoxReader implements PredictionReader<BoxPredictions> {
  private ids = new Float64Array(1024);
  private boxes = new Float64Array(4096);
  private count = 0;
  private readonly unit: FileUnit;

  constructor(private readonly source: string) {
    this.unit = new FileUnit(source, BOX_KEYS);
  }

  add(value: unknown): void {
    const index = this.count;
    const record = asRecord(this.source, value, index);
    const id = this.unit.idOf(record, index);
    if (index === this.ids.length) this.grow();
    readBox(this.source, record, index, this.boxes);
    this.ids[index] = id;
    this.count++;
  }

  private grow(): void {
    const ids = new Float64Array(this.ids.length * 2);
    ids.set(this.ids);
    const boxes = new Float64Array(this.boxes.length * 2);
    boxes.set(this.boxes);
    this.ids = ids;
    this.boxes = boxes;
  }

  finish(): BoxPredictions {
    return { unit: this.unit.value, ids: this.ids.slice(0, this.count), boxes: this.boxes.slice(0, this.count * 4) };
  }
}

/** The box of `record` written into `into` at entry `index`. */
function readBox(source: string, record: Record<string, unknown>, index: number, into: Float64Array): void {
  const box = 'box' in record ? record.box : record.pred_box;
  if (box === undefined) fail(source, index, 'no "box" (or "pred_box")');
  if (!Array.isArray(box) || box.length !== 4) fail(source, index, `box must be four finite numbers, got ${describe(box)}`);
  for (let k = 0; k < 4; k++) {
    const v = box[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(source, index, `box must be four finite numbers, got ${describe(box)}`);
    into[index * 4 + k] = v;
  }
}

export function boxPredictionReader(source: string): PredictionReader<BoxPredictions> {
  return new BoxReader(source);
}

export function parseBoxPredictions(source: string, value: unknown): BoxPredictions {
  return runSteps(readArraySteps(source, value, boxPredictionReader(source)));
}

export function maskPredictionReader(source: string): PredictionReader<Parsed<MaskEntry>> {
  return new EntryReader<MaskEntry>(source, ['sent', 'ref'], (record, i) => {
    const rle = record.segmentation ?? record.mask;
    if (rle === undefined) fail(source, i, 'no "segmentation" (a COCO RLE {size, counts})');
    const { size, counts } = asRecord(source, rle, i) as { size?: unknown; counts?: unknown };
    if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) {
      fail(source, i, `segmentation.size must be [height, width] in whole pixels, got ${describe(size)}`);
    }
    const noTarget = record.no_target;
    if (noTarget !== undefined && typeof noTarget !== 'boolean') fail(source, i, `no_target must be true or false, got ${describe(noTarget)}`);
    const flag = noTarget === undefined ? {} : { noTarget };
    if (typeof counts === 'string') return { size: size as [number, number], counts, ...flag };
    if (!Array.isArray(counts) || !counts.every((c) => Number.isSafeInteger(c) && (c as number) >= 0)) {
      fail(source, i, `segmentation.counts must be a compressed RLE string or a list of run lengths, got ${describe(counts)}`);
    }
    return { size: size as [number, number], counts: counts as number[], ...flag };
  });
}

export function parseMaskPredictions(source: string, value: unknown): Parsed<MaskEntry> {
  return runSteps(readArraySteps(source, value, maskPredictionReader(source)));
}

export function sentencePredictionReader(source: string): PredictionReader<Parsed<SentenceEntry>> {
  return new EntryReader<SentenceEntry>(source, ['ref'], (record, i) => {
    if (typeof record.sent !== 'string') fail(source, i, `"sent" must be a string, got ${describe(record.sent)}`);
    return { sent: record.sent };
  });
}

export function parseSentencePredictions(source: string, value: unknown): Parsed<SentenceEntry> {
  return runSteps(readArraySteps(source, value, sentencePredictionReader(source)));
}

/** A box as [x, y, w, h] in pixels of an image of `height` × `width`. */
export function toPixelXywh(box: ArrayLike<number>, format: BoxFormat, scale: BoxScale, height: number, width: number): [number, number, number, number] {
  let x = box[0], y = box[1], a = box[2], b = box[3];
  if (scale !== 'pixels') {
    const s = scale === '1' ? 1 : 1000;
    x = (x * width) / s;
    a = (a * width) / s;
    y = (y * height) / s;
    b = (b * height) / s;
  }
  return format === 'xyxy' ? [x, y, a - x, b - y] : [x, y, a, b];
}
