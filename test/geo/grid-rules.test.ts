// The rules of the tile grid and the covers on shapes no US county has (across the equator
// and the antimeridian, holes, points), the MGRS lettering at its edges, the state table
// against us-atlas and the USPS list, and the lookups' hints. No GDAL: the mutation tests
// run this file (docs/testing.md).
import { createRequire } from 'node:module';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { refusal } from '../support/refusal.js';
import { boundsOf, loadGeography } from '../../src/geo/geography.js';
import {
  formatTileId, isSouthernBand, LATITUDE_BANDS, latitudeBand, parseTileId, squareEasting, squareLetters, squareNorthings,
  tileFootprint, utmEpsg, utmZoneOfLon, zoneWestLon,
} from '../../src/geo/mgrs.js';
import { sphericalAreaKm2 } from '../../src/geo/spherical-area.js';
import { findState, stateOfCounty, US_STATES } from '../../src/geo/states.js';
import { candidateSquares, squareInZone, tileCover, type TileCover } from '../../src/geo/tile-cover.js';
import { footprintOfTile, tileIdOfSquare } from '../../src/geo/tile-grid.js';
import { projectPoint, unprojectPoint, utmZoneOfEpsg } from '../../src/geo/transverse-mercator.js';

const rect = (w: number, s: number, e: number, n: number): Position[] => [[w, s], [e, s], [e, n], [w, n], [w, s]];
const polygon = (...rings: Position[][]): Polygon => ({ type: 'Polygon', coordinates: rings });

/** Tile id -> overlap km² of several covers together, and their areas summed. */
function merged(...covers: TileCover[]): { tiles: Record<string, number>; areaKm2: number } {
  const tiles: Record<string, number> = {};
  for (const c of covers) for (const t of c.tiles) tiles[t.tileId] = (tiles[t.tileId] ?? 0) + t.overlapKm2;
  return { tiles, areaKm2: covers.reduce((sum, c) => sum + c.areaKm2, 0) };
}

function expectSameCover(whole: TileCover, parts: { tiles: Record<string, number>; areaKm2: number }): void {
  expect(whole.tiles.map((t) => t.tileId)).toEqual(Object.keys(parts.tiles).sort());
  for (const t of whole.tiles) expect(t.overlapKm2, t.tileId).toBeCloseTo(parts.tiles[t.tileId]!, 6);
  expect(whole.areaKm2).toBeCloseTo(parts.areaKm2, 6);
  for (const t of whole.tiles) expect(t.footprint, t.tileId).toEqual(footprintOfTile(t.tileId));
}

describe('covers of shapes across the grid\'s seams', () => {
  it('cuts a shape across a zone edge into the tiles of both zones, as its two halves would be', () => {
    const whole = tileCover(polygon(rect(-90.6, 40.1, -89.4, 40.6)));
    expectSameCover(whole, merged(tileCover(polygon(rect(-90.6, 40.1, -90, 40.6))), tileCover(polygon(rect(-90, 40.1, -89.4, 40.6)))));
    expect(new Set(whole.tiles.map((t) => t.tileId.slice(0, 2)))).toEqual(new Set(['15', '16']));
    // UTM's scale error (within 0.04 % at the central meridian, 0.1-0.2 % near a zone edge).
    expect(Math.abs(whole.areaKm2 / sphericalAreaKm2(polygon(rect(-90.6, 40.1, -89.4, 40.6))) - 1)).toBeLessThan(0.005);
  });

  it('cuts a shape across the equator into southern tiles (bands C-M, EPSG 327zz) and northern ones', () => {
    const whole = tileCover(polygon(rect(10.2, -0.4, 10.9, 0.3)));
    const south = tileCover(polygon(rect(10.2, -0.4, 10.9, 0)));
    const north = tileCover(polygon(rect(10.2, 0, 10.9, 0.3)));
    expectSameCover(whole, merged(south, north));
    expect(south.tiles.length).toBeGreaterThan(0);
    for (const t of south.tiles) {
      expect(isSouthernBand(t.tileId[2]!), t.tileId).toBe(true);
      expect(t.footprint.epsg).toBe(32732);
      // The southern squares end at the equator (northing 10,000 km), none beyond it.
      expect(t.footprint.maxY).toBeLessThanOrEqual(10_000_000);
    }
    for (const t of north.tiles) {
      expect(t.tileId[2]).toBe('N');
      expect(t.footprint.epsg).toBe(32632);
      expect(t.footprint.maxY).toBeGreaterThanOrEqual(100_000);
    }
    // Zone 32's columns P and Q (600-800 km); row E ends at the equator, row F starts there.
    expect(whole.tiles.map((t) => t.tileId)).toEqual(['32MPE', '32MQE', '32NPF', '32NQF']);
  });

  it('cuts a ring across the antimeridian into zones 60 and 1, as its two halves would be', () => {
    const ring: Position[] = [[179.4, 51.2], [-179.3, 51.2], [-179.3, 51.9], [179.4, 51.9], [179.4, 51.2]];
    const whole = tileCover(polygon(ring));
    expectSameCover(whole, merged(tileCover(polygon(rect(179.4, 51.2, 180, 51.9))), tileCover(polygon(rect(-180, 51.2, -179.3, 51.9)))));
    expect(new Set(whole.tiles.map((t) => t.tileId.slice(0, 2)))).toEqual(new Set(['60', '01']));
    // 1.3° x 0.7° at 51.5°N: about 7,000 km², not the 358.7° the long way round.
    expect(whole.areaKm2).toBeGreaterThan(6800);
    expect(whole.areaKm2).toBeLessThan(7200);
  });

  it('subtracts holes and adds the parts of a multipolygon', () => {
    const shell = rect(-89.3, 40.2, -88.7, 40.6);
    const hole = rect(-89.1, 40.3, -88.9, 40.5);
    const withHole = tileCover(polygon(shell, hole));
    const solid = tileCover(polygon(shell));
    const holeOnly = tileCover(polygon(hole));
    expect(withHole.areaKm2).toBeCloseTo(solid.areaKm2 - holeOnly.areaKm2, 6);
    for (const t of holeOnly.tiles) {
      expect(withHole.tiles.find((w) => w.tileId === t.tileId)!.overlapKm2).toBeCloseTo(solid.tiles.find((w) => w.tileId === t.tileId)!.overlapKm2 - t.overlapKm2, 6);
    }
    const parts: MultiPolygon = { type: 'MultiPolygon', coordinates: [[rect(-89.3, 40.2, -89.2, 40.3)], [rect(-87.9, 41.7, -87.8, 41.8)]] };
    expectSameCover(tileCover(parts), merged(tileCover(polygon(parts.coordinates[0]![0]!)), tileCover(polygon(parts.coordinates[1]![0]!))));
  });

  it('gives a shape without area the tiles whose footprints hold its points, with overlap 0', () => {
    // A ring folded onto a line, like Falls Church (51610) in us-atlas.
    const folded: Position[] = [[-77.18, 38.88], [-77.16, 38.89], [-77.18, 38.88]];
    const cover = tileCover(polygon(folded));
    expect(cover.areaKm2).toBe(0);
    expect(cover.tiles.map((t) => [t.tileId, t.overlapKm2])).toEqual([['18SUJ', 0]]);
    expect(cover.tiles[0]!.footprint).toEqual(footprintOfTile('18SUJ'));
    // In the 9.8 km overlap of two squares a point belongs to both tiles.
    const [lon, lat] = unprojectPoint(32616, 405_000, 4_495_000);
    const inOverlap = tileCover(polygon([[lon, lat], [lon + 1e-4, lat], [lon, lat]]));
    const [px, py] = projectPoint(32616, lon, lat);
    expect(inOverlap.tiles.map((t) => t.tileId)).toEqual(['16TCK', '16TCL', '16TDK', '16TDL']);
    for (const t of inOverlap.tiles) {
      const f = footprintOfTile(t.tileId);
      expect([px >= f.minX, px <= f.maxX, py >= f.minY, py <= f.maxY], t.tileId).toEqual([true, true, true, true]);
    }
    // A point south of the equator is placed in the southern system.
    expect(tileCover(polygon([[10.5, -0.5], [10.51, -0.5], [10.5, -0.5]])).tiles.map((t) => t.tileId)).toEqual(['32MPE']);
  });

  it('lists the candidate squares of an envelope: the columns and rows whose footprints reach it', () => {
    // A point in square 16TCK (E 300-400 km, N 4,400-4,500 km) away from the overlaps.
    expect(candidateSquares({ minX: 350_000, minY: 4_450_000, maxX: 350_000, maxY: 4_450_000 }, false)).toEqual([[300_000, 4_400_000]]);
    // In the overlaps: the square to the west reaches 9.8 km east, the one to the north 9.8 km south.
    expect(candidateSquares({ minX: 405_000, minY: 4_495_000, maxX: 405_000, maxY: 4_495_000 }, false)).toEqual([
      [300_000, 4_400_000], [300_000, 4_500_000], [400_000, 4_400_000], [400_000, 4_500_000],
    ]);
    // An envelope spanning squares gets every square between.
    expect(candidateSquares({ minX: 250_000, minY: 4_350_000, maxX: 450_000, maxY: 4_450_000 }, false)).toHaveLength(3 * 2);
    // Rows start at the equator: none below row 0 in the north, none past 9,900 km in the south.
    expect(candidateSquares({ minX: 350_000, minY: 0, maxX: 350_000, maxY: 5_000 }, false)).toEqual([[300_000, 0]]);
    expect(candidateSquares({ minX: 350_000, minY: 9_995_000, maxX: 350_000, maxY: 10_000_000 }, true)).toEqual([[300_000, 9_900_000]]);
  });

  it('keeps a square only when it reaches into its zone, north and south', () => {
    // Zone 16 at 30°N: its west edge (90°W) lies near easting 211 km, so square A (100-200 km) is outside.
    expect(squareInZone(16, false, 100_000, 3_300_000)).toBe(false);
    expect(squareInZone(16, false, 200_000, 3_300_000)).toBe(true);
    // Squares holding or touching the central meridian are always in.
    expect(squareInZone(16, false, 400_000, 3_300_000)).toBe(true);
    expect(squareInZone(16, false, 500_000, 3_300_000)).toBe(true);
    expect(squareInZone(16, false, 700_000, 3_300_000)).toBe(true);
    expect(squareInZone(16, false, 800_000, 3_300_000)).toBe(false);
    // At 60°N the zone is narrower: square 200-300 km lies outside it.
    expect(squareInZone(16, false, 200_000, 6_600_000)).toBe(false);
    expect(squareInZone(16, false, 300_000, 6_600_000)).toBe(true);
    // South of the equator the same rule in the southern system (30°S: northing ~6,680 km).
    expect(squareInZone(33, true, 100_000, 6_600_000)).toBe(false);
    expect(squareInZone(33, true, 200_000, 6_600_000)).toBe(true);
  });
});

describe('the MGRS lettering', () => {
  it('names latitude bands of 8° from 80°S, with X 12° wide and nothing beyond 84°N', () => {
    expect([latitudeBand(-80), latitudeBand(-72.01), latitudeBand(-72), latitudeBand(-0.001), latitudeBand(0), latitudeBand(71.99), latitudeBand(72), latitudeBand(84)])
      .toEqual(['C', 'C', 'D', 'M', 'N', 'W', 'X', 'X']);
    expect(latitudeBand(-80.001)).toBeUndefined();
    expect(latitudeBand(84.001)).toBeUndefined();
    expect([...LATITUDE_BANDS].map(isSouthernBand)).toEqual([...LATITUDE_BANDS].map((b) => b <= 'M'));
  });

  it('numbers zones of 6° from 180°W, whatever the longitude is written as', () => {
    expect([-180, -174.001, -174, -0.001, 0, 179.999, 180, 540, -540].map(utmZoneOfLon)).toEqual([1, 1, 2, 30, 31, 60, 1, 1, 1]);
    expect([zoneWestLon(1), zoneWestLon(31), zoneWestLon(60)]).toEqual([-180, 0, 174]);
    expect([utmEpsg(16, false), utmEpsg(16, true)]).toEqual([32616, 32716]);
    expect(utmZoneOfEpsg(32616)).toEqual({ zone: 16, south: false });
    expect(utmZoneOfEpsg(32701)).toEqual({ zone: 1, south: true });
    expect(utmZoneOfEpsg(32760)).toEqual({ zone: 60, south: true });
    for (const epsg of [4326, 32600, 32661, 32700, 32761, 32516, 3857]) {
      expect(() => projectPoint(epsg, 0, 0), String(epsg)).toThrow(`EPSG:${epsg} is not a WGS 84 / UTM zone (32601-32660, 32701-32760)`);
    }
  });

  it('letters 100 km squares by zone set and row cycle, and refuses squares outside a zone', () => {
    expect(squareLetters(16, 300_000, 4_400_000)).toBe('CK'); // McLean
    expect(squareLetters(17, 100_000, 4_400_000)).toBe('JE'); // set 2 starts at J; odd zones have no row offset
    expect(squareLetters(18, 800_000, 0)).toBe('ZF');
    expect(squareLetters(16, 300_000, 2_000_000 + 4_400_000)).toBe('CK'); // the 2,000 km cycle
    expect(() => squareLetters(16, 0, 4_400_000)).toThrow('no MGRS square at zone 16 E 0 N 4400000');
    expect(() => squareLetters(16, 900_000, 4_400_000)).toThrow(RangeError);
    expect(formatTileId(1, 'C', 'CV')).toBe('01CCV');
    expect(formatTileId(16, 'T', 'CK')).toBe('16TCK');
  });

  it('parses tile ids, also in product names (T16TCK), in any case and with spaces, and nothing else', () => {
    const mclean = { zone: 16, band: 'T', column: 'C', row: 'K' };
    expect(parseTileId('16TCK')).toEqual(mclean);
    expect(parseTileId(' t16tck ')).toEqual(mclean);
    expect(parseTileId('T16TCK')).toEqual(mclean);
    expect(parseTileId('1TCK')).toEqual({ zone: 1, band: 'T', column: 'C', row: 'K' });
    expect(parseTileId('60XVN')).toEqual({ zone: 60, band: 'X', column: 'V', row: 'N' });
    for (const bad of ['1T6TCK', 'A16TCK', '16TCKX', '00TCK', '61TCK', '16ICK', '16TIK', '16TCW', '16TC', '', 'T']) {
      expect(parseTileId(bad), bad).toBeUndefined();
    }
  });

  it('finds the easting of a column letter only in its own zone set', () => {
    expect([squareEasting(16, 'A'), squareEasting(16, 'H'), squareEasting(16, 'J')]).toEqual([100_000, 800_000, undefined]);
    expect([squareEasting(17, 'J'), squareEasting(17, 'R'), squareEasting(17, 'H'), squareEasting(17, 'S')]).toEqual([100_000, 800_000, undefined, undefined]);
    expect([squareEasting(18, 'S'), squareEasting(18, 'Z'), squareEasting(18, 'R')]).toEqual([100_000, 800_000, undefined]);
  });

  it('lists the northings of a row letter, one per 2,000 km cycle, up to and including the limit', () => {
    expect(squareNorthings(16, 'K', 9_400_000)).toEqual([400_000, 2_400_000, 4_400_000, 6_400_000, 8_400_000]);
    expect(squareNorthings(16, 'K', 4_400_000)).toEqual([400_000, 2_400_000, 4_400_000]);
    expect(squareNorthings(17, 'A', 2_000_000)).toEqual([0, 2_000_000]);
    expect(squareNorthings(16, 'A', 1_400_000)).toEqual([]); // row A of an even zone starts at 1,500 km
    expect(squareNorthings(16, 'F', 100_000)).toEqual([0]);
    expect(tileFootprint(32616, 300_000, 4_400_000)).toEqual({ epsg: 32616, minX: 300_000, maxX: 409_800, minY: 4_390_200, maxY: 4_500_000 });
  });
});

describe('tile ids and squares', () => {
  it('finds footprints of tile ids north and south, and names the same squares back', () => {
    expect(footprintOfTile('16TCK')).toEqual(tileFootprint(32616, 300_000, 4_400_000));
    expect(footprintOfTile(' t16tck')).toEqual(footprintOfTile('16TCK'));
    for (const id of ['34HBH', '32MPE', '32NPF', '01CCV', '60XVN', '04QFJ']) {
      const f = footprintOfTile(id);
      const zone = Number(id.slice(0, 2));
      const south = isSouthernBand(id[2]!);
      expect(f.epsg, id).toBe(utmEpsg(zone, south));
      expect(tileIdOfSquare(zone, south, f.minX, f.maxY - 100_000), id).toBe(id);
    }
  });

  it('refuses ids that are malformed or name no square of the grid, with what a tile id looks like', () => {
    for (const id of ['xx', '16TJK', '16WCK', '16TCZ']) {
      const error = refusal(() => footprintOfTile(id));
      expect(error, id).toMatchObject({ code: 'UNKNOWN_TILE', exitCode: 2, message: `"${id}" is not a Sentinel-2 MGRS tile id` });
      expect(error.hint).toBe('a tile id is a 2-digit UTM zone, a latitude band letter and two 100 km square letters, e.g. 16TCK');
    }
    expect(() => tileIdOfSquare(16, false, 400_000, 9_400_000)).toThrow('square at zone 16 E 400000 N 9400000 is outside MGRS\'s UTM area');
  });
});

describe('states', () => {
  /** The USPS codes, written out here from the USPS list (Publication 28, appendix B). */
  const USPS: Record<string, string> = {
    '01': 'AL', '02': 'AK', '04': 'AZ', '05': 'AR', '06': 'CA', '08': 'CO', '09': 'CT', '10': 'DE', '11': 'DC', '12': 'FL',
    '13': 'GA', '15': 'HI', '16': 'ID', '17': 'IL', '18': 'IN', '19': 'IA', '20': 'KS', '21': 'KY', '22': 'LA', '23': 'ME',
    '24': 'MD', '25': 'MA', '26': 'MI', '27': 'MN', '28': 'MS', '29': 'MO', '30': 'MT', '31': 'NE', '32': 'NV', '33': 'NH',
    '34': 'NJ', '35': 'NM', '36': 'NY', '37': 'NC', '38': 'ND', '39': 'OH', '40': 'OK', '41': 'OR', '42': 'PA', '44': 'RI',
    '45': 'SC', '46': 'SD', '47': 'TN', '48': 'TX', '49': 'UT', '50': 'VT', '51': 'VA', '53': 'WA', '54': 'WV', '55': 'WI',
    '56': 'WY', '60': 'AS', '66': 'GU', '69': 'MP', '72': 'PR', '78': 'VI',
  };

  it('names every state, DC and territory as us-atlas does, in FIPS order, with its USPS code', () => {
    const atlas = createRequire(import.meta.url)('us-atlas/states-10m.json') as { objects: { states: { geometries: Array<{ id: string; properties: { name: string } }> } } };
    const atlasNames = new Map(atlas.objects.states.geometries.map((g) => [g.id, g.properties.name]));
    expect(US_STATES.map((s) => s.fips)).toEqual([...atlasNames.keys()].sort());
    for (const s of US_STATES) {
      // us-atlas writes two territories in full.
      const full = { '69': 'Commonwealth of the Northern Mariana Islands', '78': 'United States Virgin Islands' }[s.fips];
      expect(full ?? s.name, s.fips).toBe(atlasNames.get(s.fips));
      if (full) expect(full.replace('United States', 'U.S.')).toContain(s.name);
      expect(s.postal, s.fips).toBe(USPS[s.fips]);
      expect(s.inFiftyPlusDc, s.fips).toBe(Number(s.fips) < 60);
    }
    expect(US_STATES.filter((s) => s.inFiftyPlusDc)).toHaveLength(51);
  });

  it('finds a state by FIPS (one digit or two) or postal code in any case, and the state of a county', () => {
    expect(findState('6')?.name).toBe('California');
    expect(findState(' 17 ')?.postal).toBe('IL');
    expect(findState(' il ')?.fips).toBe('17');
    expect([findState('123'), findState('I'), findState('ILL'), findState('03'), findState('')]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(stateOfCounty('17113')?.postal).toBe('IL');
    expect(stateOfCounty('99001')).toBeUndefined();
  });

  it('suggests FIPS codes for digits and postal codes for letters, whatever the spaces', async () => {
    const geo = await loadGeography();
    expect(refusal(() => geo.state('I7')).hint).toBe('did you mean 19 (IA, Iowa) or 16 (ID, Idaho) or 17 (IL, Illinois) or 18 (IN, Indiana)?');
    expect(refusal(() => geo.state('99')).hint).toBe('did you mean 09 (CT, Connecticut) or 19 (IA, Iowa) or 29 (MO, Missouri) or 39 (OH, Ohio) or 49 (UT, Utah)?');
    expect(refusal(() => geo.state('7I')).hint).toMatch(/^did you mean 15 \(HI, Hawaii\)/);
    expect(refusal(() => geo.state('3')).hint).toMatch(/^did you mean 13 \(GA, Georgia\)/);
    expect(refusal(() => geo.state(' IK ')).hint).toBe(refusal(() => geo.state('IK')).hint);
    expect(refusal(() => geo.state(' 99 ')).hint).toBe(refusal(() => geo.state('99')).hint);
    expect(refusal(() => geo.state(' IK ')).message).toBe('unknown state " IK "');
    expect(refusal(() => geo.state('ZZZZZZ')).hint).toBe('use a 2-digit state FIPS code (17) or a postal code (IL)');
  });

  it('trims a county code before naming it, and offers the numerically nearest counties when no code is a typo away', async () => {
    const geo = await loadGeography();
    expect(refusal(() => geo.county(' 17999 ')).message).toBe('unknown county FIPS code "17999"');
    expect(refusal(() => geo.county('11999')).hint).toBe('did you mean 11001 (District of Columbia)?');
    // No state 99: near codes of every state.
    expect(refusal(() => geo.county('99001')).hint).toBe('did you mean 09001 (Fairfield) or 19001 (Adair) or 29001 (Adair)?');
    expect(geo.county(' 17113 ').name).toBe('McLean');
  });
});

describe('areas and bounds', () => {
  const R = 6371.0072;
  const cell = (s: number, n: number, dLon: number) => R * R * dLon * (Math.PI / 180) * (Math.sin((n * Math.PI) / 180) - Math.sin((s * Math.PI) / 180));

  it('measures a lon/lat box on the authalic sphere exactly, holes subtracted and parts added', () => {
    expect(sphericalAreaKm2(polygon(rect(10, 40, 11, 41)))).toBeCloseTo(cell(40, 41, 1), 6);
    expect(sphericalAreaKm2(polygon([...rect(10, 40, 11, 41)].reverse()))).toBeCloseTo(cell(40, 41, 1), 6);
    expect(sphericalAreaKm2(polygon(rect(10, 40, 12, 42), rect(10.5, 40.5, 11, 41)))).toBeCloseTo(cell(40, 42, 2) - cell(40.5, 41, 0.5), 6);
    expect(sphericalAreaKm2({ type: 'MultiPolygon', coordinates: [[rect(10, 40, 11, 41)], [rect(20, -41, 21, -40)]] })).toBeCloseTo(2 * cell(40, 41, 1), 6);
  });

  it('measures a box across the antimeridian the short way round, either way it is written', () => {
    const across: Position[] = [[179.5, 50], [-179.5, 50], [-179.5, 51], [179.5, 51], [179.5, 50]];
    expect(sphericalAreaKm2(polygon(across))).toBeCloseTo(cell(50, 51, 1), 6);
    expect(sphericalAreaKm2(polygon([...across].reverse()))).toBeCloseTo(cell(50, 51, 1), 6);
  });

  it('bounds a county by its extreme coordinates, and one across the antimeridian west > east', async () => {
    const geo = await loadGeography();
    for (const county of geo.countiesOf('17')) {
      const points = geo.countyGeometry(county.fips).coordinates.flat(3) as unknown as number[];
      const lons = points.filter((_, i) => i % 2 === 0);
      const lats = points.filter((_, i) => i % 2 === 1);
      expect(county.bbox, county.fips).toEqual([Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)]);
    }
    const aleutians = geo.countyGeometry('02016');
    const lons = (aleutians.coordinates.flat(3) as unknown as number[]).filter((_, i) => i % 2 === 0);
    const east = lons.filter((l) => l > 0);
    const west = lons.filter((l) => l < 0);
    expect(boundsOf(aleutians)[0]).toBeCloseTo(Math.min(...east), 9);
    expect(boundsOf(aleutians)[2]).toBeCloseTo(Math.max(...west), 9);
    expect(boundsOf(polygon([[170, 50], [-170, 50], [-170, 51], [170, 51], [170, 50]]))).toEqual([170, 50, -170, 51]);
  });
});
