/**
 * Which Sentinel-2 tiles a lon/lat polygon needs: the polygon is cut along UTM zone edges
 * (and the equator), each piece is projected into its own zone, and every tile footprint
 * of that zone that the piece overlaps with non-zero area is kept. A piece is matched only
 * against its own zone's tiles, because that is the projection its pixels will be read in.
 *
 * Plain arithmetic, no GDAL: rings are cut by Sutherland-Hodgman (polygon-clip.ts) and their
 * vertices projected by Krüger's series (transverse-mercator.ts), as GDAL would cut them with
 * GEOS and project them with PROJ. test/geo/tile-cover-reference.test.ts computes every
 * county's cover through gdal-async as well and requires the same tiles and areas.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { SQUARE_M, TILE_M, utmEpsg, utmZoneOfLon, zoneWestLon, type Footprint } from './mgrs.js';
import { clipPolygon, clippedPolygonArea, polygonArea, splitAlongVertical } from './polygon-clip.js';
import { tileIdOfSquare } from './tile-grid.js';
import { projectPoint, unprojectPoint } from './transverse-mercator.js';

/** One tile a polygon needs and how much of the polygon lies in its footprint. */
export interface TileOverlap {
  tileId: string;
  footprint: Footprint;
  /** Area of polygon x footprint, km², measured in the tile's UTM projection. */
  overlapKm2: number;
}

export interface TileCover {
  /** Sorted by tile id. */
  tiles: TileOverlap[];
  /** Area of the polygon, km², summed over its pieces in their UTM projections. */
  areaKm2: number;
}

/** Intersections smaller than this (m²) are numerical noise along shared edges, not land. */
const MIN_OVERLAP_M2 = 1;

/** The tiles covering a lon/lat (multi)polygon, with their overlap areas. */
export function tileCover(geometry: Polygon | MultiPolygon): TileCover {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const byTile = new Map<string, TileOverlap>();
  let areaM2 = 0;
  for (const rings of polygons) {
    for (const piece of zonePieces(rings)) {
      areaM2 += polygonArea(piece.rings);
      for (const overlap of overlapsInZone(piece.rings, piece.zone, piece.south)) {
        const seen = byTile.get(overlap.tileId);
        if (seen) seen.overlapKm2 += overlap.overlapKm2;
        else byTile.set(overlap.tileId, overlap);
      }
    }
  }
  // A polygon without area (Falls Church, 51610, is a degenerate one in us-atlas) overlaps
  // nothing by area: it gets the tiles whose footprints hold its outline's points instead.
  if (byTile.size === 0) for (const overlap of tilesAtPoints(polygons.flat(2))) byTile.set(overlap.tileId, overlap);
  const tiles = [...byTile.values()].sort((a, b) => a.tileId.localeCompare(b.tileId));
  return { tiles, areaKm2: areaM2 / 1e6 };
}

/** The tiles whose footprints hold any of the lon/lat points, each in the point's own zone; overlap 0. */
function tilesAtPoints(points: Position[]): TileOverlap[] {
  const out = new Map<string, TileOverlap>();
  for (const [lon, lat] of points) {
    const zone = utmZoneOfLon(lon!);
    const south = lat! < 0;
    const epsg = utmEpsg(zone, south);
    const [x, y] = projectPoint(epsg, lon!, lat!);
    for (const [easting, northing] of candidateSquares({ minX: x, minY: y, maxX: x, maxY: y }, south)) {
      if (!squareInZone(zone, south, easting, northing)) continue;
      const tileId = tileIdOfSquare(zone, south, easting, northing);
      out.set(tileId, { tileId, footprint: footprintOfSquare(epsg, easting, northing), overlapKm2: 0 });
    }
  }
  return [...out.values()];
}

function footprintOfSquare(epsg: number, easting: number, northing: number): Footprint {
  const maxY = northing + SQUARE_M;
  return { epsg, minX: easting, maxX: easting + TILE_M, minY: maxY - TILE_M, maxY };
}

/**
 * Whether the 100 km square at (easting, northing) reaches into its UTM zone. By the MGRS
 * definition a square wholly outside its zone does not exist, and the published Sentinel-2
 * grid has no tile for it (docs/geography.md): its footprint only reaches the zone through
 * the 9.8 km overlap, which the neighbouring square's tile covers anyway. The zone's edge
 * is a meridian; along the square's edge nearest the central meridian the edge meridian is
 * monotonic, so testing that edge's two corners settles it.
 */
export function squareInZone(zone: number, south: boolean, easting: number, northing: number): boolean {
  const epsg = utmEpsg(zone, south);
  const west = zoneWestLon(zone);
  const nearX = easting + SQUARE_M <= 500_000 ? easting + SQUARE_M : easting >= 500_000 ? easting : undefined;
  if (nearX === undefined) return true; // the square holds the central meridian
  return [northing, northing + SQUARE_M].some((y) => {
    const [lon] = unprojectPoint(epsg, nearX, y);
    return lon > west && lon < west + 6;
  });
}

interface ZonePiece {
  zone: number;
  south: boolean;
  /** The piece's rings (shell, then holes), projected into the zone's UTM system. */
  rings: Position[][];
}

/** Splits one polygon (its rings) into per-zone, per-hemisphere pieces, projected. */
function zonePieces(rings: Position[][]): ZonePiece[] {
  let minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
  for (const ring of rings) {
    for (const [lon, lat] of ring) {
      minLon = Math.min(minLon, lon!); maxLon = Math.max(maxLon, lon!);
      minLat = Math.min(minLat, lat!); maxLat = Math.max(maxLat, lat!);
    }
  }
  // A ring spanning more than half the globe crosses the antimeridian: move its western
  // longitudes past +180 so it becomes one contiguous shape, then cut it into zones there.
  const crosses = maxLon - minLon > 180;
  const unwrapped = crosses ? rings.map((ring) => ring.map(([lon, lat]) => [lon! < 0 ? lon! + 360 : lon!, lat!])) : rings;
  if (crosses) {
    minLon = Infinity; maxLon = -Infinity;
    for (const ring of unwrapped) for (const [lon] of ring) { minLon = Math.min(minLon, lon!); maxLon = Math.max(maxLon, lon!); }
  }
  const firstStrip = Math.floor((minLon + 180) / 6);
  const lastStrip = Math.floor((Math.min(maxLon, minLon + 359.999999) + 180) / 6);
  const hemispheres = [...(maxLat > 0 || minLat >= 0 ? [false] : []), ...(minLat < 0 ? [true] : [])];

  const pieces: ZonePiece[] = [];
  for (let strip = firstStrip; strip <= lastStrip; strip++) {
    const zone = (((strip % 60) + 60) % 60) + 1;
    // Strips past +180 are the same zones as strips past -180; shift back before projecting.
    const shift = strip >= 60 ? -360 : strip < 0 ? 360 : 0;
    const west = zoneWestLon(zone);
    const shifted = shift === 0 ? unwrapped : unwrapped.map((ring) => ring.map(([lon, lat]) => [lon! + shift, lat!]));
    for (const south of hemispheres) {
      const whole = firstStrip === lastStrip && hemispheres.length === 1;
      let lonLat: Position[][] = shifted;
      if (!whole) {
        lonLat = clipPolygon(shifted, [west, south ? -80 : 0, west + 6, south ? 0 : 84])
          .map((ring) => splitAlongVertical(splitAlongVertical(ring, west), west + 6));
        if (polygonArea(lonLat) === 0) continue;
      }
      const epsg = utmEpsg(zone, south);
      const rings = lonLat.filter((ring) => ring.length > 0).map((ring) => ring.map(([lon, lat]) => projectPoint(epsg, lon!, lat!)));
      pieces.push({ zone, south, rings });
    }
  }
  return pieces;
}

/** The tiles of one zone whose footprints overlap a projected piece. */
function overlapsInZone(rings: Position[][], zone: number, south: boolean): TileOverlap[] {
  const epsg = utmEpsg(zone, south);
  const out: TileOverlap[] = [];
  for (const [easting, northing] of candidateSquares(envelopeOf(rings), south)) {
    if (!squareInZone(zone, south, easting, northing)) continue;
    const footprint = footprintOfSquare(epsg, easting, northing);
    const overlapM2 = clippedPolygonArea(rings, [footprint.minX, footprint.minY, footprint.maxX, footprint.maxY]);
    if (overlapM2 < MIN_OVERLAP_M2) continue;
    out.push({ tileId: tileIdOfSquare(zone, south, easting, northing), footprint, overlapKm2: overlapM2 / 1e6 });
  }
  return out;
}

/**
 * The south-west corners of the 100 km squares whose footprints reach the envelope (UTM
 * metres of one zone). A square's footprint spans [E, E + 109.8 km] x [N + 100 km - 109.8 km,
 * N + 100 km]. Anything inside a zone's strip has eastings of 166-834 km, so the columns
 * stay within 1-8. Squares start at the equator: rows from 0 north, and south up to the one
 * whose north edge is the equator (northing 9,900 km), wherever the 9.8 km overlap reaches.
 */
export function candidateSquares(env: { minX: number; minY: number; maxX: number; maxY: number }, south: boolean): Array<[number, number]> {
  const firstRow = Math.ceil((env.minY - SQUARE_M) / SQUARE_M);
  const lastRow = Math.floor((env.maxY + TILE_M - SQUARE_M) / SQUARE_M);
  const out: Array<[number, number]> = [];
  for (let column = Math.ceil((env.minX - TILE_M) / SQUARE_M); column <= Math.floor(env.maxX / SQUARE_M); column++) {
    for (let row = south ? firstRow : Math.max(firstRow, 0); row <= (south ? Math.min(lastRow, 99) : lastRow); row++) {
      out.push([column * SQUARE_M, row * SQUARE_M]);
    }
  }
  return out;
}

function envelopeOf(rings: Position[][]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const ring of rings) {
    for (const [x, y] of ring) {
      minX = Math.min(minX, x!); maxX = Math.max(maxX, x!);
      minY = Math.min(minY, y!); maxY = Math.max(maxY, y!);
    }
  }
  return { minX, minY, maxX, maxY };
}
