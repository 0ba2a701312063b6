/**
 * Lon/lat <-> UTM through GDAL/PROJ, with one transformation object per EPSG code kept for
 * the life of the process (creating them is the expensive part).
 */
import type * as gdal from 'gdal-async';
import { loadGdal } from '../load-gdal.js';

// OGC:CRS84 is WGS 84 with lon/lat axis order, which is what GeoJSON and us-atlas use;
// EPSG:4326 in GDAL 3 would swap the axes.
let lonLat: gdal.SpatialReference | undefined;
const forward = new Map<number, gdal.CoordinateTransformation>();
const inverse = new Map<number, gdal.CoordinateTransformation>();
const systems = new Map<number, gdal.SpatialReference>();

function lonLatSrs(): gdal.SpatialReference {
  lonLat ??= loadGdal().SpatialReference.fromUserInput('OGC:CRS84');
  return lonLat;
}

/** The spatial reference of an EPSG code, cached. */
export function srsOf(epsg: number): gdal.SpatialReference {
  let srs = systems.get(epsg);
  if (!srs) {
    srs = loadGdal().SpatialReference.fromEPSG(epsg);
    systems.set(epsg, srs);
  }
  return srs;
}

function toUtmTransform(epsg: number): gdal.CoordinateTransformation {
  let ct = forward.get(epsg);
  if (!ct) {
    ct = new (loadGdal().CoordinateTransformation)(lonLatSrs(), srsOf(epsg));
    forward.set(epsg, ct);
  }
  return ct;
}

function toLonLatTransform(epsg: number): gdal.CoordinateTransformation {
  let ct = inverse.get(epsg);
  if (!ct) {
    ct = new (loadGdal().CoordinateTransformation)(srsOf(epsg), lonLatSrs());
    inverse.set(epsg, ct);
  }
  return ct;
}

/** Projects a lon/lat point to the UTM system `epsg`: [x, y] in metres. */
export function projectPoint(epsg: number, lon: number, lat: number): [number, number] {
  const p = toUtmTransform(epsg).transformPoint(lon, lat);
  return [p.x, p.y];
}

/** Unprojects a UTM point of system `epsg` to [lon, lat] degrees. */
export function unprojectPoint(epsg: number, x: number, y: number): [number, number] {
  const p = toLonLatTransform(epsg).transformPoint(x, y);
  return [p.x, p.y];
}

/** Projects a lon/lat geometry in place to the UTM system `epsg`. */
export function projectGeometry(geometry: gdal.Geometry, epsg: number): void {
  geometry.transform(toUtmTransform(epsg));
}

/** The polygonal area of a geometry in its own units squared; 0 for points and lines. */
export function areaOf(geometry: gdal.Geometry): number {
  const { Polygon, GeometryCollection } = loadGdal();
  if (geometry instanceof Polygon || geometry instanceof GeometryCollection) {
    return geometry.getArea();
  }
  return 0;
}
