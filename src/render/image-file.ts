// Reading an image file into a Raster (where the file lies is src/core/layout's job).

import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import * as jpeg from 'jpeg-js';
// src/sample still finds image paths here.
export { imageFilePath } from '../core/layout';
import { loadFastPng, type Raster } from './raster';

/** Pictures larger than this are refused before decoding (a decompression bomb). */
export const MAX_PIXELS = 50_000_000;
const MAX_FILE_BYTES = 64 << 20;

/** The media type of an image file by its first bytes, or undefined for other content. */
export function imageMediaType(bytes: Uint8Array): 'image/jpeg' | 'image/png' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  return undefined;
}

/** Whether `path` is a regular file. */
export function imageFileExists(path: string): boolean {
  return fileIdentity(path) !== undefined;
}

/** Device, inode, size and time of a regular file; undefined for anything else or an error. */
export function fileIdentity(path: string): string | undefined {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat?.isFile() ? `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}` : undefined;
  } catch {
    // ENOTDIR (a file where a folder of the path should be), EACCES, ELOOP: no image.
    return undefined;
  }
}

/**
 * The bytes of a regular file of at most 64 MB, or undefined when there is none (missing,
 * a directory, a FIFO that would block the read, unreadable).
 */
export function readImageBytes(path: string): Uint8Array<ArrayBuffer> | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return undefined;
    const bytes = new Uint8Array(stat.size);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return bytes.subarray(0, at);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Decodes a JPEG or PNG into an RGB raster; undefined when it is neither, too large or corrupt. */
export function decodeImage(bytes: Uint8Array): Raster | undefined {
  try {
    switch (imageMediaType(bytes)) {
      case 'image/jpeg':
        return decodeJpeg(bytes);
      case 'image/png':
        return decodePng(bytes);
      default:
        return undefined;
    }
  } catch {
    // The decoders throw plain Errors on every kind of damage; a damaged file is a missing one.
    return undefined;
  }
}

function decodeJpeg(bytes: Uint8Array): Raster | undefined {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_PIXELS / 1e6 });
  if (img.width === 0 || img.height === 0) return undefined;
  // Grayscale JPEGs also come out as RGB(A); the size says which.
  const channels = img.data.length / (img.width * img.height);
  if (channels === 3) return { width: img.width, height: img.height, channels: 3, data: img.data };
  return toRgb(img.width, img.height, channels, img.data, 255);
}

const PNG_BACKGROUND = 128;

function decodePng(bytes: Uint8Array): Raster | undefined {
  // IHDR's width and height, checked before the decoder allocates them.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24 || view.getUint32(16) * view.getUint32(20) > MAX_PIXELS) return undefined;
  const png = loadFastPng().decode(bytes);
  const { width, height, depth } = png;
  if (width === 0 || height === 0) return undefined;
  if (png.palette) {
    const indexes = samples(png.data, width, height, 1, depth);
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < indexes.length; i++) {
      const color = png.palette[indexes[i]] ?? [0, 0, 0];
      rgb.set(color.slice(0, 3), i * 3);
    }
    return { width, height, channels: 3, data: rgb };
  }
  return toRgb(width, height, png.channels, samples(png.data, width, height, png.channels, depth), (1 << Math.min(depth, 8)) - 1);
}

/** PNG samples as one byte each: 16-bit ones by their high byte, packed 1/2/4-bit ones unpacked (rows start on a byte). */
function samples(data: ArrayLike<number>, width: number, height: number, channels: number, depth: number): Uint8Array {
  if (depth === 8) return data as Uint8Array;
  const n = width * channels;
  const out = new Uint8Array(n * height);
  if (depth === 16) {
    for (let i = 0; i < out.length; i++) out[i] = data[i] >> 8;
    return out;
  }
  const rowBytes = Math.ceil((n * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < n; i++) {
      const bit = i * depth;
      out[y * n + i] = (data[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** Gray, gray+alpha, RGB or RGBA samples of range 0..max to RGB, alpha laid over mid gray. */
function toRgb(width: number, height: number, channels: number, s: Uint8Array, max: number): Raster {
  const rgb = new Uint8Array(width * height * 3);
  const hasAlpha = channels === 2 || channels === 4;
  const colors = hasAlpha ? channels - 1 : channels;
  for (let i = 0, p = 0; i < width * height; i++, p += channels) {
    const alpha = hasAlpha ? s[p + colors] / max : 1;
    for (let k = 0; k < 3; k++) {
      const v = (s[p + (colors === 1 ? 0 : k)] * 255) / max;
      rgb[i * 3 + k] = Math.round(v * alpha + PNG_BACKGROUND * (1 - alpha));
    }
  }
  return { width, height, channels: 3, data: rgb };
}

/**
 * The last few decoded images, by path, with the file's identity when each was read
 * (a replaced file is decoded again). Decoding a 640x480 JPEG costs more than everything
 * else in a render, and renders come in runs over one image: its SEG and BOX, the other
 * refs of the same image. The app owns one (see src/server.ts).
 */
export class DecodedImages {
  private readonly entries = new Map<string, { file: string; raster: Raster | undefined }>();

  constructor(private readonly capacity = 8) {}

  /** The raster of `path` as decoded when its file was `file`; decodes on a miss. */
  get(path: string, file: string): Raster | undefined {
    let entry = this.entries.get(path);
    if (entry?.file !== file) entry = { file, raster: decodeFile(path) };
    // Map iteration follows insertion order: re-inserting makes it the most recent.
    this.entries.delete(path);
    this.entries.set(path, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return entry.raster;
  }
}

function decodeFile(path: string): Raster | undefined {
  const bytes = readImageBytes(path);
  return bytes && decodeImage(bytes);
}

/**
 * The image at `path` as an RGB raster (the caller's own copy, to draw on), or
 * undefined when it is missing or undecodable; through `cache` when given.
 */
export function readImage(path: string, cache?: DecodedImages): Raster | undefined {
  const file = fileIdentity(path);
  if (file === undefined) return undefined;
  if (!cache) return decodeFile(path);
  const raster = cache.get(path, file);
  return raster && { ...raster, data: raster.data.slice() };
}
