/**
 * The tile cover computed the other way, through GDAL (GEOS intersections, PROJ
 * projections), as the reference for src/geo/tile-cover.ts, which does the same in plain
 * arithmetic. Written independently of it: the zone strips, the projection and the
 * intersections are GDAL's; only the grid's naming rules (which squares exist, their ids)
 * come from src/geo, whose own tests check them against the MGRS definition.
 */
import gdal from 'gdal-async';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { squareInZone } from '../../src/geo/tile-cover.js';
import { tileIdOfSquare } from '../../src/geo/tile-grid.js';

const SQUARE_M = 100_000;
const TILE_M = 109_800;
const lonLat = gdal.SpatialReference.fromUserInput('OGC:CRS84');
const transforms = new Map<number, gdal.CoordinateTransformation>();

function toUtm(epsg: number): gdal.CoordinateTransformation {
  let ct = transforms.get(epsg);
  if (!ct) transforms.set(epsg, (ct = new gdal.CoordinateTransformation(lonLat, gdal.SpatialReference.fromEPSG(epsg))));
  return ct;
}

function box(minX: number, minY: number, maxX: number, maxY: number): gdal.Geometry {
  return gdal.Geometry.fromGeoJson({ type: 'Polygon', coordinates: [[[minX, minY], [maxX, minY], [maxX, maxY], [minX, maxY], [minX, minY]]] });
}

function area(g: gdal.Geometry): number {
  return g instanceof gdal.Polygon || g instanceof gdal.GeometryCollection ? g.getArea() : 0;
}

function intersect(a: gdal.Geometry, b: gdal.Geometry): gdal.Geometry {
  try {
    return a.intersection(b);
  } catch {
    return a.makeValid().intersection(b);
  }
}

/** Tile id -> overlap km², and the polygon's UTM area km², both through GDAL. */
export function gdalTileCover(geometry: Polygon | MultiPolygon): { tiles: Map<string, number>; areaKm2: number } {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const tiles = new Map<string, number>();
  let areaM2 = 0;
  for (const rings of polygons) {
    const lons = rings.flat().map((p) => p[0]!);
    const crosses = Math.max(...lons) - Math.min(...lons) > 180;
    const unwrapped: Position[][] = crosses ? rings.map((r) => r.map(([lon, lat]) => [lon! < 0 ? lon! + 360 : lon!, lat!])) : rings;
    const allLons = unwrapped.flat().map((p) => p[0]!);
    const lats = rings.flat().map((p) => p[1]!);
    // The 6° strips the polygon's longitudes reach (past 180°E for the Aleutians), each
    // hemisphere it reaches: GDAL cuts, then projects.
    for (let strip = Math.floor((Math.min(...allLons) + 180) / 6); strip <= Math.floor((Math.max(...allLons) + 180) / 6); strip++) {
      const shift = strip >= 60 ? -360 : 0;
      const west = -180 + strip * 6 + shift;
      const shape = gdal.Geometry.fromGeoJson({ type: 'Polygon', coordinates: unwrapped.map((r) => r.map(([lon, lat]) => [lon! + shift, lat!])) });
      for (const south of [false, true]) {
        if (south ? Math.min(...lats) >= 0 : Math.max(...lats) <= 0) continue;
        const piece = intersect(shape, box(west, south ? -80 : 0, west + 6, south ? 0 : 84));
        if (area(piece) === 0) continue;
        const zone = (strip % 60) + 1;
        const epsg = (south ? 32700 : 32600) + zone;
        piece.transform(toUtm(epsg));
        areaM2 += area(piece);
        const env = piece.getEnvelope();
        for (let column = 1; column <= 8; column++) {
          for (let row = Math.floor((env.minY - SQUARE_M) / SQUARE_M); row <= Math.ceil(env.maxY / SQUARE_M); row++) {
            const easting = column * SQUARE_M;
            const northing = row * SQUARE_M;
            if (northing < 0 || !squareInZone(zone, south, easting, northing)) continue;
            const maxY = northing + SQUARE_M;
            const overlap = area(intersect(piece, box(easting, maxY - TILE_M, easting + TILE_M, maxY)));
            if (overlap < 1) continue;
            const id = tileIdOfSquare(zone, south, easting, northing);
            tiles.set(id, (tiles.get(id) ?? 0) + overlap / 1e6);
          }
        }
      }
    }
  }
  return { tiles, areaKm2: areaM2 / 1e6 };
}
