// Polygons and boxes to RLE: maskApi.c rleFrPoly and rleFrBbox, with the same results
// bit for bit (same double arithmetic, C's truncating (int) casts).
//
// rleFrPoly upsamples the polygon 5x and walks every edge one step at a time along its
// major axis. Wherever the walk moves from one upsampled column to the next and the pair
// straddles a pixel column's centre (upsampled x = 5i+2), the mask toggles at that pixel
// column, at the row below the lower of the two walk points. Sorted toggle positions,
// x*h+y, are the run boundaries. The C code stores every walk point, scans them all and
// sorts the toggles. Here only the steps that straddle a centre are computed, with the
// C formulas: on edges walked along x, every fifth step; on edges walked along y, the
// step where the column changes, found by estimate and exact check. The toggles are then
// bucketed by column. Toggle order does not matter once sorted, so the result is the same.

import { checkSize, type Rle } from './rle';
import { Int32List, Uint32List } from './scratch';

const SCALE = 5;
const INT_MIN = -0x8000_0000;
// Beyond this the C int arithmetic overflows (undefined behaviour) and the walk takes
// billions of steps; such coordinates are corrupt data, not polygons.
const COORD_LIMIT = 0x4000_0000;

const vertexX = new Int32List();
const vertexY = new Int32List();
const toggleX = new Int32List();
const toggleY = new Int32List();
const columnStart = new Int32List(); // toggles per column, then bucket offsets
const sortedY = new Int32List();
const runs = new Uint32List();
let firstColumn = 0; // columnStart[c] is about pixel column firstColumn + c
let columnCount = 0;

/**
 * rleFrPoly: the mask of the polygon x0,y0,x1,y1,... in pixel coordinates (pixel i covers
 * [i-0.5, i+0.5) around its centre i; an odd trailing number is ignored as `len/2` does).
 * Fewer than 3 vertices give what the C code gives: an empty mask. (pycocotools' Python
 * frPyObjects never passes a first polygon of 4 numbers here: it takes such a list as a
 * bbox. That dispatch belongs to callers that read annotations.)
 */
export function rleFromPolygon(xy: ArrayLike<number>, h: number, w: number): Rle {
  checkSize('rleFromPolygon', h, w);
  const k = Math.floor(xy.length / 2);
  // With w = 0 the C test `xd > w-1` compares with (siz)-1 and keeps columns outside the
  // mask, producing counts that overrun it; a mask without pixels is simply empty.
  if (h === 0 || w === 0) return { h, w, counts: Uint32Array.of(0) };

  const vx = vertexX.zeroed(k + 1);
  const vy = vertexY.zeroed(k + 1);
  let vxMin = 0;
  let vxMax = -1;
  for (let j = 0; j < k; j++) {
    const x = scaledCoordinate(xy[j * 2], j * 2);
    vx[j] = x;
    vy[j] = scaledCoordinate(xy[j * 2 + 1], j * 2 + 1);
    if (j === 0 || x < vxMin) vxMin = x;
    if (j === 0 || x > vxMax) vxMax = x;
  }
  vx[k] = vx[0];
  vy[k] = vy[0];

  // Walk points stay within one upsampled column of the vertices, so toggles fall in
  // these pixel columns; addToggle counts them per column for the final bucketing.
  firstColumn = Math.max(0, Math.floor((vxMin - 3) / SCALE));
  const lastColumn = Math.min(w - 1, Math.ceil((vxMax - 1) / SCALE));
  columnCount = Math.max(0, lastColumn - firstColumn + 1);
  columnStart.zeroed(columnCount + 1);
  toggleX.clear();
  toggleY.clear();
  const xdLast = SCALE * (w - 1) + 2; // upsampled centre of the last pixel column
  let started = false;
  let pu = 0; // the previous walk point
  let pv = 0;
  for (let j = 0; j < k; j++) {
    let xs = vx[j];
    let xe = vx[j + 1];
    let ys = vy[j];
    let ye = vy[j + 1];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      let t = xs; xs = xe; xe = t;
      t = ys; ys = ye; ye = t;
    }
    if (dx === 0 && dy === 0) {
      // A repeated vertex: C computes s = 0/0 and v = (int)NaN, which x86-64 makes INT_MIN.
      if (started) step(xs, INT_MIN, pu, pv, h, w);
      pu = xs;
      pv = INT_MIN;
    } else if (dx >= dy) {
      const s = (ye - ys) / dx;
      const t0 = flip ? dx : 0;
      if (started) step(t0 + xs, (ys + s * t0 + 0.5) | 0, pu, pv, h, w);
      // Steps between t = T and T+1 straddle upsampled x = xs+T; keep the centres.
      let T = Math.max(0, 2 - xs);
      const r = (xs + T - 2) % SCALE;
      if (r !== 0) T += SCALE - r;
      const tEnd = Math.min(dx - 1, xdLast - xs);
      for (; T <= tEnd; T += SCALE) {
        const va = (ys + s * T + 0.5) | 0;
        const vb = (ys + s * (T + 1) + 0.5) | 0;
        addToggle((xs + T - 2) / SCALE, rowBelow(va < vb ? va : vb, h));
      }
      const t1 = flip ? 0 : dx;
      pu = t1 + xs;
      pv = (ys + s * t1 + 0.5) | 0;
    } else {
      // Along y, u(t) = (int)(xs + s*t + .5) is monotone and moves at most one column per
      // step (|s| < 1), so each centre column between u(0) and u(dy) is crossed by exactly
      // one step, found from an estimate corrected with the exact formula.
      const s = (xe - xs) / dy;
      const tFirst = flip ? dy : 0;
      if (started) step((xs + s * tFirst + 0.5) | 0, tFirst + ys, pu, pv, h, w);
      const uStart = (xs + 0.5) | 0;
      const uEnd = (xs + s * dy + 0.5) | 0;
      let U = Math.max(Math.min(uStart, uEnd), 2);
      const r = (U - 2) % SCALE;
      if (r !== 0) U += SCALE - r;
      const uLast = Math.min(Math.max(uStart, uEnd) - 1, xdLast);
      for (; U <= uLast; U += SCALE) {
        // g: the first t on the far side of the boundary between columns U and U+1.
        let g: number;
        if (s > 0) {
          g = Math.min(Math.max(Math.ceil((U + 0.5 - xs) / s), 1), dy);
          while (g > 1 && ((xs + s * (g - 1) + 0.5) | 0) > U) g--;
          while (((xs + s * g + 0.5) | 0) <= U) g++;
        } else {
          g = Math.min(Math.max(Math.floor((U + 0.5 - xs) / s) + 1, 1), dy);
          while (g > 1 && ((xs + s * (g - 1) + 0.5) | 0) <= U) g--;
          while (((xs + s * g + 0.5) | 0) > U) g++;
        }
        addToggle((U - 2) / SCALE, rowBelow(ys + g - 1, h));
      }
      const tLast = flip ? 0 : dy;
      pu = (xs + s * tLast + 0.5) | 0;
      pv = tLast + ys;
    }
    started = true;
  }
  return { h, w, counts: runsFromToggles(h, w) };
}

/** rleFrBbox: the box [x, y, width, height] as the polygon pycocotools builds from it. */
export function rleFromBbox(bbox: ArrayLike<number>, h: number, w: number): Rle {
  if (bbox.length !== 4) throw new RangeError(`rleFromBbox: expected [x, y, w, h], got ${bbox.length} numbers`);
  const xs = bbox[0];
  const xe = xs + bbox[2];
  const ys = bbox[1];
  const ye = ys + bbox[3];
  return rleFromPolygon([xs, ys, xs, ye, xe, ye, xe, ys], h, w);
}

/** C: `(int)(scale*xy+.5)`, truncating toward zero (so -0.15 scales to 0, -0.3 to -1). */
function scaledCoordinate(value: number, index: number): number {
  const scaled = SCALE * value + 0.5;
  if (!(Math.abs(scaled) < COORD_LIMIT)) {
    throw new RangeError(`rleFromPolygon: coordinate ${index} is ${value}, outside the range the C code handles`);
  }
  return scaled | 0;
}

/** The C scan for one pair of consecutive walk points, (pu, pv) then (u, v). */
function step(u: number, v: number, pu: number, pv: number, h: number, w: number): void {
  if (u === pu) return;
  let xd = u < pu ? u : u - 1;
  xd = (xd + 0.5) / SCALE - 0.5;
  if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) return;
  addToggle(xd, rowBelow(v < pv ? v : pv, h));
}

function addToggle(x: number, y: number): void {
  toggleX.push(x);
  toggleY.push(y);
  columnStart.data[x - firstColumn + 1]++;
}

/**
 * C: `yd=(v+.5)/scale-.5`, clamped to [0, h], then ceil: the first pixel row whose centre
 * is at or below upsampled y = v. For an integer v that is ceil((v-2)/5): the double
 * expression is exact when it is a whole number and at least 0.2 from one otherwise.
 */
function rowBelow(v: number, h: number): number {
  if (v <= 2) return 0;
  const y = ((v + 2) / SCALE) | 0;
  return y > h ? h : y;
}

/**
 * The toggles (and a final one at h*w) sorted by position x*h+y, as run lengths: the
 * differences of consecutive positions, except that where two toggles share a position
 * (a zero difference) they cancel, and the C code adds the next difference to the
 * previous run instead. Positions never exceed h*w, so the C uint arithmetic cannot wrap.
 */
function runsFromToggles(h: number, w: number): Uint32Array {
  const n = toggleX.length;
  const tx = toggleX.data;
  const ty = toggleY.data;
  // Counting sort by column (counted in addToggle), then insertion sort of the few rows
  // within each column.
  const x0 = firstColumn;
  const columns = columnCount;
  const start = columnStart.data;
  for (let c = 0; c < columns; c++) start[c + 1] += start[c];
  sortedY.reserve(n);
  const ys = sortedY.data;
  for (let i = 0; i < n; i++) ys[start[tx[i] - x0]++] = ty[i];

  runs.clear();
  runs.reserve(n + 1);
  const b = runs.data;
  let m = 0;
  let p = 0;
  let fold = false;
  let lo = 0;
  // One pass per column, then a last one for the closing position h*w.
  for (let c = 0; c <= columns; c++) {
    const last = c === columns;
    const hi = last ? n + 1 : start[c]; // the scatter left start[c] at the end of column c
    if (!last) {
      for (let i = lo + 1; i < hi; i++) {
        const y = ys[i];
        let j = i - 1;
        while (j >= lo && ys[j] > y) { ys[j + 1] = ys[j]; j--; }
        ys[j + 1] = y;
      }
    }
    const base = (c + x0) * h;
    for (let i = lo; i < hi; i++) {
      const t = last ? h * w : base + ys[i];
      const d = t - p;
      p = t;
      if (m === 0) b[m++] = d;
      else if (fold) { b[m - 1] += d; fold = false; }
      else if (d > 0) b[m++] = d;
      else fold = true;
    }
    lo = hi;
  }
  runs.length = m;
  return runs.copy();
}
