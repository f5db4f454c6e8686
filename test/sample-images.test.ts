// The bundled sample's image files: one JPEG per image of every instances.json, at the
// index's size, painted from the annotations (so renders show the objects), the same
// bytes on every run, and small.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { loadCatalog, type Catalog } from '../src/core/catalog';
import { groupMembers } from '../src/core/store/store';
import { rleDecode } from '../src/mask';
import { annotationMask } from '../src/core/masks';
import { imagePath } from '../src/core/layout';
import { categoryColor, encodeJpeg, paintImage } from '../src/sample/images';

const DATA = join(__dirname, '..', 'data');
// One pair per instances.json: all pairs of a dataset share its images.
const PAIRS = [['refcoco', 'unc'], ['refcoco+', 'unc'], ['refcocog', 'umd'], ['refclef', 'unc']] as const;

let catalog: Catalog;
beforeAll(() => {
  catalog = loadCatalog({ dataRoot: DATA, cacheDir: null, datasets: PAIRS.map((p) => p.join('/')) });
});

describe.each(PAIRS)('%s images', (dataset, splitBy) => {
  test('one JPEG per image, at its size, showing each visible object in its category colour', () => {
    const s = catalog.get(dataset, splitBy);
    const { images, annotations } = s.instances.tables;
    const problems: string[] = [];
    let checked = 0;
    for (let row = 0; row < images.id.length; row++) {
      const path = imagePath(s, row, DATA);
      const img = jpeg.decode(readFileSync(path), { useTArray: true, formatAsRGBA: false });
      const [w, h] = [images.width[row], images.height[row]];
      if (img.width !== w || img.height !== h) problems.push(`${path}: ${img.width}x${img.height}, index says ${w}x${h}`);
      // Which object is on top at each pixel: they are painted largest first.
      const anns = [...groupMembers(s.instances.annsByImage, row)].sort((a, b) => annotations.area[b] - annotations.area[a] || a - b);
      const owner = new Int32Array(w * h).fill(-1);
      anns.forEach((ann, k) => rleDecode(annotationMask(s, ann)).forEach((v, i) => v && (owner[i] = k)));
      // Away from outlines and JPEG's blur at edges, an object is its colour.
      const sums = anns.map(() => [0, 0, 0, 0]);
      for (let y = 2; y < h - 2; y++) {
        for (let x = 2; x < w - 2; x++) {
          const i = y * w + x;
          const k = owner[i];
          if (k < 0 || owner[i - 2] !== k || owner[i + 2] !== k || owner[i - 2 * w] !== k || owner[i + 2 * w] !== k) continue;
          for (let c = 0; c < 3; c++) sums[k][c] += img.data[i * 3 + c];
          sums[k][3]++;
        }
      }
      anns.forEach((ann, k) => {
        const n = sums[k][3];
        if (n < 64) return;
        checked++;
        const mean = sums[k].slice(0, 3).map((v) => Math.round(v / n));
        const color = categoryColor(annotations.categoryId[ann]);
        if (mean.some((v, c) => Math.abs(v - color[c]) > 10)) problems.push(`${path}: object ${s.instances.annId(ann)} is ${mean}, not ${color}`);
      });
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(annotations.imageRow.length / 2);
  });

  test('painting is deterministic: the file is what painting its annotations gives, every time', () => {
    const s = catalog.get(dataset, splitBy);
    for (const row of [0, s.instances.tables.images.id.length - 1]) {
      const anns = [...groupMembers(s.instances.annsByImage, row)];
      const once = encodeJpeg(paintImage(s.instances.tables, row, anns));
      const twice = encodeJpeg(paintImage(s.instances.tables, row, anns));
      expect(Buffer.from(once).equals(Buffer.from(twice))).toBe(true);
      expect(Buffer.from(once).equals(readFileSync(imagePath(s, row, DATA)))).toBe(true);
    }
  });

  test('small: under 40 kB a file', () => {
    const s = catalog.get(dataset, splitBy);
    const sizes = Array.from(s.instances.tables.images.id, (_, row) => statSync(imagePath(s, row, DATA)).size);
    expect(Math.max(...sizes)).toBeLessThan(40_000);
  });
});
