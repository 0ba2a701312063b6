// Ring clipping and areas (src/geo/polygon-clip.ts) against areas worked out by hand, and
// against a brute-force count of grid points inside the clipped shape.
import { describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { clipPolygon, clipRing, clippedPolygonArea, polygonArea, signedRingArea, splitAlongVertical, type Box } from '../../src/geo/polygon-clip.js';

const square = (x0: number, y0: number, x1: number, y1: number): Position[] => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

/** Even-odd point in ring, for the brute-force reference. */
function inside(rings: Position[][], x: number, y: number): boolean {
  let odd = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i] as [number, number];
      const [xj, yj] = ring[j] as [number, number];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
    }
  }
  return odd;
}

/** Area of rings ∩ box by counting cell centres on a fine grid. */
function sampledArea(rings: Position[][], box: Box, step: number): number {
  let count = 0;
  for (let x = box[0] + step / 2; x < box[2]; x += step) for (let y = box[1] + step / 2; y < box[3]; y += step) if (inside(rings, x, y)) count++;
  return count * step * step;
}

describe('ring areas', () => {
  it('gives the shoelace area, positive anticlockwise, negative clockwise, open or closed', () => {
    expect(signedRingArea(square(0, 0, 4, 3))).toBe(12);
    expect(signedRingArea([...square(0, 0, 4, 3)].reverse())).toBe(-12);
    expect(signedRingArea(square(0, 0, 4, 3).slice(0, 4))).toBe(12);
    expect(signedRingArea([[0, 0], [2, 0], [0, 2]])).toBe(2);
  });

  it('takes a polygon as its shell less its holes, whichever way each is wound, and never below 0', () => {
    const hole = square(1, 1, 2, 2);
    expect(polygonArea([square(0, 0, 4, 3), hole])).toBe(11);
    expect(polygonArea([[...square(0, 0, 4, 3)].reverse(), hole])).toBe(11);
    expect(polygonArea([square(0, 0, 4, 3), [...hole].reverse()])).toBe(11);
    expect(polygonArea([square(0, 0, 1, 1), square(-5, -5, 5, 5)])).toBe(0);
    expect(polygonArea([])).toBe(0);
  });
});

describe('clipping to a box', () => {
  it('clips an open ring as its closed form', () => {
    const open = square(-2, 2, 3, 5).slice(0, 4);
    expect(clipRing(open, [0, 0, 10, 10])).toEqual(clipRing(square(-2, 2, 3, 5), [0, 0, 10, 10]));
    expect(clippedPolygonArea([open], [0, 0, 10, 10])).toBe(9);
  });

  it('keeps a ring inside the box whole, and gives nothing for a ring outside it', () => {
    expect(polygonArea([clipRing(square(1, 1, 2, 2), [0, 0, 10, 10])])).toBe(1);
    expect(clipRing(square(20, 20, 21, 21), [0, 0, 10, 10])).toEqual([]);
    expect(clipRing(square(-3, 1, -1, 2), [0, 0, 10, 10])).toEqual([]);
  });

  it('cuts a ring crossing each edge of the box to the part inside', () => {
    const box: Box = [0, 0, 10, 10];
    expect(clippedPolygonArea([square(-2, -2, 12, 12)], box)).toBe(100);
    expect(clippedPolygonArea([square(-2, 2, 3, 5)], box)).toBe(9);
    expect(clippedPolygonArea([square(7, 2, 12, 5)], box)).toBe(9);
    expect(clippedPolygonArea([square(2, -2, 5, 3)], box)).toBe(9);
    expect(clippedPolygonArea([square(2, 7, 5, 12)], box)).toBe(9);
    const triangle = [[-5, 0], [5, 10], [15, 0], [-5, 0]];
    expect(clippedPolygonArea([triangle], box)).toBeCloseTo(100 - 12.5 - 12.5 - 0, 12);
  });

  it('gives the exact area of a concave ring that leaves and re-enters the box, and of holes cut by it', () => {
    // A comb: three teeth reaching up out of the box [0, 10] x [0, 5].
    const comb: Position[] = [[0, 0], [9, 0], [9, 8], [7, 8], [7, 2], [5, 2], [5, 8], [3, 8], [3, 2], [1, 2], [1, 8], [0, 8], [0, 0]];
    const box: Box = [0, 0, 10, 5];
    // Base 9 x 2, plus teeth of width 1, 2, 2 (x 0-1, 3-5, 7-9) from y 2 to 5.
    expect(clippedPolygonArea([comb], box)).toBeCloseTo(18 + 3 * (1 + 2 + 2), 12);
    expect(clippedPolygonArea([comb], box)).toBeCloseTo(sampledArea([comb], box, 0.05), 6);
    const withHole = [square(-4, -4, 4, 4), square(-1, -1, 3, 1)];
    expect(clippedPolygonArea(withHole, [0, -10, 10, 10])).toBeCloseTo(32 - 6, 12);
    expect(clipPolygon(withHole, [0, -10, 10, 10])).toHaveLength(2);
  });

  it('agrees with a brute-force count on irregular rings and boxes', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 25; trial++) {
      // A star-shaped ring around (5, 5): concave, with spikes across every edge of the box.
      const ring: Position[] = [];
      for (let k = 0; k < 14; k++) {
        const angle = (2 * Math.PI * k) / 14;
        const r = 1 + 6 * random();
        ring.push([5 + r * Math.cos(angle), 5 + r * Math.sin(angle)]);
      }
      ring.push(ring[0]!);
      const box: Box = [2 + random(), 2 + random(), 7 + random(), 7 + random()];
      expect(Math.abs(clippedPolygonArea([ring], box) - sampledArea([ring], box, 0.01)), `trial ${trial}`).toBeLessThan(0.05);
    }
  });
});

describe('splitting along a zone edge', () => {
  it('splits each edge on the line at every other vertex of the ring on it, in the direction of travel', () => {
    // A clipped ring that runs down x = 0 from y 6 to 0 past vertices at y 2 and 4.
    const ring: Position[] = [[0, 6], [0, 0], [3, 0], [0, 2], [0, 4], [3, 6]];
    expect(splitAlongVertical(ring, 0)).toEqual([[0, 6], [0, 4], [0, 2], [0, 0], [3, 0], [0, 2], [0, 4], [3, 6]]);
    // Upwards too, and nothing to do off the line or with fewer than three points on it.
    expect(splitAlongVertical([[0, 0], [0, 6], [3, 3], [0, 2], [1, 2]], 0)).toEqual([[0, 0], [0, 2], [0, 6], [3, 3], [0, 2], [1, 2]]);
    expect(splitAlongVertical(square(0, 0, 1, 1), 0)).toEqual(square(0, 0, 1, 1));
    expect(splitAlongVertical(ring, 5)).toEqual(ring);
    // An edge that only starts or ends on the line is not along it: nothing inserted.
    const leaving: Position[] = [[0, 0], [0, 1], [3, 6], [0, 4], [2, 0]];
    expect(splitAlongVertical(leaving, 0)).toEqual(leaving);
  });

  it('keeps the area of a clipped concave ring exact after a non-linear map, where the unsplit spurs do not cancel', () => {
    // A comb whose spine lies left of the box [0, 10] x [0, 10] and whose teeth reach into
    // it: clipping joins the teeth with spurs up x = 0 and one long edge back down.
    const comb: Position[] = [[4, 0], [4, 1], [-1, 1], [-1, 4], [4, 4], [4, 5], [-1, 5], [-1, 8], [4, 8], [4, 9], [-3, 9], [-3, 0], [4, 0]];
    const clipped = clipRing(comb, [0, 0, 10, 10]);
    expect(polygonArea([clipped])).toBe(12);
    // Projection bends the zone's edge; here a shear that bends the line x = 0.
    const bend = ([x, y]: Position): Position => [x! + 0.05 * y! * y!, y!];
    const teeth = [square(0, 0, 4, 1), square(0, 4, 4, 5), square(0, 8, 4, 9)];
    const reference = teeth.reduce((sum, tooth) => sum + polygonArea([tooth.map(bend)]), 0);
    expect(polygonArea([splitAlongVertical(clipped, 0).map(bend)])).toBeCloseTo(reference, 12);
    expect(Math.abs(polygonArea([clipped.map(bend)]) - reference)).toBeGreaterThan(0.1);
  });
});
