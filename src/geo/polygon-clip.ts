/**
 * Areas of polygons and of their parts inside an axis-aligned box, in plain arithmetic.
 * Each ring is clipped against the box by Sutherland-Hodgman. For a convex clip region the
 * clipped ring may come out with zero-width spurs along the box's edges where the ring left
 * and re-entered it, but its signed (shoelace) area is exactly the area of ring ∩ box, which
 * is all the tile cover needs. A polygon's area is its shell's less its holes'; rings may be
 * wound either way and may touch themselves (Census boundaries do).
 */
import type { Position } from 'geojson';

/** An axis-aligned box: [minX, minY, maxX, maxY]. */
export type Box = readonly [number, number, number, number];

/** The shoelace area of a ring, positive when anticlockwise; the ring may be closed (first = last) or not. */
export function signedRingArea(ring: readonly Position[]): number {
  let sum = 0;
  const n = ring.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    sum += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!);
  }
  return sum / 2;
}

/** Area of a polygon given as rings (shell first, then holes). */
export function polygonArea(rings: readonly (readonly Position[])[]): number {
  let area = 0;
  rings.forEach((ring, i) => {
    const a = Math.abs(signedRingArea(ring));
    area += i === 0 ? a : -a;
  });
  return Math.max(0, area);
}

/** The ring clipped to the box (Sutherland-Hodgman, one box edge at a time); open, maybe empty. */
export function clipRing(ring: readonly Position[], box: Box): Position[] {
  const [minX, minY, maxX, maxY] = box;
  let points: Position[] = closedDropped(ring);
  points = clipEdge(points, (p) => p[0]! >= minX, (a, b) => atX(a, b, minX));
  points = clipEdge(points, (p) => p[0]! <= maxX, (a, b) => atX(a, b, maxX));
  points = clipEdge(points, (p) => p[1]! >= minY, (a, b) => atY(a, b, minY));
  points = clipEdge(points, (p) => p[1]! <= maxY, (a, b) => atY(a, b, maxY));
  return points;
}

/**
 * Splits every edge of a ring that runs along the vertical line x = `x` at each other vertex
 * of the ring on that line. A clipped ring's zero-width spurs along a box edge then consist
 * of the same short pieces traversed both ways, so they still cancel after the ring is
 * mapped by a non-linear function, such as projecting a lon/lat strip to UTM, where the
 * meridian becomes a curve and one long chord no longer lies on the two shorter ones.
 */
export function splitAlongVertical(ring: readonly Position[], x: number): Position[] {
  const onLine = [...new Set(ring.filter((p) => p[0] === x).map((p) => p[1]!))].sort((a, b) => a - b);
  if (onLine.length < 3) return ring.slice() as Position[];
  const out: Position[] = [];
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const from = ring[i]!;
    const to = ring[(i + 1) % n]!;
    out.push(from);
    if (from[0] !== x || to[0] !== x) continue;
    const [low, high] = from[1]! < to[1]! ? [from[1]!, to[1]!] : [to[1]!, from[1]!];
    const between = onLine.filter((y) => y > low && y < high);
    if (from[1]! > to[1]!) between.reverse();
    for (const y of between) out.push([x, y]);
  }
  return out;
}

/** Area of a polygon (rings: shell, then holes) inside the box. */
export function clippedPolygonArea(rings: readonly (readonly Position[])[], box: Box): number {
  return polygonArea(rings.map((ring) => clipRing(ring, box)));
}

/** The polygon's rings clipped to the box; a ring wholly outside comes back empty. */
export function clipPolygon(rings: readonly (readonly Position[])[], box: Box): Position[][] {
  return rings.map((ring) => clipRing(ring, box));
}

function closedDropped(ring: readonly Position[]): Position[] {
  const n = ring.length;
  if (n > 1 && ring[0]![0] === ring[n - 1]![0] && ring[0]![1] === ring[n - 1]![1]) return ring.slice(0, n - 1) as Position[];
  return ring.slice() as Position[];
}

function clipEdge(points: Position[], inside: (p: Position) => boolean, cross: (a: Position, b: Position) => Position): Position[] {
  const out: Position[] = [];
  const n = points.length;
  for (let i = 0; i < n; i++) {
    const current = points[i]!;
    const previous = points[(i + n - 1) % n]!;
    const currentIn = inside(current);
    if (currentIn) {
      if (!inside(previous)) out.push(cross(previous, current));
      out.push(current);
    } else if (inside(previous)) {
      out.push(cross(previous, current));
    }
  }
  return out;
}

function atX(a: Position, b: Position, x: number): Position {
  const t = (x - a[0]!) / (b[0]! - a[0]!);
  return [x, a[1]! + t * (b[1]! - a[1]!)];
}

function atY(a: Position, b: Position, y: number): Position {
  const t = (y - a[1]!) / (b[1]! - a[1]!);
  return [a[0]! + t * (b[0]! - a[0]!), y];
}
