/**
 * Image files for a generated data root, painted from its own instances.json: a
 * background gradient and every object's mask in a colour of its category, so that
 * renders over them show something real. A picture depends only on its image's record
 * and annotations, so RefCOCO and RefCOCO+, which share images, write the same bytes.
 * JPEGs at quality 60 through jpeg-js, whose encoder is deterministic.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { stringAt } from '../core/store/columns';
import { readInstances } from '../core/read/instances';
import type { InstancesTables } from '../core/store/tables';
import { rleDecode } from '../mask';
import { segmentationMask } from '../core/masks';
import { imageFilePath } from '../render/image-file';
import { blendMask, maskBoundary, type Raster, type Rgb } from '../render/raster';

export const JPEG_QUALITY = 60;

/** HSV (each 0..1) to RGB bytes. */
function hsv(h: number, s: number, v: number): Rgb {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

const fraction = (x: number) => x - Math.floor(x);

/** Well separated hues for neighbouring ids (golden-ratio steps). */
export function categoryColor(categoryId: number): Rgb {
  return hsv(fraction(categoryId * 0.618034), 0.6, 0.85);
}

function background(width: number, height: number, imageId: number): Raster {
  const hue = fraction(imageId * 0.381966);
  const top = hsv(hue, 0.2, 0.92);
  const bottom = hsv(fraction(hue + 0.08), 0.35, 0.5);
  const data = new Uint8Array(width * height * 3);
  const rowLength = width * 3;
  for (let y = 0; y < height; y++) {
    const t = height > 1 ? y / (height - 1) : 0;
    const row = y * rowLength;
    for (let k = 0; k < 3; k++) data[row + k] = Math.round(top[k] + (bottom[k] - top[k]) * t);
    // Doubling copies fill the row from its first pixel.
    for (let filled = 3; filled < rowLength; filled *= 2) data.copyWithin(row + filled, row, row + Math.min(filled, rowLength - filled));
  }
  return { width, height, channels: 3, data };
}

/**
 * The picture of image row `imageRow`: its objects, largest first so that small ones
 * stay visible, each outlined in a darker shade so that touching objects of one
 * category stay apart.
 */
export function paintImage(tables: InstancesTables, imageRow: number, annRows: readonly number[]): Raster {
  const { images, annotations } = tables;
  const w = images.width[imageRow];
  const h = images.height[imageRow];
  const picture = background(w, h, images.id[imageRow]);
  const objects = annRows.map((row) => ({ row, rle: segmentationMask(tables, row, () => `annotation row ${row}`), area: annotations.area[row] }));
  objects.sort((a, b) => b.area - a.area || a.row - b.row);
  for (const { row, rle } of objects) {
    const color = categoryColor(annotations.categoryId[row]);
    const bitmap = rleDecode(rle);
    blendMask(picture, bitmap, rle.w, rle.h, color, 1);
    blendMask(picture, maskBoundary(bitmap, rle.w, rle.h), rle.w, rle.h, [0, 0, 0], 0.45);
  }
  return picture;
}

export function encodeJpeg(r: Raster, quality = JPEG_QUALITY): Uint8Array {
  const rgba = new Uint8Array(r.width * r.height * 4);
  for (let i = 0, p = 0; i < rgba.length; i += 4, p += 3) {
    rgba[i] = r.data[p];
    rgba[i + 1] = r.data[p + 1];
    rgba[i + 2] = r.data[p + 2];
    rgba[i + 3] = 255;
  }
  return jpeg.encode({ width: r.width, height: r.height, data: rgba }, quality).data;
}

export interface ImagesSummary {
  files: number;
  bytes: number;
}

/**
 * Paints every image of `<out>/<dataset>/instances.json` into `<out>/images/…`, except
 * the paths in `written` (files this run already painted: RefCOCO+ shares RefCOCO's
 * images, annotations and so pictures); adds the paths it writes to `written`.
 */
export function writeSampleImages(out: string, dataset: string, written = new Set<string>()): ImagesSummary {
  const file = join(out, dataset, 'instances.json');
  const tables = readInstances(readFileSync(file), `${dataset}/instances.json`);
  const annsOfImage: number[][] = Array.from(tables.images.id, () => []);
  tables.annotations.imageRow.forEach((imageRow, annRow) => annsOfImage[imageRow].push(annRow));
  const summary: ImagesSummary = { files: 0, bytes: 0 };
  for (let row = 0; row < annsOfImage.length; row++) {
    const path = imageFilePath(dataset, stringAt(tables.images.fileName, row), out);
    if (written.has(path)) continue;
    written.add(path);
    const bytes = encodeJpeg(paintImage(tables, row, annsOfImage[row]));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    summary.files++;
    summary.bytes += bytes.length;
  }
  return summary;
}
