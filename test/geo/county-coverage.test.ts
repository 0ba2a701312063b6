// Every county lies inside the union of its tiles' footprints, checked by area with GDAL in
// each UTM zone the county touches, for Illinois (zones 15 and 16) and for the odd
// geographies: Alaska across the antimeridian, Hawaii, island counties.
import { describe, expect, it } from 'vitest';
import gdal from 'gdal-async';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { US_STATES } from '../../src/geo/states.js';

const lonLat = gdal.SpatialReference.fromUserInput('OGC:CRS84');

function box(minX: number, minY: number, maxX: number, maxY: number): gdal.Geometry {
  return gdal.Geometry.fromGeoJson({ type: 'Polygon', coordinates: [[[minX, minY], [maxX, minY], [maxX, maxY], [minX, maxY], [minX, minY]]] });
}

function area(g: gdal.Geometry): number {
  return g instanceof gdal.Polygon || g instanceof gdal.GeometryCollection ? g.getArea() : 0;
}

/**
 * The county's area outside its tiles, and its total, in km². The county is cut into
 * 6° strips here by its own zone arithmetic (lon + 360 for the western Aleutians), each strip
 * projected into its zone and compared with the union of that zone's footprints.
 */
function uncovered(geo: Geography, fips: string): { missingKm2: number; totalKm2: number } {
  const tiles = geo.tilesOfCounty(fips);
  const footprintsByEpsg = new Map<number, gdal.Geometry>();
  for (const t of tiles) {
    const f = geo.tileFootprint(t);
    const r = box(f.minX, f.minY, f.maxX, f.maxY);
    const prev = footprintsByEpsg.get(f.epsg);
    footprintsByEpsg.set(f.epsg, prev ? prev.union(r) : r);
  }
  const county = gdal.Geometry.fromGeoJson(geo.countyGeometry(fips));
  let missing = 0;
  let total = 0;
  for (let zone = 1; zone <= 60; zone++) {
    const west = -180 + (zone - 1) * 6;
    const piece = county.intersection(box(west, 0, west + 6, 84));
    if (area(piece) === 0) continue;
    const epsg = 32600 + zone;
    piece.transform(new gdal.CoordinateTransformation(lonLat, gdal.SpatialReference.fromEPSG(epsg)));
    const pieceArea = area(piece);
    total += pieceArea;
    const union = footprintsByEpsg.get(epsg);
    missing += union ? pieceArea - area(piece.intersection(union)) : pieceArea;
  }
  return { missingKm2: missing / 1e6, totalKm2: total / 1e6 };
}

describe('county x tile footprints', () => {
  it('every county of Illinois lies inside the union of its tiles, and Illinois needs zones 15 and 16', async () => {
    const geo = await loadGeography();
    const counties = geo.countiesOf('17');
    expect(counties).toHaveLength(102);
    const zones = new Set<string>();
    for (const c of counties) {
      const { missingKm2, totalKm2 } = uncovered(geo, c.fips);
      expect(missingKm2, c.fips).toBeLessThan(1e-6 * totalKm2 + 1e-9);
      // The UTM area and the spherical area agree to within UTM's scale error.
      expect(Math.abs(totalKm2 - c.areaKm2) / c.areaKm2, c.fips).toBeLessThan(0.01);
      for (const t of geo.tilesOfCounty(c.fips)) zones.add(t.slice(0, 2));
    }
    expect([...zones].sort()).toEqual(['15', '16']);
    const all = new Set(counties.flatMap((c) => geo.tilesOfCounty(c.fips)));
    expect(all.size).toBeGreaterThanOrEqual(30);
    expect(all.size).toBeLessThanOrEqual(40);
  });

  it('covers Alaska, including Aleutians West across the antimeridian (zones 59, 60, 1, 2, 3)', async () => {
    const geo = await loadGeography();
    const aleutians = geo.tilesOfCounty('02016');
    const zones = new Set(aleutians.map((t) => t.slice(0, 2)));
    for (const z of ['59', '60', '01', '02']) expect(zones.has(z), z).toBe(true);
    const bbox = geo.county('02016').bbox;
    expect(bbox[0]).toBeGreaterThan(bbox[2]); // west of the antimeridian box is written west > east
    for (const c of geo.countiesOf('AK')) {
      const { missingKm2, totalKm2 } = uncovered(geo, c.fips);
      expect(missingKm2, c.fips).toBeLessThan(1e-6 * totalKm2 + 1e-9);
    }
  });

  it('covers Hawaii (band Q, zones 4 and 5) and island counties made of many polygons', async () => {
    const geo = await loadGeography();
    const hawaii = new Set(geo.countiesOf('15').flatMap((c) => geo.tilesOfCounty(c.fips)));
    expect([...hawaii].every((t) => /^0[45]Q/.test(t))).toBe(true);
    expect([...hawaii].some((t) => t.startsWith('04')) && [...hawaii].some((t) => t.startsWith('05'))).toBe(true);
    // Monroe County FL (the Keys), Dukes County MA (Martha's Vineyard), and Hawaii's counties.
    expect(geo.countyGeometry('12087').type).toBe('MultiPolygon');
    expect(geo.countyGeometry('15009').type).toBe('MultiPolygon');
    for (const fips of ['12087', '25007', ...geo.countiesOf('15').map((c) => c.fips)]) {
      const { missingKm2, totalKm2 } = uncovered(geo, fips);
      expect(missingKm2, fips).toBeLessThan(1e-6 * totalKm2 + 1e-9);
    }
  });

  it('gives every tile of the 50 states + DC a footprint whose id round-trips', async () => {
    const geo = await loadGeography();
    const started = performance.now();
    let counties = 0;
    const tiles = new Set<string>();
    for (const s of US_STATES.filter((x) => x.inFiftyPlusDc)) {
      for (const c of geo.countiesOf(s.fips)) {
        counties++;
        for (const t of geo.coverOfCounty(c.fips).tiles) {
          tiles.add(t.tileId);
          expect(geo.tileFootprint(t.tileId)).toEqual(t.footprint);
        }
      }
    }
    expect(counties).toBe(3142);
    // A figure to read, never a pass/fail criterion.
    console.log(`tiles for ${counties} counties: ${tiles.size} MGRS tiles in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});

describe('bad codes', () => {
  it('names the nearest valid state and county codes', async () => {
    const geo = await loadGeography();
    expect(() => geo.state('IK')).toThrow(/unknown state "IK"/);
    try {
      geo.state('IK');
    } catch (error) {
      expect((error as { hint: string }).hint).toMatch(/IL/);
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
    try {
      geo.county('17114');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/unknown county FIPS code "17114"/);
      expect((error as { hint: string }).hint).toMatch(/17113 \(McLean\)/);
    }
    expect(() => geo.tileFootprint('16TCI')).toThrow(/not a Sentinel-2 MGRS tile id/);
    expect(() => geo.tileFootprint('16ACK')).toThrow(/not a Sentinel-2 MGRS tile id/);
    expect(geo.state('il').fips).toBe('17');
  });
});
