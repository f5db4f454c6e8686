/**
 * Object outlines for generated annotations: COCO-style polygons with 2-decimal
 * coordinates, clipped to the image, sometimes in several parts that may overlap, and
 * now and then tiny or degenerate (an empty mask), as real annotations are.
 */
import type { Random } from './random';

export interface Outline {
  /** Polygons, each [x1, y1, x2, y2, ...]. */
  parts: number[][];
  /** [x, y, w, h] of all parts, 2 decimals. */
  bbox: [number, number, number, number];
  /** Sum of the parts' shoelace areas (overlaps counted twice, as COCO's polygon area). */
  area: number;
}

/** Vertices per pixel of an outline's radius; tuned so that a full-scale refcoco
 * instances.json weighs about what the real one does (~140 MB). */
const VERTEX_DENSITY = 0.18;
const MAX_VERTICES = 160;

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function shoelace(xy: readonly number[]): number {
  let sum = 0;
  const n = xy.length;
  for (let i = 0; i < n; i += 2) {
    const j = (i + 2) % n;
    sum += xy[i] * xy[j + 1] - xy[j] * xy[i + 1];
  }
  return Math.abs(sum) / 2;
}

/** A wobbly star-shaped polygon around (cx, cy) with radii (rx, ry). */
function blob(rng: Random, cx: number, cy: number, rx: number, ry: number, width: number, height: number): number[] {
  const n = Math.min(MAX_VERTICES, Math.max(3, Math.round(VERTEX_DENSITY * (rx + ry)) + rng.range(0, 4)));
  const phase = rng.uniform(0, 2 * Math.PI);
  const lobes = rng.range(2, 5);
  const wobble = rng.uniform(0.05, 0.3);
  const xy: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = ((i + rng.uniform(-0.3, 0.3)) / n) * 2 * Math.PI;
    const r = 1 - wobble + wobble * Math.sin(lobes * t + phase) + rng.uniform(-0.06, 0.06);
    xy.push(round2(clamp(cx + rx * r * Math.cos(t), 0, width)), round2(clamp(cy + ry * r * Math.sin(t), 0, height)));
  }
  return xy;
}

/** A sliver: three points on a line, a polygon whose mask is empty or nearly so. */
function sliver(rng: Random, width: number, height: number): number[] {
  const x = round2(rng.uniform(0, width - 1));
  const y = round2(rng.uniform(0, height - 1));
  const d = round2(rng.uniform(0.5, 3));
  return [x, y, round2(Math.min(width, x + d)), y, round2(Math.min(width, x + 2 * d)), y];
}

function measure(parts: number[][]): Outline {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let area = 0;
  for (const xy of parts) {
    for (let i = 0; i < xy.length; i += 2) {
      if (xy[i] < x0) x0 = xy[i];
      if (xy[i] > x1) x1 = xy[i];
      if (xy[i + 1] < y0) y0 = xy[i + 1];
      if (xy[i + 1] > y1) y1 = xy[i + 1];
    }
    area += shoelace(xy);
  }
  return { parts, bbox: [x0, y0, round2(x1 - x0), round2(y1 - y0)], area };
}

/** The outline of one object in a width × height image. */
export function objectOutline(rng: Random, width: number, height: number): Outline {
  const kind = rng.next();
  if (kind < 0.002) return measure([sliver(rng, width, height)]);
  const short = Math.min(width, height);
  // Log-uniform sizes: many small objects, some filling half the image; a few tiny ones.
  const size = kind < 0.02 ? rng.uniform(0.8, 4) : short * Math.exp(rng.uniform(Math.log(0.025), Math.log(0.55)));
  const aspect = Math.exp(rng.uniform(-0.7, 0.7));
  const rx = size * Math.sqrt(aspect);
  const ry = size / Math.sqrt(aspect);
  const cx = rng.uniform(0, width);
  const cy = rng.uniform(0, height);
  const parts = [blob(rng, cx, cy, rx, ry, width, height)];
  const partsRoll = rng.next();
  const extra = partsRoll < 0.8 ? 0 : partsRoll < 0.92 ? 1 : partsRoll < 0.98 ? 2 : rng.range(3, 4);
  for (let k = 0; k < extra; k++) {
    // Pieces of an occluded object: beside the main part, sometimes overlapping it.
    const angle = rng.uniform(0, 2 * Math.PI);
    const distance = rng.uniform(0.6, 1.6);
    const scale = rng.uniform(0.25, 0.6);
    parts.push(blob(rng, cx + rx * distance * Math.cos(angle), cy + ry * distance * Math.sin(angle),
      rx * scale, ry * scale, width, height));
  }
  return measure(parts);
}
