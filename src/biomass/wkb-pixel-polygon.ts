/**
 * Reads polygons from WKB (what GDAL exports) straight into pixel coordinates of a raster
 * window, so workers get compact bytes and the main thread does no per-vertex work beyond
 * GDAL's reprojection. Polygon, MultiPolygon and GeometryCollection (what MakeValid may
 * return) are read, with Z/M variants (extra ordinates skipped); other parts are ignored.
 */
import type { PixelMultiPolygon } from './pixel-polygon.js';

/** world (x, y) -> pixel: col = (x - originX) / sizeX, row = (y - originY) / sizeY (sizeY < 0 for north-up). */
export interface PixelGrid {
  originX: number;
  originY: number;
  sizeX: number;
  sizeY: number;
}

/** The grid of a GDAL geotransform (north-up, no rotation), shifted to a window at (col0, row0). */
export function gridOf(geoTransform: readonly number[], col0 = 0, row0 = 0): PixelGrid {
  const [x0, dx, , y0, , dy] = geoTransform as [number, number, number, number, number, number];
  return { originX: x0 + col0 * dx, originY: y0 + row0 * dy, sizeX: dx, sizeY: dy };
}

export function wkbToPixelPolygons(wkb: Uint8Array, grid: PixelGrid): PixelMultiPolygon {
  const view = new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength);
  const out: PixelMultiPolygon = [];
  readGeometry(view, 0, grid, out);
  return out;
}

function readGeometry(view: DataView, offset: number, grid: PixelGrid, out: PixelMultiPolygon): number {
  const little = view.getUint8(offset) === 1;
  let type = view.getUint32(offset + 1, little);
  let pos = offset + 5;
  // EWKB-style flags (0x80000000 Z, 0x40000000 M, 0x20000000 SRID) or ISO 1000/2000/3000.
  let dims = 2;
  if (type & 0x20000000) pos += 4;
  if (type & 0x80000000) dims++;
  if (type & 0x40000000) dims++;
  type &= 0x0fffffff;
  if (type >= 1000) {
    dims = type >= 3000 ? 4 : 3;
    type %= 1000;
  }
  if (type === 3) {
    const rings = view.getUint32(pos, little);
    pos += 4;
    const polygon: Float64Array[] = [];
    for (let r = 0; r < rings; r++) {
      const n = view.getUint32(pos, little);
      pos += 4;
      const ring = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        ring[2 * i] = (view.getFloat64(pos, little) - grid.originX) / grid.sizeX;
        ring[2 * i + 1] = (view.getFloat64(pos + 8, little) - grid.originY) / grid.sizeY;
        pos += 8 * dims;
      }
      if (n >= 3) polygon.push(ring);
      else if (r === 0) return pos; // a degenerate shell: no area
    }
    if (polygon.length > 0) out.push(polygon);
    return pos;
  }
  if (type === 6 || type === 7) {
    const parts = view.getUint32(pos, little);
    pos += 4;
    for (let p = 0; p < parts; p++) pos = readGeometry(view, pos, grid, out);
    return pos;
  }
  if (type === 1) return pos + 8 * dims;
  if (type === 2) return pos + 4 + 8 * dims * view.getUint32(pos, little);
  if (type === 5) {
    const parts = view.getUint32(pos, little);
    pos += 4;
    for (let p = 0; p < parts; p++) pos = readGeometry(view, pos, grid, []);
    return pos;
  }
  if (type === 4) {
    const parts = view.getUint32(pos, little);
    pos += 4;
    for (let p = 0; p < parts; p++) pos = readGeometry(view, pos, grid, []);
    return pos;
  }
  throw new Error(`WKB geometry type ${type} is not supported`);
}

/** Several WKB geometries in one buffer (one transfer to a worker): bytes and end offsets. */
export interface PackedWkb {
  bytes: Uint8Array;
  ends: Uint32Array;
}

export function packWkb(geometries: readonly Uint8Array[]): PackedWkb {
  const total = geometries.reduce((n, g) => n + g.byteLength, 0);
  const bytes = new Uint8Array(total);
  const ends = new Uint32Array(geometries.length);
  let at = 0;
  geometries.forEach((g, i) => {
    bytes.set(g, at);
    at += g.byteLength;
    ends[i] = at;
  });
  return { bytes, ends };
}

export function unpackWkb(packed: PackedWkb, index: number): Uint8Array {
  const start = index === 0 ? 0 : packed.ends[index - 1]!;
  return packed.bytes.subarray(start, packed.ends[index]!);
}
