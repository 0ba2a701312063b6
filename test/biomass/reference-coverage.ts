/**
 * Brute-force references for the coverage kernels, written independently of them: a
 * per-pixel centre test (ray casting plus an exact on-boundary test) and exact polygon ∩
 * cell areas by clipping every ring to every cell (Sutherland-Hodgman against the square).
 * Slow on purpose (pixels x vertices); for tests only.
 */
import type { PixelMultiPolygon, PixelWindow } from '../../src/biomass/pixel-polygon.js';

function points(ring: Float64Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < ring.length; i += 2) out.push([ring[i]!, ring[i + 1]!]);
  const first = out[0], last = out.at(-1);
  if (out.length > 1 && first && last && first[0] === last[0] && first[1] === last[1]) out.pop();
  return out;
}

function onBoundary(px: number, py: number, pts: Array<[number, number]>): boolean {
  for (let i = 0; i < pts.length; i++) {
    const [x1, y1] = pts[i]!;
    const [x2, y2] = pts[(i + 1) % pts.length]!;
    const inBox = px >= Math.min(x1, x2) && px <= Math.max(x1, x2) && py >= Math.min(y1, y2) && py <= Math.max(y1, y2);
    if (inBox && (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1) === 0) return true;
  }
  return false;
}

function crossesRight(px: number, py: number, pts: Array<[number, number]>): number {
  let n = 0;
  for (let i = 0; i < pts.length; i++) {
    const [x1, y1] = pts[i]!;
    const [x2, y2] = pts[(i + 1) % pts.length]!;
    if ((y1 > py) !== (y2 > py) && px < x1 + ((py - y1) * (x2 - x1)) / (y2 - y1)) n++;
  }
  return n;
}

/** Weight 1 per pixel whose centre is strictly inside, by pixel index. */
export function referenceCentre(geometry: PixelMultiPolygon, window: PixelWindow): Map<number, number> {
  const rings = geometry.flat().map(points);
  const out = new Map<number, number>();
  for (let r = 0; r < window.height; r++) {
    for (let c = 0; c < window.width; c++) {
      const x = c + 0.5, y = r + 0.5;
      if (rings.some((pts) => onBoundary(x, y, pts))) continue;
      const crossings = rings.reduce((n, pts) => n + crossesRight(x, y, pts), 0);
      if (crossings % 2 === 1) out.set(r * window.width + c, 1);
    }
  }
  return out;
}

function clip(pts: Array<[number, number]>, inside: (p: [number, number]) => boolean, cut: (a: [number, number], b: [number, number]) => [number, number]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[(i + pts.length - 1) % pts.length]!;
    const b = pts[i]!;
    if (inside(b)) {
      if (!inside(a)) out.push(cut(a, b));
      out.push(b);
    } else if (inside(a)) {
      out.push(cut(a, b));
    }
  }
  return out;
}

function areaOf(pts: Array<[number, number]>): number {
  let s = 0;
  for (let i = 0; i < pts.length; i++) {
    const [x1, y1] = pts[i]!;
    const [x2, y2] = pts[(i + 1) % pts.length]!;
    s += x1 * y2 - x2 * y1;
  }
  return Math.abs(s) / 2;
}

/** Area of the ring inside the cell [c, c+1] x [r, r+1]. */
function ringCellArea(pts: Array<[number, number]>, c: number, r: number): number {
  const atX = (x: number) => (a: [number, number], b: [number, number]): [number, number] => [x, a[1] + ((x - a[0]) * (b[1] - a[1])) / (b[0] - a[0])];
  const atY = (y: number) => (a: [number, number], b: [number, number]): [number, number] => [a[0] + ((y - a[1]) * (b[0] - a[0])) / (b[1] - a[1]), y];
  let p = clip(pts, (q) => q[0] >= c, atX(c));
  p = clip(p, (q) => q[0] <= c + 1, atX(c + 1));
  p = clip(p, (q) => q[1] >= r, atY(r));
  p = clip(p, (q) => q[1] <= r + 1, atY(r + 1));
  return p.length >= 3 ? areaOf(p) : 0;
}

/** Exact covered fraction of every pixel, by pixel index (pixels of area 1). */
export function referenceFractional(geometry: PixelMultiPolygon, window: PixelWindow): Map<number, number> {
  const out = new Map<number, number>();
  for (let r = 0; r < window.height; r++) {
    for (let c = 0; c < window.width; c++) {
      let area = 0;
      for (const polygon of geometry) {
        polygon.forEach((ring, k) => {
          const a = ringCellArea(points(ring), c, r);
          area += k === 0 ? a : -a;
        });
      }
      if (area > 1e-13) out.set(r * window.width + c, area);
    }
  }
  return out;
}
