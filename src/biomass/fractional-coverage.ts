/**
 * Coverage rule `fractional`: weight = area(polygon ∩ pixel) / area(pixel), exact in double
 * precision (the rule of exactextract). As exactextract does, only the cells a ring passes
 * through are computed; the rest are settled by a fill. Here the fill is a prefix sum: each
 * piece of an edge inside one cell adds the signed area between it and the cell's right side
 * to that cell, and the rest of its height to the next cell, so a running sum along the row
 * carries "inside" to every cell right of the edge. Shells add, holes subtract (whatever
 * their orientation in the input), which is exact for valid polygons. The cost grows with
 * the perimeter in cells plus the bounding box, with no polygon clipping per cell.
 */
import { bounds, ringDoubleArea, ringLength, type Coverage, type PixelMultiPolygon, type PixelWindow } from './pixel-polygon.js';

/** Sums below this are rounding residue of cells outside the polygon. */
const RESIDUE = 1e-13;

export function fractionalCoverage(geometry: PixelMultiPolygon, window: PixelWindow): Coverage {
  const [minX, minY, maxX, maxY] = bounds(geometry);
  const gx0 = Math.max(0, Math.floor(minX));
  const gx1 = Math.min(window.width, Math.floor(maxX) + 1);
  const gy0 = Math.max(0, Math.floor(minY));
  const gy1 = Math.min(window.height, Math.floor(maxY) + 1);
  if (!(gx0 < gx1 && gy0 < gy1)) return { indices: new Int32Array(0), weights: new Float64Array(0) };
  const grid: Grid = { gx0, gx1, gy0, gy1, stride: gx1 - gx0 + 1, acc: new Float64Array((gy1 - gy0) * (gx1 - gx0 + 1)) };
  for (const polygon of geometry) {
    polygon.forEach((ring, k) => {
      const doubleArea = ringDoubleArea(ring);
      if (doubleArea === 0) return;
      // A positive shoelace area accumulates as negative coverage (y grows downwards).
      const sign = (doubleArea > 0 ? -1 : 1) * (k === 0 ? 1 : -1);
      const n = ringLength(ring);
      for (let i = 0, j = n - 1; i < n; j = i++) {
        addEdge(grid, ring[2 * j]!, ring[2 * j + 1]!, ring[2 * i]!, ring[2 * i + 1]!, sign);
      }
    });
  }
  const indices: number[] = [];
  const weights: number[] = [];
  for (let row = gy0; row < gy1; row++) {
    let sum = 0;
    const base = (row - gy0) * grid.stride;
    for (let c = gx0; c < gx1; c++) {
      sum += grid.acc[base + c - gx0]!;
      if (sum > RESIDUE) {
        indices.push(row * window.width + c);
        weights.push(sum > 1 ? 1 : sum);
      }
    }
  }
  return { indices: Int32Array.from(indices), weights: Float64Array.from(weights) };
}

interface Grid {
  gx0: number; gx1: number; gy0: number; gy1: number;
  stride: number;
  acc: Float64Array;
}

/** Splits an edge at every pixel row and column line it crosses and accumulates each piece. */
function addEdge(grid: Grid, xa: number, ya: number, xb: number, yb: number, sign: number): void {
  if (ya === yb) return; // a horizontal edge encloses no height
  if (Math.max(ya, yb) <= grid.gy0 || Math.min(ya, yb) >= grid.gy1) return;
  const dx = xb - xa, dy = yb - ya;
  // Crossings of column lines (x = k) and row lines (y = k) in order along the edge, each
  // with the crossed coordinate exact, merged by their parameter t.
  const xs = lineCrossings(xa, xb, grid.gx0, grid.gx1);
  const ys = lineCrossings(ya, yb, grid.gy0, grid.gy1);
  let px = xa, py = ya;
  let i = 0, j = 0;
  while (i < xs.length || j < ys.length) {
    const tx = i < xs.length ? (xs[i]! - xa) / dx : Infinity;
    const ty = j < ys.length ? (ys[j]! - ya) / dy : Infinity;
    let qx: number, qy: number;
    if (tx < ty) {
      qx = xs[i++]!; qy = ya + tx * dy;
    } else if (ty < tx) {
      qy = ys[j++]!; qx = xa + ty * dx;
    } else {
      qx = xs[i++]!; qy = ys[j++]!; // through a cell corner
    }
    addPiece(grid, px, py, qx, qy, sign);
    px = qx; py = qy;
  }
  addPiece(grid, px, py, xb, yb, sign);
}

/** Integers strictly between a and b, clipped to [lo, hi], in the order from a to b. */
function lineCrossings(a: number, b: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  if (a < b) {
    for (let k = Math.max(lo, Math.floor(a) + 1); k < b && k <= hi; k++) out.push(k);
  } else if (b < a) {
    for (let k = Math.min(hi, Math.ceil(a) - 1); k > b && k >= lo; k--) out.push(k);
  }
  return out;
}

/** A piece of an edge lying within one pixel row and one column (or left/right of the grid). */
function addPiece(grid: Grid, x0: number, y0: number, x1: number, y1: number, sign: number): void {
  const h = (y1 - y0) * sign;
  if (h === 0) return;
  const row = Math.floor((y0 + y1) / 2);
  if (row < grid.gy0 || row >= grid.gy1) return;
  const xm = (x0 + x1) / 2;
  const c = Math.floor(xm);
  if (c >= grid.gx1) return; // right of the window: covers nothing in it
  const base = (row - grid.gy0) * grid.stride;
  if (c < grid.gx0) {
    grid.acc[base] = grid.acc[base]! + h; // left of the window: every cell of the row is right of it
    return;
  }
  const k = base + c - grid.gx0;
  // The piece's trapezoid to the cell's right side, then the full height for cells further right.
  grid.acc[k] = grid.acc[k]! + h * (c + 1 - xm);
  grid.acc[k + 1] = grid.acc[k + 1]! + h * (xm - c);
}
