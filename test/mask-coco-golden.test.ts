// Parity with pycocotools on 734 real COCO RLE strings (cocoapi's fake segmentation
// results) and its fake box results: every number and string exactly as pycocotools gave.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  bboxIou,
  rleArea,
  rleDecode,
  rleFromBbox,
  rleFromCounts,
  rleFromString,
  rleIou,
  rleMerge,
  rleToBbox,
  rleToString,
} from '../src/mask';

const golden = path.join(__dirname, 'fixtures/golden');

interface SegmResult {
  image_id: number;
  segmentation: { size: [number, number]; counts: string };
}

interface PerRle {
  index: number;
  size: [number, number];
  area: number;
  toBbox: number[];
  decode_md5: string;
  decode_sum: number;
  roundtrip_equal: boolean;
  n_counts: number;
  counts_md5: string;
  frUncompressed_equal: boolean;
}

interface PerImage {
  image_id: number;
  indices: number[];
  union: string;
  union_area: number;
  intersection: string;
  intersection_area: number;
  iou_crowd0: number[][];
  iou_crowd1: number[][];
}

interface BoxImage {
  image_id: number;
  bboxes: number[][];
  bb_iou_crowd0: number[][];
  bb_iou_crowd1: number[][];
  frBbox_480x640: string[];
  frBbox_area: number[];
}

interface Answers {
  n_rles: number;
  per_rle: PerRle[];
  per_image: PerImage[];
  bboxes: BoxImage[];
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(golden, file), 'utf8')) as T;
}

function md5(data: Uint8Array | string): string {
  return createHash('md5').update(data).digest('hex');
}

const inputs = readJson<SegmResult[]>('inputs/coco_fakesegm100_results.json');
const answers = readJson<Answers>('answers/mask_api_real_coco_rles.json');
const rles = inputs.map((r) => rleFromString(r.segmentation.counts, r.segmentation.size[0], r.segmentation.size[1]));

describe('real COCO RLE strings', () => {
  it('covers all 734 inputs', () => {
    expect(inputs).toHaveLength(734);
    expect(answers.per_rle).toHaveLength(answers.n_rles);
    expect(answers.n_rles).toBe(734);
  });

  it.each(answers.per_rle.map((a) => [a.index, a] as const))('RLE %i', (i, a) => {
    const rle = rles[i];
    expect([rle.h, rle.w]).toEqual(a.size);
    expect(rleArea(rle)).toBe(a.area);
    expect(rleToBbox(rle)).toEqual(a.toBbox);
    const bitmap = rleDecode(rle);
    expect(md5(bitmap)).toBe(a.decode_md5);
    expect(bitmap.reduce((s, v) => s + v, 0)).toBe(a.decode_sum);
    expect(rleToString(rle) === inputs[i].segmentation.counts).toBe(a.roundtrip_equal);
    // counts_md5 is the md5 of Python's json.dumps of the uncompressed counts list.
    expect(rle.counts.length).toBe(a.n_counts);
    expect(md5(`[${Array.from(rle.counts).join(', ')}]`)).toBe(a.counts_md5);
    const uncompressed = rleFromCounts(Array.from(rle.counts), rle.h, rle.w);
    expect(rleToString(uncompressed) === inputs[i].segmentation.counts).toBe(a.frUncompressed_equal);
  });
});

describe('per image merge and iou', () => {
  it.each(answers.per_image.map((a) => [a.image_id, a] as const))('image %i', (_id, a) => {
    const group = a.indices.map((i) => rles[i]);
    const union = rleMerge(group);
    const intersection = rleMerge(group, true);
    expect(rleToString(union)).toBe(a.union);
    expect(rleArea(union)).toBe(a.union_area);
    expect(rleToString(intersection)).toBe(a.intersection);
    expect(rleArea(intersection)).toBe(a.intersection_area);
    expect(rleIou(group, group, group.map(() => false))).toEqual(a.iou_crowd0);
    expect(rleIou(group, group, group.map(() => true))).toEqual(a.iou_crowd1);
  });
});

describe('boxes', () => {
  it.each(answers.bboxes.map((a) => [a.image_id, a] as const))('image %i', (_id, a) => {
    expect(bboxIou(a.bboxes, a.bboxes, a.bboxes.map(() => false))).toEqual(a.bb_iou_crowd0);
    expect(bboxIou(a.bboxes, a.bboxes, a.bboxes.map(() => true))).toEqual(a.bb_iou_crowd1);
    const fromBoxes = a.bboxes.map((b) => rleFromBbox(b, 480, 640));
    expect(fromBoxes.map(rleToString)).toEqual(a.frBbox_480x640);
    expect(fromBoxes.map(rleArea)).toEqual(a.frBbox_area);
  });
});
