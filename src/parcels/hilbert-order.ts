/**
 * Spatial order along a Hilbert curve: consecutive parcels are near each other, so
 * consecutive batches touch the same COG blocks (and a block shared by two batches is
 * decoded once while it is still in the cache).
 */

/** Position along a Hilbert curve of side 2^16 of cell (x, y), both integers in [0, 65535]. */
export function hilbertIndex(x: number, y: number): number {
  const n = 1 << 16;
  let d = 0;
  for (let s = n >> 1; s > 0; s >>= 1) {
    const rx = (x & s) > 0 ? 1 : 0;
    const ry = (y & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    // Rotate the quadrant so the curve stays continuous.
    if (ry === 0) {
      if (rx === 1) {
        x = s - 1 - x;
        y = s - 1 - y;
      }
      const t = x;
      x = y;
      y = t;
    }
  }
  return d;
}

/** Items sorted by the Hilbert index of their box centres over the items' extent (stable). */
export function hilbertSort<T extends { bbox: readonly [number, number, number, number] }>(items: readonly T[]): T[] {
  if (items.length < 2) return [...items];
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const { bbox } of items) {
    minX = Math.min(minX, bbox[0]); minY = Math.min(minY, bbox[1]);
    maxX = Math.max(maxX, bbox[2]); maxY = Math.max(maxY, bbox[3]);
  }
  const sx = maxX > minX ? 65_535 / (maxX - minX) : 0;
  const sy = maxY > minY ? 65_535 / (maxY - minY) : 0;
  const keyed = items.map((item, i) => {
    const cx = (item.bbox[0] + item.bbox[2]) / 2, cy = (item.bbox[1] + item.bbox[3]) / 2;
    return { item, i, h: hilbertIndex(Math.floor((cx - minX) * sx), Math.floor((cy - minY) * sy)) };
  });
  keyed.sort((a, b) => a.h - b.h || a.i - b.i);
  return keyed.map((k) => k.item);
}

/** Consecutive runs of `size` (the last may be shorter). */
export function cutBatches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
