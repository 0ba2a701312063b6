// McLean County (17113) against the MGRS/UTM definition, with arithmetic written here
// independently of src/geo: a Snyder (USGS PP 1395) transverse Mercator series for UTM and
// the MGRS lettering tables spelled out by hand.
import { describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { loadGeography } from '../../src/geo/geography.js';
import { latitudeBand, SQUARE_M, utmEpsg, utmZoneOfLon } from '../../src/geo/mgrs.js';
import { footprintOfTile, tileIdOfSquare } from '../../src/geo/tile-grid.js';
import { projectPoint } from '../../src/geo/transverse-mercator.js';

/** WGS 84 UTM forward projection, Snyder eq. 8-9..8-10 (accurate to well under 1 m here). */
function utmForward(lon: number, lat: number, zone: number): [number, number] {
  const a = 6378137;
  const f = 1 / 298.257223563;
  const e2 = f * (2 - f);
  const ep2 = e2 / (1 - e2);
  const k0 = 0.9996;
  const phi = (lat * Math.PI) / 180;
  const lambda0 = ((zone * 6 - 183) * Math.PI) / 180;
  const N = a / Math.sqrt(1 - e2 * Math.sin(phi) ** 2);
  const T = Math.tan(phi) ** 2;
  const C = ep2 * Math.cos(phi) ** 2;
  const A = Math.cos(phi) * ((lon * Math.PI) / 180 - lambda0);
  const M = a * ((1 - e2 / 4 - (3 * e2 ** 2) / 64 - (5 * e2 ** 3) / 256) * phi
    - ((3 * e2) / 8 + (3 * e2 ** 2) / 32 + (45 * e2 ** 3) / 1024) * Math.sin(2 * phi)
    + ((15 * e2 ** 2) / 256 + (45 * e2 ** 3) / 1024) * Math.sin(4 * phi)
    - ((35 * e2 ** 3) / 3072) * Math.sin(6 * phi));
  const x = k0 * N * (A + ((1 - T + C) * A ** 3) / 6 + ((5 - 18 * T + T ** 2 + 72 * C - 58 * ep2) * A ** 5) / 120);
  const y = k0 * (M + N * Math.tan(phi) * (A ** 2 / 2 + ((5 - T + 9 * C + 4 * C ** 2) * A ** 4) / 24
    + ((61 - 58 * T + T ** 2 + 600 * C - 330 * ep2) * A ** 6) / 720));
  return [500000 + x, y];
}

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

  it('agrees with GDAL/PROJ on the projection to within a metre', async () => {
    const geo = await loadGeography();
    const gdal = (await import('gdal-async')).default;
    const ct = new gdal.CoordinateTransformation(gdal.SpatialReference.fromUserInput('OGC:CRS84'), gdal.SpatialReference.fromEPSG(32616));
    const [x, y] = utmForward(-88.99, 40.48, 16);
    const p = ct.transformPoint(-88.99, 40.48);
    expect(Math.abs(p.x - x)).toBeLessThan(1);
    expect(Math.abs(p.y - y)).toBeLessThan(1);
    expect(geo.county('17113').name).toBe('McLean');
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
