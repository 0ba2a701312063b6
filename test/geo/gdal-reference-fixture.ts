/**
 * GDAL's answers, kept in a file, for the tests that must run without gdal-async: the
 * mutation tests run in worker threads, where gdal-async cannot load (docs/testing.md).
 * test/geo/tile-cover-reference.test.ts recomputes every value here through GDAL and fails
 * when the file no longer matches; BIOMASS_WRITE_FIXTURES=1 rewrites it from GDAL.
 */
import { readFileSync } from 'node:fs';

export const GDAL_REFERENCE_FILE = new URL('./fixtures/gdal-reference.json', import.meta.url);

/** States whose counties are kept: zones 15/16 (IL), the antimeridian (AK), band Q (HI), crossing boundaries (CA, LA, VA), Falls Church (VA). */
export const REFERENCE_STATES = ['02', '06', '15', '17', '22', '51'];

/** Points projected by PROJ: [epsg, lon, lat, x, y]. */
export type ReferencePoint = [number, number, number, number, number];

export interface GdalReference {
  points: ReferencePoint[];
  /** County FIPS -> UTM area km² and tile id -> overlap km², as GDAL computes them. */
  covers: Record<string, { areaKm2: number; tiles: Record<string, number> }>;
}

/** The lon/lat points of the reference: each zone's span and its 9.8 km overlaps, north and south. */
export function referenceLonLats(): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (const [zone, south] of [[1, false], [3, false], [4, false], [16, false], [19, false], [60, false], [33, true]] as const) {
    const epsg = (south ? 32700 : 32600) + zone;
    const cm = -183 + zone * 6;
    for (let dLon = -4.5; dLon <= 4.5; dLon += 0.75) {
      for (let lat = south ? -79.5 : 0.25; south ? lat < 0 : lat <= 83.5; lat += 6.5) out.push([epsg, cm + dLon, lat]);
    }
  }
  return out;
}

export function readGdalReference(): GdalReference {
  return JSON.parse(readFileSync(GDAL_REFERENCE_FILE, 'utf8')) as GdalReference;
}
