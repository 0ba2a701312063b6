import { describe, expect, it } from 'vitest';
import { centreCoverage } from '../../src/biomass/centre-coverage.js';
import { fractionalCoverage } from '../../src/biomass/fractional-coverage.js';
import type { Coverage, PixelMultiPolygon, PixelWindow } from '../../src/biomass/pixel-polygon.js';
import { zonalStatistics } from '../../src/biomass/zonal-statistics.js';
import { referenceCentre, referenceFractional } from './reference-coverage.js';

const ring = (...xy: number[]) => Float64Array.from(xy);
const square = (x0: number, y0: number, x1: number, y1: number) => ring(x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);

/** A deterministic pseudo-random value per pixel, with some no-data. */
function values(window: PixelWindow): Float64Array {
  const v = new Float64Array(window.width * window.height);
  for (let i = 0; i < v.length; i++) v[i] = i % 97 === 0 ? -9999 : Math.sin(i * 12.9898) * 437.5453 + (i % 13);
  return v;
}

function asMap(c: Coverage): Map<number, number> {
  const m = new Map<number, number>();
  c.indices.forEach((index, k) => m.set(index, c.weights[k]!));
  return m;
}

function expectSameWeights(actual: Coverage, expected: Map<number, number>, tolerance: number): void {
  const got = asMap(actual);
  expect([...got.keys()].sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b));
  for (const [index, weight] of expected) expect(Math.abs(got.get(index)! - weight)).toBeLessThanOrEqual(tolerance);
}

function expectSameMean(actual: Coverage, expected: Map<number, number>, window: PixelWindow): void {
  const v = values(window);
  const reference: Coverage = { indices: Int32Array.from(expected.keys()), weights: Float64Array.from(expected.values()) };
  const a = zonalStatistics(actual, v, -9999);
  const b = zonalStatistics(reference, v, -9999);
  expect(a.count).toBeGreaterThan(0);
  expect(Math.abs(a.mean - b.mean)).toBeLessThanOrEqual(1e-9 * Math.abs(b.mean));
  expect(Math.abs(a.count - b.count)).toBeLessThanOrEqual(1e-9 * b.count);
}

const window: PixelWindow = { width: 40, height: 30 };

const cases: Record<string, PixelMultiPolygon> = {
  'a jittered quadrilateral': [[ring(3.2, 4.7, 21.9, 2.1, 25.3, 19.6, 5.05, 22.4)]],
  'a polygon with two holes': [[square(2.3, 2.7, 30.6, 26.1), square(5.1, 6.4, 11.8, 12.2), ring(15.5, 15.2, 24.4, 14.1, 20.3, 22.9)]],
  'a multipolygon of three parts': [
    [ring(1.1, 1.3, 9.7, 1.9, 8.2, 8.8)],
    [square(12.25, 3.5, 19.75, 11.5), square(14.1, 5.2, 17.3, 9.9)],
    [ring(22.4, 16.6, 38.9, 18.2, 35.1, 28.7, 28.3, 21.4, 21.2, 27.9)],
  ],
  'a sliver one hundredth of a pixel wide': [[ring(2.3, 3.1, 35.7, 24.6, 35.71, 24.58)]],
  'a concave comb': [[ring(2.2, 2.2, 30.8, 2.2, 30.8, 8.6, 24.1, 8.6, 24.1, 20.4, 18.3, 20.4, 18.3, 8.6, 10.2, 8.6, 10.2, 25.9, 2.2, 25.9)]],
  'a polygon across the left, top and right edges of the window': [[ring(-7.3, -4.6, 48.2, 3.3, 30.1, 18.7, -3.8, 12.2)]],
  'a polygon reaching past the bottom edge': [[ring(10.4, 20.5, 18.8, 41.2, 3.3, 33.3)]],
  'clockwise shell with a counter-clockwise hole': [[ring(4.4, 4.4, 4.4, 25.6, 33.6, 25.6, 33.6, 4.4), ring(10.1, 10.1, 20.2, 10.1, 20.2, 20.2, 10.1, 20.2)]],
};

describe('centre coverage against a per-pixel reference', () => {
  for (const [name, geometry] of Object.entries(cases)) {
    it(name, () => {
      const expected = referenceCentre(geometry, window);
      expectSameWeights(centreCoverage(geometry, window), expected, 0);
      if (expected.size > 0) expectSameMean(centreCoverage(geometry, window), expected, window);
    });
  }

  it('leaves out centres exactly on the edges of a square offset by half a pixel', () => {
    // Edges at 2.5 and 6.5 run through rows and columns of centres: only the 3 x 3 inside count.
    const geometry = [[square(2.5, 2.5, 6.5, 6.5)]];
    const got = centreCoverage(geometry, window);
    expect(got.indices.length).toBe(9);
    expectSameWeights(got, referenceCentre(geometry, window), 0);
  });

  it("leaves out centres on a triangle's diagonal", () => {
    const geometry = [[ring(0, 0, 10, 0, 10, 10)]];
    const got = centreCoverage(geometry, window);
    // Centres with row < column are inside; the 10 on the diagonal (row = column) are not.
    expect(got.indices.length).toBe(45);
    expectSameWeights(got, referenceCentre(geometry, window), 0);
  });

  it("leaves out centres on a hole's edges and vertices", () => {
    const geometry = [[square(0, 0, 10, 10), square(3.5, 3.5, 6.5, 6.5)]];
    const got = asMap(centreCoverage(geometry, window));
    expect(got.has(3 * 40 + 3)).toBe(false); // the hole's vertex (3.5, 3.5)
    expect(got.has(4 * 40 + 3)).toBe(false); // on the hole's left edge
    expect(got.has(4 * 40 + 4)).toBe(false); // inside the hole
    expect(got.has(2 * 40 + 2)).toBe(true);
    expect(got.size).toBe(100 - 16);
  });

  it('gives nothing for a polygon outside the window', () => {
    expect(centreCoverage([[square(50.2, 3.3, 60.1, 9.9)]], window).indices.length).toBe(0);
    expect(centreCoverage([[square(-20.2, -9.3, -1.1, -0.9)]], window).indices.length).toBe(0);
    expect(centreCoverage([], window).indices.length).toBe(0);
  });
});

describe('fractional coverage against exact cell areas by clipping', () => {
  for (const [name, geometry] of Object.entries(cases)) {
    it(name, () => {
      const expected = referenceFractional(geometry, window);
      const got = fractionalCoverage(geometry, window);
      expectSameWeights(got, expected, 1e-12);
      expectSameMean(got, expected, window);
    });
  }

  it('weights a square offset by half a pixel by quarters and halves', () => {
    const got = asMap(fractionalCoverage([[square(2.5, 2.5, 6.5, 6.5)]], window));
    expect(got.get(2 * 40 + 2)).toBeCloseTo(0.25, 15);
    expect(got.get(2 * 40 + 3)).toBeCloseTo(0.5, 15);
    expect(got.get(3 * 40 + 3)).toBeCloseTo(1, 15);
    expect([...got.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(16, 12);
  });

  it("halves the cells on a triangle's diagonal", () => {
    const got = asMap(fractionalCoverage([[ring(0, 0, 10, 0, 10, 10)]], window));
    expect(got.get(5 * 40 + 5)).toBeCloseTo(0.5, 15);
    expect([...got.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(50, 12);
  });

  it('gives nothing for a polygon outside the window', () => {
    expect(fractionalCoverage([[square(50.2, 3.3, 60.1, 9.9)]], window).indices.length).toBe(0);
    expect(fractionalCoverage([[square(-20.2, -9.3, -1.1, -0.9)]], window).indices.length).toBe(0);
  });

  it('sums to the area of the part inside the window', () => {
    // 48 x 40 square centred on the window: the window's 40 x 30 = 1,200 pixels, fully covered.
    const got = fractionalCoverage([[square(-4, -5, 44, 35)]], window);
    expect(got.indices.length).toBe(1200);
    expect(got.weights.every((w) => w === 1)).toBe(true);
  });
});
