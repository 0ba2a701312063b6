/**
 * The MGRS letters and the Sentinel-2 tile footprint rule, as plain arithmetic on UTM
 * coordinates. Projections (lon/lat <-> UTM) live in utm-projection.ts; this file only
 * names 100 km squares and sizes footprints, so it can be read against the MGRS definition
 * (NGA.STND.0037, "AA" lettering) line by line.
 */

/** Latitude band letters from 80°S, 8° each; X is 12° (72°N-84°N). I and O are never used. */
export const LATITUDE_BANDS = 'CDEFGHJKLMNPQRSTUVWX';
/** 100 km column letters: zone sets 1-3 use A-H, J-R, S-Z (24 letters, no I or O). */
const COLUMN_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
/** 100 km row letters, a 2,000 km cycle; even zones start 5 letters later ("F"). */
const ROW_LETTERS = 'ABCDEFGHJKLMNPQRSTUV';

/** Side of the MGRS square and of the Sentinel-2 tile, in metres. */
export const SQUARE_M = 100_000;
export const TILE_M = 109_800;

/** A tile id split into its parts: "16TCK" -> zone 16, band T, column C, row K. */
export interface TileIdParts {
  zone: number;
  band: string;
  column: string;
  row: string;
}

/** UTM zone (1-60) of a longitude in degrees, any value (wrapped to [-180, 180)). */
export function utmZoneOfLon(lon: number): number {
  const wrapped = ((((lon + 180) % 360) + 360) % 360) - 180;
  return Math.min(60, Math.floor((wrapped + 180) / 6) + 1);
}

/** West edge of a UTM zone, degrees in [-180, 174]. */
export function zoneWestLon(zone: number): number {
  return -180 + (zone - 1) * 6;
}

/** Latitude band letter of a latitude; undefined outside MGRS's UTM area (80°S-84°N). */
export function latitudeBand(lat: number): string | undefined {
  if (lat < -80 || lat > 84) return undefined;
  const index = Math.min(19, Math.floor((lat + 80) / 8));
  return LATITUDE_BANDS[index];
}

/** Whether a latitude band letter is in the southern hemisphere (C-M). */
export function isSouthernBand(band: string): boolean {
  return LATITUDE_BANDS.indexOf(band) < LATITUDE_BANDS.indexOf('N');
}

/** EPSG code of a zone's WGS 84 / UTM projection: 326zz north, 327zz south. */
export function utmEpsg(zone: number, south: boolean): number {
  return (south ? 32700 : 32600) + zone;
}

/**
 * The two 100 km square letters for the square whose south-west corner is at
 * (easting, northing) in `zone` (both multiples of 100 km; northing includes the southern
 * false northing of 10,000 km, which is itself a multiple of the 2,000 km letter cycle).
 */
export function squareLetters(zone: number, easting: number, northing: number): string {
  const column = Math.floor(easting / SQUARE_M); // 1..8 inside a zone
  const set = (zone - 1) % 3;
  // A zone's squares are its columns 1-8: column 9 of zone 16 is not the J of zone 17.
  if (column < 1 || column > 8) throw new RangeError(`no MGRS square at zone ${zone} E ${easting} N ${northing}`);
  const rowOffset = zone % 2 === 0 ? 5 : 0;
  return COLUMN_LETTERS[set * 8 + column - 1]! + ROW_LETTERS[(((Math.floor(northing / SQUARE_M) + rowOffset) % 20) + 20) % 20]!;
}

/** Formats a tile id the way Sentinel-2 names tiles: two-digit zone, band, square ("01CCV"). */
export function formatTileId(zone: number, band: string, square: string): string {
  return `${String(zone).padStart(2, '0')}${band}${square}`;
}

const TILE_ID = /^(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z])([A-HJ-NP-V])$/;

/** Splits a tile id ("16TCK", also "T16TCK" as in product names); undefined if malformed. */
export function parseTileId(tileId: string): TileIdParts | undefined {
  const match = TILE_ID.exec(tileId.trim().toUpperCase().replace(/^T(?=\d)/, ''));
  if (!match) return undefined;
  const zone = Number(match[1]);
  if (zone < 1 || zone > 60) return undefined;
  return { zone, band: match[2]!, column: match[3]!, row: match[4]! };
}

/** Easting of the west edge of the square named by a column letter in a zone, or undefined. */
export function squareEasting(zone: number, column: string): number | undefined {
  const set = (zone - 1) % 3;
  const index = COLUMN_LETTERS.indexOf(column) - set * 8;
  if (index < 0 || index > 7) return undefined;
  return (index + 1) * SQUARE_M;
}

/**
 * Northings (south edge, metres) of the squares that carry a row letter, one per 2,000 km
 * cycle, from 0 up to `maxNorthing`.
 */
export function squareNorthings(zone: number, row: string, maxNorthing: number): number[] {
  const rowOffset = zone % 2 === 0 ? 5 : 0;
  const first = (((ROW_LETTERS.indexOf(row) - rowOffset) % 20) + 20) % 20;
  const out: number[] = [];
  for (let n = first; n * SQUARE_M <= maxNorthing; n += 20) out.push(n * SQUARE_M);
  return out;
}

/** A tile footprint in its zone's UTM projection, metres. */
export interface Footprint {
  epsg: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * The Sentinel-2 footprint of the square with south-west corner (easting, northing): the
 * grid origin is the square's west/north corner and the tile reaches 109.8 km east and
 * south, so it overlaps its east and south neighbours by 9.8 km.
 */
export function tileFootprint(epsg: number, easting: number, northing: number): Footprint {
  const maxY = northing + SQUARE_M;
  return { epsg, minX: easting, maxX: easting + TILE_M, minY: maxY - TILE_M, maxY };
}
