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

/** Every entry keyed the same way: the first entry's key decides the unit of the file. */
function* parseEntrySteps<E extends IdEntry>(source: string, value: unknown, keys: readonly Unit[], read: (record: Record<string, unknown>, index: number) => Omit<E, 'index' | 'id'>): Steps<Parsed<E>> {
  const list = checkArray(source, value);
  let unit: Unit | undefined;
  const entries: E[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const record = asRecord(source, list[i], i);
    const [u, id] = idOf(source, record, i, keys);
    unit ??= u;
    if (u !== unit) fail(source, i, `keyed by ${u}_id, but prediction 0 is keyed by ${unit}_id: use one key for the whole file`);
    entries[i] = { index: i, id, ...read(record, i) } as E;
    if (i % PARSE_STEP === PARSE_STEP - 1) yield { stage: 'reading predictions', done: i + 1, total: list.length };
  }
  return { unit: unit ?? keys[0], entries };
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

export function parseBoxPredictions(source: string, value: unknown): BoxPredictions {
  return runSteps(boxPredictionSteps(source, value));
}

/** Every entry keyed the same way (the first entry's key decides), as parseEntrySteps does for the other kinds. */
export function* boxPredictionSteps(source: string, value: unknown): Steps<BoxPredictions> {
  const list = checkArray(source, value);
  let unit: Unit | undefined;
  const ids = new Float64Array(list.length);
  const boxes = new Float64Array(list.length * 4);
  for (let i = 0; i < list.length; i++) {
    const record = asRecord(source, list[i], i);
    const [u, id] = idOf(source, record, i, BOX_KEYS);
    unit ??= u;
    if (u !== unit) fail(source, i, `keyed by ${u}_id, but prediction 0 is keyed by ${unit}_id: use one key for the whole file`);
    ids[i] = id;
    readBox(source, record, i, boxes);
    if (i % PARSE_STEP === PARSE_STEP - 1) yield { stage: 'reading predictions', done: i + 1, total: list.length };
  }
  return { unit: unit ?? BOX_KEYS[0], ids, boxes };
}

const BOX_KEYS: readonly Unit[] = ['sent', 'ref'];

export function parseMaskPredictions(source: string, value: unknown): Parsed<MaskEntry> {
  return runSteps(maskPredictionSteps(source, value));
}

export function maskPredictionSteps(source: string, value: unknown): Steps<Parsed<MaskEntry>> {
  return parseEntrySteps<MaskEntry>(source, value, ['sent', 'ref'], (record, i) => {
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

export function parseSentencePredictions(source: string, value: unknown): Parsed<SentenceEntry> {
  return runSteps(sentencePredictionSteps(source, value));
}

export function sentencePredictionSteps(source: string, value: unknown): Steps<Parsed<SentenceEntry>> {
  return parseEntrySteps<SentenceEntry>(source, value, ['ref'], (record, i) => {
    if (typeof record.sent !== 'string') fail(source, i, `"sent" must be a string, got ${describe(record.sent)}`);
    return { sent: record.sent };
  });
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
