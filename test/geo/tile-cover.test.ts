// The tile covers and the projection against GDAL's answers kept in a file
// (gdal-reference-fixture.ts; tile-cover-reference.test.ts keeps the file true to GDAL).
// No GDAL here, so the mutation tests can run this file.
import { describe, expect, it } from 'vitest';
import { loadGeography } from '../../src/geo/geography.js';
import { tileCover } from '../../src/geo/tile-cover.js';
import { projectPoint, unprojectPoint } from '../../src/geo/transverse-mercator.js';
import { readGdalReference } from './gdal-reference-fixture.js';

const reference = readGdalReference();
/** Boundaries that cross themselves, where GDAL's MakeValid and the winding count differ by their lobes. */
const CROSSING = new Set(['06001', '22067', '51093', '51620']);

describe('the projection, against PROJ', () => {
  it('projects every reference point within 0.02 µm of PROJ and back within 2e-13° (V8\'s Math is the same on every machine)', () => {
    expect(reference.points.length).toBeGreaterThan(300);
    for (const [epsg, lon, lat, x, y] of reference.points) {
      const [px, py] = projectPoint(epsg, lon, lat);
      expect(Math.hypot(px - x, py - y), `${epsg} ${lon} ${lat}`).toBeLessThan(2e-8);
      const [lon2, lat2] = unprojectPoint(epsg, x, y);
      expect(Math.abs(((lon2 - lon + 540) % 360) - 180), `${epsg} ${lon} ${lat}`).toBeLessThan(2e-13);
      expect(Math.abs(lat2 - lat), `${epsg} ${lon} ${lat}`).toBeLessThan(2e-13);
    }
  });

  it('writes longitudes in [-180, 180) east and west of the antimeridian', () => {
    expect(unprojectPoint(32660, 900_000, 6_000_000)[0]).toBeCloseTo(-176.8952, 4);
    expect(unprojectPoint(32601, 100_000, 6_000_000)[0]).toBeCloseTo(176.8952, 4);
    expect(unprojectPoint(32601, 500_000, 0)).toEqual([-177, 0]);
  });
});

describe('county covers, against GDAL', () => {
  it('names the tiles GDAL names, with its overlap areas, for every county of AK, CA, HI, IL, LA and VA', async () => {
    const geo = await loadGeography();
    const fipsList = Object.keys(reference.covers);
    expect(fipsList.length).toBeGreaterThan(350);
    for (const fips of fipsList) {
      const expected = reference.covers[fips]!;
      const cover = tileCover(geo.countyGeometry(fips));
      if (expected.areaKm2 === 0) {
        // Falls Church: no area; the tiles holding its outline (overlap 0).
        expect(fips).toBe('51610');
        expect(cover.tiles.map((t) => [t.tileId, t.overlapKm2])).toEqual([['18SUJ', 0]]);
        continue;
      }
      expect(cover.tiles.map((t) => t.tileId), fips).toEqual(Object.keys(expected.tiles));
      const tolerance = CROSSING.has(fips) ? 1e-3 : 1e-7;
      expect(Math.abs(cover.areaKm2 - expected.areaKm2) / expected.areaKm2, fips).toBeLessThan(tolerance);
      for (const t of cover.tiles) {
        const km2 = expected.tiles[t.tileId]!;
        expect(Math.abs(t.overlapKm2 - km2) / (CROSSING.has(fips) ? expected.areaKm2 : km2), `${fips} ${t.tileId}`).toBeLessThan(tolerance);
        const f = geo.tileFootprint(t.tileId);
        expect(t.footprint, `${fips} ${t.tileId}`).toEqual(f);
      }
    }
  });
});
