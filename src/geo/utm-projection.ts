/**
 * GDAL's side of the UTM systems, for the code that hands geometries and rasters to GDAL
 * (parcels, generated scenes): spatial references kept for the life of the process, and
 * polygon areas. The tile grid and the tile covers project with transverse-mercator.ts.
 */
import type * as gdal from 'gdal-async';
import { loadGdal } from '../load-gdal.js';

const systems = new Map<number, gdal.SpatialReference>();

/** The spatial reference of an EPSG code, cached. */
export function srsOf(epsg: number): gdal.SpatialReference {
  let srs = systems.get(epsg);
  if (!srs) {
    srs = loadGdal().SpatialReference.fromEPSG(epsg);
    systems.set(epsg, srs);
  }
  return srs;
}

/** The polygonal area of a geometry in its own units squared; 0 for points and lines. */
export function areaOf(geometry: gdal.Geometry): number {
  const { Polygon, GeometryCollection } = loadGdal();
  if (geometry instanceof Polygon || geometry instanceof GeometryCollection) {
    return geometry.getArea();
  }
  return 0;
}
