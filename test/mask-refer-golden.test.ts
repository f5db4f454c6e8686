// Parity with REFER getMask and pycocotools on the golden data root: every sampled ref's
// polygons (or RefClef's RLEs), their union and its decoded bitmap, bit for bit.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  rleArea,
  rleDecode,
  rleEncode,
  rleFromPolygon,
  rleFromString,
  rleMerge,
  rleToBbox,
  rleToString,
  type Rle,
} from '../src/mask';

const golden = path.join(__dirname, 'fixtures/golden');

interface MaskAnswer {
  ref_id: number;
  ann_id: number | string;
  height: number;
  width: number;
  area: number;
  mask_md5: string;
  mask_bin_md5: string;
  rle_of_mask: string;
  rle_of_binary_mask: string;
  per_polygon_rle?: string[];
  per_polygon_area?: number[];
  per_polygon_bbox?: number[][];
  rle_union_merge: string;
  union_area: number;
  union_bbox: number[];
}

interface CompressedRle {
  counts: string;
  size: [number, number];
}

interface Annotation {
  id: number | string;
  segmentation: number[][] | CompressedRle[];
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(golden, file), 'utf8')) as T;
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

function isPolygons(segmentation: Annotation['segmentation']): segmentation is number[][] {
  return Array.isArray(segmentation[0]);
}

/** What REFER getMask hands to pycocotools: one RLE per polygon or stored RLE. */
function partsOf(ann: Annotation, h: number, w: number): Rle[] {
  const seg = ann.segmentation;
  if (isPolygons(seg)) return seg.map((p) => rleFromPolygon(p, h, w));
  return seg.map((r) => rleFromString(r.counts, r.size[0], r.size[1]));
}

const answerFiles = [
  'refcoco_unc',
  'refcoco_google',
  'refcoco+_unc',
  'refcocog_google',
  'refcocog_umd',
  'refclef_unc',
  'refclef_berkeley',
];

describe.each(answerFiles)('%s masks', (name) => {
  const dataset = name.slice(0, name.lastIndexOf('_'));
  const answers = readJson<{ masks: MaskAnswer[] }>(`answers/${name}.json`).masks;
  const anns = new Map(
    readJson<{ annotations: Annotation[] }>(`data/${dataset}/instances.json`).annotations.map((a) => [a.id, a]),
  );

  it('has sampled refs to check', () => {
    expect(answers.length).toBeGreaterThanOrEqual(50);
  });

  it.each(answers.map((m) => [m.ref_id, m] as const))('ref %s', (_refId, m) => {
    const ann = anns.get(m.ann_id);
    if (ann === undefined) throw new Error(`annotation ${m.ann_id} missing from ${dataset}/instances.json`);
    const parts = partsOf(ann, m.height, m.width);

    if (m.per_polygon_rle !== undefined) {
      expect(parts.map(rleToString)).toEqual(m.per_polygon_rle);
      expect(parts.map(rleArea)).toEqual(m.per_polygon_area);
      expect(parts.map(rleToBbox)).toEqual(m.per_polygon_bbox);
    }
    // REFER's own `area`: the parts' areas summed, overlaps counted twice.
    expect(parts.reduce((s, r) => s + rleArea(r), 0)).toBe(m.area);

    const union = rleMerge(parts);
    expect(rleToString(union)).toBe(m.rle_union_merge);
    expect(rleArea(union)).toBe(m.union_area);
    expect(rleToBbox(union)).toEqual(m.union_bbox);
    const bitmap = rleDecode(union);
    expect(md5(bitmap)).toBe(m.mask_bin_md5);
    expect(rleToString(rleEncode(bitmap, m.height, m.width))).toBe(m.rle_of_binary_mask);

    // REFER's summed uint8 mask, and pycocotools' encoding of it: runs split at every
    // change of value, so overlaps (value 2) come out as separate runs.
    const summed = new Uint8Array(m.height * m.width);
    for (const part of parts) {
      const p = rleDecode(part);
      for (let j = 0; j < p.length; j++) summed[j] += p[j];
    }
    expect(md5(summed)).toBe(m.mask_md5);
    expect(rleToString(rleEncode(summed, m.height, m.width))).toBe(m.rle_of_mask);
  });
});
