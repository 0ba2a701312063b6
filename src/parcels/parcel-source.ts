/**
 * The parcel source: any OGR source through gdal-async (GeoPackage by default, FlatGeobuf,
 * Shapefile, PostGIS through `PG:`), read one county at a time with an attribute filter the
 * driver applies (SQL WHERE for GeoPackage and PostGIS), never the whole layer filtered in
 * JavaScript. Bad input is refused before any work, naming the source and the fix.
 * gdal-async stays on the main thread.
 */
import gdal from 'gdal-async';
import { BiomassError } from '../biomass-error.js';
import { countyAttributeFilter } from '../plan/ogr-identifier.js';
import { redact } from '../secrets.js';

export interface ParcelSourceOptions {
  uri: string;
  /** '' = the first layer. */
  layer: string;
  countyField: string;
  idField: string;
}

/** One parcel as read: its geometry repaired when it had to be, or why it has none. */
export interface SourceParcel {
  id: string;
  /** Polygonal geometry in the source's CRS; undefined with a status. */
  geometry?: gdal.Geometry;
  status?: 'invalid_geometry' | 'empty_geometry';
  /** Whether MakeValid repaired it. */
  repaired?: boolean;
}

export interface OpenParcelSource {
  readonly description: string;
  readonly srs: gdal.SpatialReference;
  readonly fields: string[];
  /** The parcels of one county, in layer order. */
  county(fips: string): SourceParcel[];
  /** How many parcels a county has (the driver counts). */
  countCounty(fips: string): number;
  close(): void;
}

export function openParcelSource(options: ParcelSourceOptions): OpenParcelSource {
  const name = redact(options.uri);
  let dataset: gdal.Dataset;
  try {
    // A PG: source is opened as vectors only: the PostGIS raster driver would try it first
    // and fail on a database without raster tables.
    dataset = /^PG:/i.test(options.uri) ? gdal.open(options.uri, 'r', ['PostgreSQL']) : gdal.open(options.uri);
  } catch (error) {
    throw new BiomassError('PARCELS_OPEN', `cannot open the parcel source ${name}: ${(error as Error).message}`, {
      hint: 'check sources.parcels.uri: a GeoPackage, FlatGeobuf or Shapefile path, or PG:... for PostGIS', exitCode: 2, cause: error,
    });
  }
  try {
    const layers = dataset.layers.map((l) => l.name);
    if (layers.length === 0) throw new BiomassError('PARCELS_LAYER', `the parcel source ${name} has no layer`, { hint: 'point sources.parcels.uri at a vector source', exitCode: 2 });
    if (options.layer && !layers.includes(options.layer)) {
      throw new BiomassError('PARCELS_LAYER', `the parcel source ${name} has no layer "${options.layer}"`, { hint: `layers: ${layers.join(', ')}; set sources.parcels.layer`, exitCode: 2 });
    }
    const layer = options.layer ? dataset.layers.get(options.layer) : dataset.layers.get(0);
    const srs = layer.srs;
    // GeoPackage reports a layer without CRS as an "Undefined geographic/cartesian SRS".
    if (!srs || /^[A-Z_]+\["Undefined /.test(srs.toWKT())) {
      throw new BiomassError('PARCELS_CRS', `the parcel source ${name} (layer ${layer.name}) has no coordinate reference system`, {
        hint: 'assign one to the source (ogr2ogr -a_srs EPSG:4326 ...): parcels are reprojected to each tile\'s UTM zone', exitCode: 2,
      });
    }
    const fields = layer.fields.getNames();
    for (const [key, field] of [['county_field', options.countyField], ['id_field', options.idField]] as const) {
      if (!fields.includes(field)) {
        throw new BiomassError('PARCELS_FIELD', `the parcel source ${name} (layer ${layer.name}) has no field "${field}" (sources.parcels.${key})`, {
          hint: `fields that exist: ${fields.join(', ') || '(none)'}`, exitCode: 2,
        });
      }
    }
    return {
      description: `${name} (layer ${layer.name})`,
      srs,
      fields,
      countCounty(fips) {
        layer.setAttributeFilter(countyAttributeFilter(options.countyField, fips));
        try {
          return layer.features.count(true);
        } finally {
          layer.setAttributeFilter(null);
        }
      },
      county(fips) {
        layer.setAttributeFilter(countyAttributeFilter(options.countyField, fips));
        const out: SourceParcel[] = [];
        try {
          for (let f = layer.features.first(); f; f = layer.features.next()) {
            out.push(readParcel(String(f.fields.get(options.idField) ?? ''), f.getGeometry()));
          }
        } finally {
          layer.setAttributeFilter(null);
        }
        return out;
      },
      close: () => dataset.close(),
    };
  } catch (error) {
    dataset.close();
    throw error;
  }
}

/** Checks one geometry: empty, valid, repaired by MakeValid, or invalid. Never throws. */
export function readParcel(id: string, geometry: gdal.Geometry | null): SourceParcel {
  if (!geometry || geometry.isEmpty()) return { id, status: 'empty_geometry' };
  try {
    if (geometry.isValid()) return polygonal(geometry) ? { id, geometry } : { id, status: 'invalid_geometry' };
    const repaired = geometry.makeValid();
    const kept = polygonalPart(repaired);
    if (kept && !kept.isEmpty() && kept.isValid()) return { id, geometry: kept, repaired: true };
  } catch {
    // GEOS refused it (a ring of fewer than 4 points, NaN coordinates): recorded below as invalid.
  }
  return { id, status: 'invalid_geometry' };
}

function polygonal(g: gdal.Geometry): boolean {
  return g instanceof gdal.Polygon || g instanceof gdal.MultiPolygon;
}

/** MakeValid may return a collection with lines or points beside the polygons: keep the polygons. */
function polygonalPart(g: gdal.Geometry): gdal.Geometry | undefined {
  if (polygonal(g)) return g;
  if (g instanceof gdal.GeometryCollection) {
    const multi = new gdal.MultiPolygon();
    for (const child of g.children) {
      if (child instanceof gdal.Polygon) multi.children.add(child);
      else if (child instanceof gdal.MultiPolygon) for (const p of child.children) multi.children.add(p);
    }
    return multi.children.count() > 0 ? multi : undefined;
  }
  return undefined;
}
