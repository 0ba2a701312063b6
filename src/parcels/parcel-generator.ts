/**
 * Writes synthetic land parcels for given counties into a GeoPackage: what `biomass demo`
 * and the tests read as a parcel source. Parcels are a jittered grid of quarter-section-like
 * lots laid out in the county's UTM zone (as US land surveys are), split into smaller lots
 * near a few "towns", kept where the lot's centre lies inside the county, and stored in
 * lon/lat (EPSG:4326) like most parcel deliveries, so readers must reproject.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type * as gdal from 'gdal-async';
import { loadGdal } from '../load-gdal.js';
import type { Geography } from '../geo/geography.js';
import { utmZoneOfLon } from '../geo/mgrs.js';
import { hash01 } from '../tiles/scene-pattern.js';

export interface GenerateParcelsOptions {
  geography: Geography;
  /** Counties to fill (5-digit FIPS). */
  counties: string[];
  /** GeoPackage to write; replaced whole (written to a temporary name, then renamed). */
  file: string;
  /** Layer name. Default parcels. */
  layer?: string;
  /** Side of a rural lot, metres. Default 800 (a quarter section is ~805 m). */
  lotSize?: number;
  /** Share of lots split into 4 smaller ones (towns, subdivisions). Default 0.1. */
  splitShare?: number;
  /**
   * Parcels per km² (before splits), overriding lotSize: about 19.6 gives McLean (~3,070 km²)
   * its ~60,000 parcels.
   */
  density?: number;
  /**
   * Adds what real parcel layers hold (docs/county.md): multipolygons, lots with holes,
   * slivers, self-intersecting (repairable) and collapsed (unrepairable) rings, and empty
   * geometries, each on a small share of lots. Default false (the demo's plain lots).
   */
  variety?: boolean;
  seed?: number;
}

export interface GeneratedParcels {
  file: string;
  layer: string;
  /** County FIPS -> parcels written. */
  counts: Record<string, number>;
}

/** Generates the parcels; deterministic for the same options. */
export async function generateParcels(options: GenerateParcelsOptions): Promise<GeneratedParcels> {
  const layerName = options.layer ?? 'parcels';
  const lot = options.density ? Math.sqrt(1e6 / options.density) : (options.lotSize ?? 800);
  const variety = options.variety ?? false;
  const splitShare = options.splitShare ?? 0.1;
  const seed = options.seed ?? 0;
  await mkdir(path.dirname(options.file), { recursive: true });
  const temporary = `${options.file}.tmp.gpkg`;
  await rm(temporary, { force: true });

  // The layer says EPSG:4326 (what parcel deliveries say); coordinates are written x = lon,
  // as GeoPackage stores them. Transformations use OGC:CRS84, WGS 84 with lon/lat axis order.
  const gdal = loadGdal();
  const wgs84 = gdal.SpatialReference.fromEPSG(4326);
  const lonLat = gdal.SpatialReference.fromUserInput('OGC:CRS84');
  const counts: Record<string, number> = {};
  try {
    const dataset = gdal.open(temporary, 'w', 'GPKG');
    try {
      // A layer of mixed types (polygons, multipolygons, empty) is what messy sources hold.
      const layer = dataset.layers.create(layerName, wgs84, variety ? gdal.wkbUnknown : gdal.wkbPolygon);
      layer.fields.add(new gdal.FieldDefn('parcel_id', gdal.OFTString));
      layer.fields.add(new gdal.FieldDefn('county_fips', gdal.OFTString));
      for (const fips of options.counties) {
        counts[fips] = addCountyParcels(layer, fips, options.geography, lonLat, { lot, splitShare, seed, variety });
      }
      layer.flush();
    } finally {
      // An open GPKG holds a SQLite handle (and, on failure, a half-written file) until closed.
      dataset.close();
    }
    await rename(temporary, options.file);
  } catch (error) {
    // A half-written temp file must not outlive the run (nor be mistaken for output).
    await rm(temporary, { force: true });
    throw error;
  }
  return { file: options.file, layer: layerName, counts };
}

/** Adds the parcels of one county to the layer; returns how many. */
function addCountyParcels(
  layer: gdal.Layer,
  fips: string,
  geography: Geography,
  lonLat: gdal.SpatialReference,
  { lot, splitShare, seed, variety }: { lot: number; splitShare: number; seed: number; variety: boolean },
): number {
  const county = geography.county(fips);
  const zone = utmZoneOfLon((county.bbox[0] + county.bbox[2]) / 2);
  const gdal = loadGdal();
  const utm = gdal.SpatialReference.fromEPSG((county.bbox[1] + county.bbox[3]) / 2 >= 0 ? 32600 + zone : 32700 + zone);
  const toUtm = new gdal.CoordinateTransformation(lonLat, utm);
  const toLonLat = new gdal.CoordinateTransformation(utm, lonLat);
  const boundary = gdal.Geometry.fromGeoJson(geography.countyGeometry(fips));
  boundary.transform(toUtm);
  const env = boundary.getEnvelope();
  const x0 = Math.floor(env.minX / lot) * lot;
  const y0 = Math.floor(env.minY / lot) * lot;
  let n = 0;
  for (let y = y0; y < env.maxY; y += lot) {
    for (let x = x0; x < env.maxX; x += lot) {
      const i = Math.round((x - x0) / lot);
      const j = Math.round((y - y0) / lot);
      const cells = hash01(i, j, seed, 7) < splitShare ? quarters(x, y, lot) : [[x, y, lot] as const];
      for (const [cx, cy, size] of cells) {
        // Jitter the inner corners a little so lots are not all identical squares.
        const inset = size * 0.04 * hash01(i, j, cx, seed);
        const ring = new gdal.LinearRing();
        ring.points.add(cx + inset, cy + inset);
        ring.points.add(cx + size - inset, cy + inset);
        ring.points.add(cx + size - inset, cy + size - inset);
        ring.points.add(cx + inset, cy + size - inset);
        ring.points.add(cx + inset, cy + inset);
        const polygon = new gdal.Polygon();
        polygon.rings.add(ring);
        if (!boundary.contains(polygon.centroid())) continue;
        const geometry = variety ? varied(polygon, cx + inset, cy + inset, size - 2 * inset, hash01(i, j, cx, seed + 11)) : polygon;
        if (!geometry.isEmpty()) geometry.transform(toLonLat);
        const feature = new gdal.Feature(layer);
        n += 1;
        feature.fields.set('parcel_id', `${fips}-${String(n).padStart(6, '0')}`);
        feature.fields.set('county_fips', fips);
        feature.setGeometry(geometry);
        layer.features.add(feature);
      }
    }
  }
  return n;
}

/** One lot made into one of the shapes real layers hold, by a hash r in [0, 1); most stay as they are. */
function varied(polygon: gdal.Polygon, x: number, y: number, size: number, r: number): gdal.Geometry {
  const gdal = loadGdal();
  const ring = (points: Array<[number, number]>) => {
    const lr = new gdal.LinearRing();
    for (const [px, py] of points) lr.points.add(px, py);
    lr.points.add(points[0]![0], points[0]![1]);
    return lr;
  };
  const poly = (...rings: gdal.LinearRing[]) => {
    const p = new gdal.Polygon();
    for (const lr of rings) p.rings.add(lr);
    return p;
  };
  const box = (x0: number, y0: number, x1: number, y1: number): Array<[number, number]> => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
  if (r < 0.04) {
    // Two parts with a road between them.
    const multi = new gdal.MultiPolygon();
    multi.children.add(poly(ring(box(x, y, x + size * 0.45, y + size))));
    multi.children.add(poly(ring(box(x + size * 0.55, y, x + size, y + size))));
    return multi;
  }
  if (r < 0.08) return poly(ring(box(x, y, x + size, y + size)), ring(box(x + size * 0.3, y + size * 0.3, x + size * 0.7, y + size * 0.6)));
  if (r < 0.10) return poly(ring(box(x, y, x + size, y + 3.7))); // a sliver: a strip a few metres wide
  if (r < 0.11) return poly(ring([[x, y], [x + size, y + size], [x + size, y], [x, y + size]])); // a bowtie: self-intersecting, repairable
  if (r < 0.115) return poly(ring([[x, y], [x + size, y + size]])); // collapsed to a line (too few points): no area to repair
  if (r < 0.12) return new gdal.Polygon(); // empty
  return polygon;
}

function quarters(x: number, y: number, size: number): Array<readonly [number, number, number]> {
  const h = size / 2;
  return [[x, y, h], [x + h, y, h], [x, y + h, h], [x + h, y + h, h]];
}
