/**
 * Coverage rule `centre`: a pixel belongs to a polygon when its centre lies strictly inside
 * it. A centre exactly on an edge or a vertex, of the shell or of a hole, does not count
 * (docs/zonal.md). Scanline fill: for each pixel row, the ring edges are intersected with
 * the row's centre line, the crossings sorted, and the pixels between pairs filled; centres
 * that lie exactly on an edge are then taken out with an exact orientation test. The cost
 * grows with rows x edges plus the pixels filled, not with pixels x vertices.
 */
import { bounds, ringLength, type Coverage, type PixelMultiPolygon, type PixelWindow } from './pixel-polygon.js';

export function centreCoverage(geometry: PixelMultiPolygon, window: PixelWindow): Coverage {
  const [minX, minY, maxX, maxY] = bounds(geometry);
  const indices: number[] = [];
  if (!(minX <= maxX)) return { indices: new Int32Array(0), weights: new Float64Array(0) };
  const firstRow = Math.max(0, Math.floor(minY - 0.5));
  const lastRow = Math.min(window.height - 1, Math.ceil(maxY - 0.5));
  const colLimit = Math.min(window.width - 1, Math.ceil(maxX));
  const crossings: number[] = [];
  const onEdge = new Set<number>();
  for (let row = firstRow; row <= lastRow; row++) {
    const y = row + 0.5;
    crossings.length = 0;
    onEdge.clear();
    for (const polygon of geometry) {
      for (const ring of polygon) {
        const n = ringLength(ring);
        for (let i = 0, j = n - 1; i < n; j = i++) {
          const x1 = ring[2 * j]!, y1 = ring[2 * j + 1]!, x2 = ring[2 * i]!, y2 = ring[2 * i + 1]!;
          // Half-open rule (y1 > y) != (y2 > y): a vertex on the line is counted once, a
          // horizontal edge never, so the parity of crossings is right on every row.
          if ((y1 > y) !== (y2 > y)) crossings.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
          if (y < Math.min(y1, y2) || y > Math.max(y1, y2)) continue;
          if (y1 === y2) {
            // A horizontal edge on the centre line: every centre along it is on the boundary.
            for (let c = Math.max(0, Math.ceil(Math.min(x1, x2) - 0.5)); c <= Math.min(colLimit, Math.floor(Math.max(x1, x2) - 0.5)); c++) onEdge.add(c);
          } else {
            const x = x1 + ((y - y1) * (x2 - x1)) / (y2 - y1);
            const c = Math.round(x - 0.5);
            if (c >= 0 && c <= colLimit && isOnSegment(c + 0.5, y, x1, y1, x2, y2)) onEdge.add(c);
          }
        }
      }
    }
    crossings.sort((a, b) => a - b);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const a = crossings[k]!, b = crossings[k + 1]!;
      // Centres strictly between the crossings: a < c + 0.5 < b.
      const from = Math.max(0, Math.floor(a - 0.5) + 1);
      const to = Math.min(window.width - 1, Math.ceil(b - 0.5) - 1);
      for (let c = from; c <= to; c++) if (!onEdge.has(c)) indices.push(row * window.width + c);
    }
  }
  const weights = new Float64Array(indices.length).fill(1);
  return { indices: Int32Array.from(indices), weights };
}

/** Whether point (px, py) lies on the segment: zero cross product, inside the segment's box. */
export function isOnSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): boolean {
  if (px < Math.min(x1, x2) || px > Math.max(x1, x2) || py < Math.min(y1, y2) || py > Math.max(y1, y2)) return false;
  return (x2 - x1) * (py - y1) === (y2 - y1) * (px - x1);
}
