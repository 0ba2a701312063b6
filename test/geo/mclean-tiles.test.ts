// McLean County (17113) against the MGRS/UTM definition, with arithmetic written here
// independently of src/geo: a Snyder (USGS PP 1395) transverse Mercator series for UTM and
// the MGRS lettering tables spelled out by hand. (test/geo/tile-cover-reference.test.ts
// checks that series against PROJ.)
import { describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { loadGeography } from '../../src/geo/geography.js';
import { latitudeBand, SQUARE_M, utmEpsg, utmZoneOfLon } from '../../src/geo/mgrs.js';
import { footprintOfTile, tileIdOfSquare } from '../../src/geo/tile-grid.js';
import { projectPoint } from '../../src/geo/transverse-mercator.js';
import { utmForward } from './snyder-utm.js';


describe('McLean County (17113) and the MGRS grid', () => {
  it('is covered by exactly the 4 tiles 16TBK, 16TBL, 16TCK, 16TCL, each matching the MGRS definition', async () => {
    const geo = await loadGeography();
    const tiles = geo.tilesOfCounty('17113');
    expect(tiles).toEqual(['16TBK', '16TBL', '16TCK', '16TCL']);

    // McLean lies between 89.27°W and 88.46°W: zone 16 (90°W-84°W), central meridian 87°W.
    const vertices: Position[] = [];
    const g = geo.countyGeometry('17113');
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    for (const rings of polygons) for (const ring of rings) vertices.push(...ring);
    const projected = vertices.map(([lon, lat]) => utmForward(lon!, lat!, 16));
    const minE = Math.min(...projected.map((p) => p[0]));
    const maxE = Math.max(...projected.map((p) => p[0]));
    const minN = Math.min(...projected.map((p) => p[1]));
    const maxN = Math.max(...projected.map((p) => p[1]));
    // The county spans the 300 km easting line and the 4,500 km northing line.
    expect(minE).toBeGreaterThan(200_000);
    expect(maxE).toBeLessThan(400_000);
    expect(minN).toBeGreaterThan(4_400_000);
    expect(maxN).toBeLessThan(4_600_000);

    // Zone 16 is in column set 1 (zone mod 3 = 1): A-H for the 100-800 km eastings.
    // Even zone: row letters start at F for northing 0 (ABCDEFGHJKLMNPQRSTUV, 2,000 km cycle).
    const rows = 'ABCDEFGHJKLMNPQRSTUV';
    const rowLetter = (northing: number) => rows[(Math.floor(northing / 100_000) + 5) % 20];
    const colLetter = (easting: number) => 'ABCDEFGH'[Math.floor(easting / 100_000) - 1];
    expect(colLetter(250_000)).toBe('B');
    expect(colLetter(350_000)).toBe('C');
    expect(rowLetter(4_450_000)).toBe('K');
    expect(rowLetter(4_550_000)).toBe('L');
    // Band T is 40°N-48°N: the centres of rows K and L (4,450 and 4,550 km) are north of 40°N.
    expect(utmForward(-88.5, 40, 16)[1]).toBeLessThan(4_450_000);

    const expected: Record<string, [number, number]> = {
      '16TBK': [200_000, 4_400_000], '16TBL': [200_000, 4_500_000],
      '16TCK': [300_000, 4_400_000], '16TCL': [300_000, 4_500_000],
    };
    for (const [tileId, [e, n]] of Object.entries(expected)) {
      // Origin at the square's west/north edge, 109.8 km east and south.
      expect(geo.tileFootprint(tileId)).toEqual({
        epsg: 32616, minX: e, maxX: e + 109_800, minY: n + 100_000 - 109_800, maxY: n + 100_000,
      });
    }
    // Each of the four squares holds some of the county, so none of the four is superfluous.
    for (const [e, n] of Object.values(expected)) {
      const inside = projected.some(([x, y]) => x >= e && x < e + 109_800 && y >= n - 9_800 && y < n + 100_000);
      expect(inside).toBe(true);
    }
  });
});

// Unlike the tests above, these run the project's own functions: what is checked is the rule
// in src/geo/tile-grid.ts (band letter = band of the square's centre) against tile ids that
// users of other MGRS libraries reported for points whose 100 km square crosses a band edge.
describe('the band letter of a tile whose 100 km square crosses a latitude band edge', () => {
  const cases = [
    // proj4js/mgrs#48: Beijing, in band S (32°N-40°N); 50SMK names no Sentinel-2 tile.
    { lat: 39.977, lon: 116.381, pointBand: 'S', tile: '50TMK', not: '50SMK' },
    // hobuinc/mgrs#46: a point in band T (40°N-48°N), 7 km south of its edge.
    { lat: 47.936537, lon: 39.889918, pointBand: 'T', tile: '37UEP', not: '37TEP' },
  ];

  it.each(cases)('puts lat $lat, lon $lon in tile $tile, not $not', ({ lat, lon, pointBand, tile, not }) => {
    const zone = utmZoneOfLon(lon);
    const epsg = utmEpsg(zone, false);
    const [x, y] = projectPoint(epsg, lon, lat);
    const easting = Math.floor(x / SQUARE_M) * SQUARE_M;
    const northing = Math.floor(y / SQUARE_M) * SQUARE_M;
    // The point itself lies in the band of the wrong id: the square's centre decides.
    expect(latitudeBand(lat)).toBe(pointBand);
    expect(tileIdOfSquare(zone, false, easting, northing)).toBe(tile);

    const footprint = footprintOfTile(tile);
    expect(footprint).toMatchObject({ epsg, minX: easting, maxY: northing + SQUARE_M });
    expect(x).toBeGreaterThanOrEqual(footprint.minX);
    expect(x).toBeLessThan(footprint.maxX);
    expect(y).toBeGreaterThanOrEqual(footprint.minY);
    expect(y).toBeLessThan(footprint.maxY);
    // One id per square: the letter of the point's band names no tile.
    expect(() => footprintOfTile(not)).toThrow(expect.objectContaining({ code: 'UNKNOWN_TILE' }));
  });
});
