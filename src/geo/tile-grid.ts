/**
 * The Sentinel-2 tile grid, computed: names a 100 km UTM square with its MGRS tile id and
 * finds the footprint of a tile id. The latitude band letter of a tile is the band of its
 * 100 km square's centre (see docs/geography.md for why one letter per square).
 */
import { BiomassError } from '../biomass-error.js';
import {
  formatTileId, isSouthernBand, latitudeBand, parseTileId, squareEasting, squareLetters,
  squareNorthings, SQUARE_M, tileFootprint, utmEpsg, type Footprint,
} from './mgrs.js';
import { unprojectPoint } from './transverse-mercator.js';

/** The tile id of the square with south-west corner (easting, northing) in a zone. */
export function tileIdOfSquare(zone: number, south: boolean, easting: number, northing: number): string {
  const band = bandOfSquare(zone, south, easting, northing);
  if (band === undefined) {
    throw new RangeError(`square at zone ${zone} E ${easting} N ${northing} is outside MGRS's UTM area`);
  }
  return formatTileId(zone, band, squareLetters(zone, easting, northing));
}

/** The band letter of a square (the band of its centre); undefined beyond 84°N or 80°S. */
function bandOfSquare(zone: number, south: boolean, easting: number, northing: number): string | undefined {
  const [, lat] = unprojectPoint(utmEpsg(zone, south), easting + SQUARE_M / 2, northing + SQUARE_M / 2);
  // The centre of a square next to the equator can fall on the other side of it; clamp to
  // the hemisphere the projection belongs to so a square keeps one band.
  return latitudeBand(south ? Math.min(lat, -1e-9) : Math.max(lat, 0));
}

const footprints = new Map<string, Footprint>();

/**
 * The footprint of a Sentinel-2 tile id in its zone's UTM projection (metres). Throws a
 * BiomassError (exit 2) for an id that is malformed or names no square of the grid.
 */
export function footprintOfTile(tileId: string): Footprint {
  const cached = footprints.get(tileId);
  if (cached) return cached;
  const parts = parseTileId(tileId);
  const easting = parts && squareEasting(parts.zone, parts.column);
  if (!parts || easting === undefined) throw unknownTile(tileId);
  const south = isSouthernBand(parts.band);
  const canonical = formatTileId(parts.zone, parts.band, parts.column + parts.row);
  // Row letters repeat every 2,000 km; the band letter picks the cycle.
  const maxNorthing = south ? 10_000_000 - SQUARE_M : 9_400_000;
  for (const northing of squareNorthings(parts.zone, parts.row, maxNorthing)) {
    // A cycle of the row can lie beyond 84°N (row P of zone 37 at 9,300 km): no square of the
    // grid there, so the id simply does not match it.
    const band = bandOfSquare(parts.zone, south, easting, northing);
    if (band !== undefined && formatTileId(parts.zone, band, squareLetters(parts.zone, easting, northing)) === canonical) {
      const footprint = tileFootprint(utmEpsg(parts.zone, south), easting, northing);
      footprints.set(tileId, footprint);
      return footprint;
    }
  }
  throw unknownTile(tileId);
}

function unknownTile(tileId: string): BiomassError {
  return new BiomassError('UNKNOWN_TILE', `"${tileId}" is not a Sentinel-2 MGRS tile id`, {
    hint: 'a tile id is a 2-digit UTM zone, a latitude band letter and two 100 km square letters, e.g. 16TCK',
    exitCode: 2,
  });
}
