// The tile covers are computed in plain arithmetic (src/geo/tile-cover.ts: Sutherland-Hodgman
// cuts, Krüger's transverse Mercator). Here every county's cover is computed again through
// GDAL (GEOS intersections, PROJ projections; test/geo/gdal-tile-cover.ts) and the two must
// name the same tiles with the same overlap areas. The projection is checked against PROJ
// point by point.
import { describe, expect, it } from 'vitest';
import gdal from 'gdal-async';
import { loadGeography } from '../../src/geo/geography.js';
import { US_STATES } from '../../src/geo/states.js';
import { projectPoint, unprojectPoint } from '../../src/geo/transverse-mercator.js';
import { gdalTileCover } from './gdal-tile-cover.js';
import { utmForward } from './snyder-utm.js';
import { writeFileSync } from 'node:fs';
import { GDAL_REFERENCE_FILE, readGdalReference, REFERENCE_STATES, referenceLonLats, type GdalReference } from './gdal-reference-fixture.js';

const lonLat = gdal.SpatialReference.fromUserInput('OGC:CRS84');

describe('the transverse Mercator of the tile grid, against PROJ', () => {
  it('projects and unprojects within a millimetre of PROJ, inside a zone, in its 9.8 km overlap and beyond', () => {
    let worst = 0;
    let worstBack = 0;
    for (const [zone, south] of [[3, false], [16, false], [19, false], [60, false], [1, false], [4, false], [33, true]] as const) {
      const epsg = (south ? 32700 : 32600) + zone;
      const toUtm = new gdal.CoordinateTransformation(lonLat, gdal.SpatialReference.fromEPSG(epsg));
      const toLonLat = new gdal.CoordinateTransformation(gdal.SpatialReference.fromEPSG(epsg), lonLat);
      const cm = -183 + zone * 6;
      for (let dLon = -4.5; dLon <= 4.5; dLon += 0.75) {
        for (let lat = south ? -79.5 : 0.25; south ? lat < 0 : lat <= 83.5; lat += 6.5) {
          const [x, y] = projectPoint(epsg, cm + dLon, lat);
          const p = toUtm.transformPoint(cm + dLon, lat);
          worst = Math.max(worst, Math.hypot(x - p.x, y - p.y));
          const [lon2, lat2] = unprojectPoint(epsg, p.x, p.y);
          const q = toLonLat.transformPoint(p.x, p.y);
          // -180 and 180 are the same meridian; PROJ may write either.
          worstBack = Math.max(worstBack, Math.abs(((lon2 - q.x + 540) % 360) - 180), Math.abs(lat2 - q.y));
        }
      }
    }
    expect(worst).toBeLessThan(1e-3);
    // 1e-9 degrees is 0.1 mm on the ground.
    expect(worstBack).toBeLessThan(1e-9);
  });

  it('agrees with the Snyder series the McLean test checks the grid with, to within a metre', () => {
    const ct = new gdal.CoordinateTransformation(lonLat, gdal.SpatialReference.fromEPSG(32616));
    const [x, y] = utmForward(-88.99, 40.48, 16);
    const p = ct.transformPoint(-88.99, 40.48);
    expect(Math.abs(p.x - x)).toBeLessThan(1);
    expect(Math.abs(p.y - y)).toBeLessThan(1);
  });
});

describe('every county cover, against GDAL', () => {
  it('names the same tiles with the same overlap areas for all 3,142 counties of the 50 states and DC', async () => {
    const geo = await loadGeography();
    let counties = 0;
    const crossing: string[] = [];
    for (const state of US_STATES.filter((s) => s.inFiftyPlusDc)) {
      for (const county of geo.countiesOf(state.fips)) {
        counties++;
        const geometry = geo.countyGeometry(county.fips);
        const cover = geo.coverOfCounty(county.fips);
        const reference = gdalTileCover(geometry);
        if (reference.areaKm2 === 0) {
          // Falls Church (51610) has no area in us-atlas: by area it overlaps nothing, and
          // the cover falls back to the tiles holding its outline (geography-lookups.test.ts).
          expect(county.fips).toBe('51610');
          expect(cover.areaKm2).toBe(0);
          continue;
        }
        expect(cover.tiles.map((t) => t.tileId), county.fips).toEqual([...reference.tiles.keys()].sort());
        const areaError = Math.abs(cover.areaKm2 - reference.areaKm2) / reference.areaKm2;
        const tileErrors = cover.tiles.map((t) => Math.abs(t.overlapKm2 - reference.tiles.get(t.tileId)!));
        if (areaError < 1e-7 && cover.tiles.every((t, i) => tileErrors[i]! <= 1e-7 * reference.tiles.get(t.tileId)!)) continue;
        // A boundary that crosses itself (a bow-tie lobe) is repaired by GDAL (MakeValid); the
        // cover counts a lobe by its winding instead. Both keep every tile; the areas differ
        // by the lobes, well under 0.1 % of the county. Only such boundaries may differ.
        crossing.push(county.fips);
        expect(gdal.Geometry.fromGeoJson(geometry).isValid(), county.fips).toBe(false);
        expect(areaError, county.fips).toBeLessThan(1e-3);
        for (const error of tileErrors) expect(error / reference.areaKm2, county.fips).toBeLessThan(1e-3);
      }
    }
    expect(counties).toBe(3142);
    expect(crossing).toEqual(['06001', '22067', '51093', '51620']);
  }, 300_000);
});

describe('the GDAL answers kept for the tests without GDAL (test/geo/fixtures/gdal-reference.json)', () => {
  it('still match what GDAL computes', async () => {
    const geo = await loadGeography();
    const transforms = new Map<number, gdal.CoordinateTransformation>();
    const points = referenceLonLats().map(([epsg, lon, lat]): GdalReference['points'][number] => {
      let ct = transforms.get(epsg);
      if (!ct) transforms.set(epsg, (ct = new gdal.CoordinateTransformation(lonLat, gdal.SpatialReference.fromEPSG(epsg))));
      const p = ct.transformPoint(lon, lat);
      return [epsg, lon, lat, p.x, p.y];
    });
    const covers: GdalReference['covers'] = {};
    for (const state of REFERENCE_STATES) {
      for (const county of geo.countiesOf(state)) {
        const reference = gdalTileCover(geo.countyGeometry(county.fips));
        covers[county.fips] = { areaKm2: reference.areaKm2, tiles: Object.fromEntries([...reference.tiles].sort(([a], [b]) => a.localeCompare(b))) };
      }
    }
    if (process.env['BIOMASS_WRITE_FIXTURES'] === '1') writeFileSync(GDAL_REFERENCE_FILE, JSON.stringify({ points, covers }) + '\n');
    const kept = readGdalReference();
    expect(kept.points.length).toBe(points.length);
    points.forEach((p, i) => {
      expect(kept.points[i]!.slice(0, 3)).toEqual(p.slice(0, 3));
      expect(Math.abs(kept.points[i]![3] - p[3]) + Math.abs(kept.points[i]![4] - p[4])).toBeLessThan(1e-6);
    });
    expect(Object.keys(kept.covers).sort()).toEqual(Object.keys(covers).sort());
    for (const [fips, cover] of Object.entries(covers)) {
      const k = kept.covers[fips]!;
      expect(Object.keys(k.tiles), fips).toEqual(Object.keys(cover.tiles));
      expect(Math.abs(k.areaKm2 - cover.areaKm2), fips).toBeLessThanOrEqual(1e-9 * cover.areaKm2);
      for (const [tile, km2] of Object.entries(cover.tiles)) expect(Math.abs(k.tiles[tile]! - km2), `${fips} ${tile}`).toBeLessThanOrEqual(1e-9 * km2);
    }
  }, 300_000);
});
