// REFER's showRef(ref, seg_box='seg'|'box') and showMask(ref) as pictures: the ref's
// object drawn over its image file, or over a gray canvas of the image's size when the
// file is missing (most users have the annotations, not the 13 GB of images).

import { DataError, StaleIndexError } from '../core/errors';
import type { ReferStore } from '../core/store/store';
import { rleDecode, type Rle } from '../mask';
import { imagePath } from '../core/layout';
import { annotationMask, type MaskCache, refMaskOf } from '../core/masks';
import { type DecodedImages, imageFileExists, MAX_PIXELS, readImage } from './image-file';
import { blendMask, downscale, drawLine, drawMaskPixels, filledRaster, maskBoundary, rasterToPng, type Raster, type Rgb } from './raster';

export const RENDER_MODES = ['SEG', 'BOX', 'MASK'] as const;
export type RenderMode = (typeof RENDER_MODES)[number];

export interface RenderOptions {
  mode: RenderMode;
  /** Longest side of the result; larger pictures are scaled down (never up). */
  maxSize?: number;
  /** The data root whose images/ folder holds the image files. */
  dataRoot: string;
  /** Where computed masks are kept (the app's cache); without one they are not kept. */
  masks?: MaskCache;
  /** Recently decoded image files (the app's cache); without one each render decodes its image. */
  images?: DecodedImages;
  /** A prediction drawn over the ground truth, in its own colour (an evaluation's failure, seen). */
  overlay?: Overlay;
}

/** A predicted box [x, y, w, h] in image pixels, or a predicted mask of the image's size. */
export type Overlay = { box: readonly [number, number, number, number] } | { mask: Rle };

export interface Drawing {
  raster: Raster;
  /**
   * SEG and BOX: whether the picture is drawn over the image file (false: it was missing
   * or undecodable, and the canvas is gray). MASK never reads the image: whether the file exists.
   */
  imageFound: boolean;
}

/** A mask decoded to one byte per pixel, and its size. */
interface Decoded {
  bitmap: Uint8Array;
  mw: number;
  mh: number;
}

export interface Render {
  png: Uint8Array<ArrayBuffer>;
  width: number;
  height: number;
  imageFound: boolean;
}

// REFER's colours: the refclef mask fill (2, 166, 101) at alpha 0.5, polygon edges thick
// yellow under thin red, the box green and 3 px wide.
const CANVAS: Rgb = [128, 128, 128];
const FILL: Rgb = [2, 166, 101];
const FILL_ALPHA = 0.5;
const EDGE_OUTER: Rgb = [255, 255, 0];
const EDGE_INNER: Rgb = [255, 0, 0];
const BOX: Rgb = [0, 200, 0];
// Predictions in cyan over a blue fill: far from REFER's green, yellow and red, and from
// the gray canvas, so that what the model said and what the data says never blend.
export const OVERLAY_EDGE: Rgb = [0, 230, 255];
const OVERLAY_FILL: Rgb = [0, 90, 255];
const OVERLAY_ALPHA = 0.45;

function checkOptions(store: ReferStore, options: RenderOptions): void {
  if (!(RENDER_MODES as readonly string[]).includes(options.mode)) {
    throw new DataError(`${store.name}: unknown render mode ${JSON.stringify(options.mode)}; valid modes: ${RENDER_MODES.join(', ')}`);
  }
  const { maxSize } = options;
  if (maxSize !== undefined && !(Number.isInteger(maxSize) && maxSize >= 1)) {
    throw new DataError(`${store.name}: maxSize must be a whole number of pixels ≥ 1, got ${maxSize}`);
  }
}

/** The picture of ref row `refRow`, before encoding. */
export function drawRef(store: ReferStore, refRow: number, options: RenderOptions): Drawing {
  checkOptions(store, options);
  const imageRow = store.imageOfRef(refRow);
  const objects = store.annotationsOfRef(refRow);
  const [h, w] = store.imageSize(imageRow);
  if (w === 0 || h === 0 || w * h > MAX_PIXELS) {
    throw new DataError(`${store.name}: image ${store.imageId(imageRow)} is ${w}x${h} pixels in instances.json; cannot draw it (1 to ${MAX_PIXELS} pixels)`);
  }
  const path = imagePath(store, imageRow, options.dataRoot);
  /** The decoded union of `rows`' masks (all the ref's objects by default). */
  const mask = (rows: readonly number[] = objects) => {
    try {
      const rle = refMaskOf(store, refRow, rows.map((row) => annotationMask(store, row, options.masks)));
      return { bitmap: rleDecode(rle), mw: rle.w, mh: rle.h };
    } catch (e) {
      // The codec throws RangeError on corrupt segmentations (counts that do not add up,
      // coordinates beyond 2**30): a problem of the data, not of the program.
      // A compiled index rewritten under us is not this ref's problem: it goes up as is.
      if (e instanceof StaleIndexError || !(e instanceof RangeError || e instanceof DataError)) throw e;
      const names = rows.map((row) => JSON.stringify(store.annId(row))).join(', ');
      throw new DataError(`${store.name}: annotation ${names}: its segmentation cannot be drawn: ${e.message}`);
    }
  };

  let drawing: Drawing;
  if (options.mode === 'MASK') {
    const { bitmap, mw, mh } = mask();
    let data = bitmap;
    if (mw !== w || mh !== h) {
      // A stored RLE of another size than its image: laid from the top left, clipped.
      data = new Uint8Array(w * h);
      const cw = Math.min(w, mw);
      for (let y = 0; y < Math.min(h, mh); y++) data.set(bitmap.subarray(y * mw, y * mw + cw), y * w);
    }
    for (let i = 0; i < data.length; i++) data[i] *= 255;
    const gray: Raster = { width: w, height: h, channels: 1, data };
    // An overlay needs colour: the white-on-black mask becomes RGB under it.
    drawing = { raster: options.overlay ? grayToRgb(gray) : gray, imageFound: imageFileExists(path) };
  } else {
    const image = readImage(path, options.images);
    const raster = image ?? filledRaster(w, h, CANVAS);
    if (options.mode === 'SEG') drawSegmentation(raster, store, objects, mask);
    else for (const row of objects) drawBox(raster, store.annBbox(row));
    drawing = { raster, imageFound: image !== undefined };
  }
  if (options.overlay) drawOverlay(drawing.raster, options.overlay);
  if (options.maxSize !== undefined) drawing.raster = downscale(drawing.raster, options.maxSize);
  return drawing;
}

/**
 * As showRef(ref, seg_box='seg'): polygon objects outlined only (thick yellow under thin
 * red), so the object referred to stays visible; objects stored as RLE masks (RefClef)
 * filled translucent green, with their boundary traced since they have no outline.
 */
function drawSegmentation(r: Raster, store: ReferStore, objects: readonly number[], mask: (rows: readonly number[]) => Decoded): void {
  const polygons = objects.flatMap((row) => store.polygonsOfAnnotation(row));
  const rleObjects = objects.filter((row) => store.polygonsOfAnnotation(row).length === 0);
  if (rleObjects.length > 0) {
    const m = mask(rleObjects);
    blendMask(r, m.bitmap, m.mw, m.mh, FILL, FILL_ALPHA);
    const edge = maskBoundary(m.bitmap, m.mw, m.mh);
    drawMaskPixels(r, edge, m.mw, m.mh, 1, EDGE_OUTER);
    drawMaskPixels(r, edge, m.mw, m.mh, 0, EDGE_INNER);
  }
  for (const [radius, color] of [[1, EDGE_OUTER], [0, EDGE_INNER]] as const) {
    for (const xy of polygons) {
      const k = Math.floor(xy.length / 2);
      // Pixel i covers [i, i + 1), as the codec's masks do.
      for (let j = 0; j < k; j++) {
        const next = (j + 1) % k;
        drawLine(r, Math.floor(xy[2 * j]), Math.floor(xy[2 * j + 1]), Math.floor(xy[2 * next]), Math.floor(xy[2 * next + 1]), radius, color);
      }
    }
  }
}

/** The box [x, y, w, h] around the pixels it covers, 3 px wide, centred on its edge pixels. */
function drawBox(r: Raster, [x, y, bw, bh]: readonly number[], color: Rgb = BOX): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.max(x0, Math.ceil(x + bw) - 1);
  const y1 = Math.max(y0, Math.ceil(y + bh) - 1);
  drawLine(r, x0, y0, x1, y0, 1, color);
  drawLine(r, x1, y0, x1, y1, 1, color);
  drawLine(r, x1, y1, x0, y1, 1, color);
  drawLine(r, x0, y1, x0, y0, 1, color);
}

/** A predicted box as the ground truth's is drawn, in cyan; a predicted mask filled blue, outlined cyan. */
function drawOverlay(r: Raster, overlay: Overlay): void {
  if ('box' in overlay) {
    drawBox(r, overlay.box, OVERLAY_EDGE);
    return;
  }
  const { mask } = overlay;
  const bitmap = rleDecode(mask);
  blendMask(r, bitmap, mask.w, mask.h, OVERLAY_FILL, OVERLAY_ALPHA);
  drawMaskPixels(r, maskBoundary(bitmap, mask.w, mask.h), mask.w, mask.h, 1, OVERLAY_EDGE);
}

function grayToRgb(gray: Raster): Raster {
  const data = new Uint8Array(gray.data.length * 3);
  for (let i = 0; i < gray.data.length; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = gray.data[i];
  return { width: gray.width, height: gray.height, channels: 3, data };
}

/** The ref's picture as a PNG: SEG (polygons outlined, RLE masks filled), BOX, or MASK (white on black). */
export function renderRef(store: ReferStore, refRow: number, options: RenderOptions): Render {
  const { raster, imageFound } = drawRef(store, refRow, options);
  return { png: rasterToPng(raster), width: raster.width, height: raster.height, imageFound };
}
