/**
 * Polygons in pixel coordinates of a raster window: x = column, y = row, both growing from
 * the window's top-left corner; pixel (c, r) is the square [c, c+1] x [r, r+1] and its
 * centre is (c + 0.5, r + 0.5). Rings are flat [x0, y0, x1, y1, ...] arrays, closed or not
 * (the last point joining the first is implied). This is what the kernels take: plain typed
 * arrays that move to a worker thread without copying.
 */

/** One polygon: the shell first, then its holes. */
export type PixelPolygon = Float64Array[];

/** A parcel's geometry: one or more polygons (a multipolygon's parts do not overlap). */
export type PixelMultiPolygon = PixelPolygon[];

/** A window of a raster: what coverage is computed on. */
export interface PixelWindow {
  width: number;
  height: number;
}

/** Pixels a polygon covers: indices (row * width + column) into the window, with weights in (0, 1]. */
export interface Coverage {
  indices: Int32Array;
  weights: Float64Array;
}

/** Number of points of a ring, without a repeated closing point. */
export function ringLength(ring: Float64Array): number {
  const n = ring.length >> 1;
  if (n > 1 && ring[0] === ring[2 * n - 2] && ring[1] === ring[2 * n - 1]) return n - 1;
  return n;
}

/** Twice the signed area of a ring (shoelace). */
export function ringDoubleArea(ring: Float64Array): number {
  const n = ringLength(ring);
  let sum = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    sum += ring[2 * j]! * ring[2 * i + 1]! - ring[2 * i]! * ring[2 * j + 1]!;
  }
  return sum;
}

/** Bounding box of every ring: [minX, minY, maxX, maxY]; empty geometry gives Infinity / -Infinity. */
export function bounds(geometry: PixelMultiPolygon): [number, number, number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const polygon of geometry) {
    for (const ring of polygon) {
      for (let i = 0; i + 1 < ring.length; i += 2) {
        const x = ring[i]!, y = ring[i + 1]!;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return [minX, minY, maxX, maxY];
}
