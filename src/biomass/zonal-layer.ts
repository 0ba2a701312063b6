/**
 * `biomass zonal`: the coverage and statistics kernels on any raster band and polygon layer.
 * The band is read once into shared memory (no copy per worker); features are reprojected to
 * the raster's CRS on the main thread (GDAL), exported as WKB and handed to the kernel
 * workers in chunks; rows come back in layer order.
 */
import { BiomassError } from '../biomass-error.js';
import type { CoverageRule } from './coverage.js';
import type { KernelPool } from './kernel-pool.js';
import { gridOf, packWkb } from './wkb-pixel-polygon.js';

export interface ZonalOptions {
  raster: string;
  vector: string;
  layer?: string;
  idField?: string;
  /** 1-based. Default 1. */
  band?: number;
  rule: CoverageRule;
  pool: KernelPool;
  signal?: AbortSignal;
}

export interface ZonalRow {
  id: string;
  count: number;
  sum: number;
  mean: number;
  min: number;
  max: number;
}

/** Features per worker task: big enough to amortize a message, small enough to spread. */
const CHUNK = 256;

const TYPED: Record<string, (buffer: SharedArrayBuffer, n: number) => ZonalPixels> = {
  Byte: (b, n) => new Uint8Array(b, 0, n),
  UInt16: (b, n) => new Uint16Array(b, 0, n),
  Int16: (b, n) => new Int16Array(b, 0, n),
  UInt32: (b, n) => new Uint32Array(b, 0, n),
  Int32: (b, n) => new Int32Array(b, 0, n),
  Float32: (b, n) => new Float32Array(b, 0, n),
  Float64: (b, n) => new Float64Array(b, 0, n),
};
type ZonalPixels = Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
const BYTES: Record<string, number> = { Byte: 1, UInt16: 2, Int16: 2, UInt32: 4, Int32: 4, Float32: 4, Float64: 8 };

export async function zonalOfLayer(options: ZonalOptions): Promise<ZonalRow[]> {
  const gdal = (await import('gdal-async')).default;
  const raster = await openOrFail(gdal, options.raster, 'raster');
  const vector = await openOrFail(gdal, options.vector, 'vector');
  try {
    const bandNumber = options.band ?? 1;
    if (bandNumber < 1 || bandNumber > raster.bands.count()) {
      throw new BiomassError('ZONAL_BAND', `${options.raster} has ${raster.bands.count()} band(s); there is no band ${bandNumber}`, {
        hint: `use --band 1..${raster.bands.count()}`, exitCode: 2,
      });
    }
    const band = raster.bands.get(bandNumber);
    const gt = raster.geoTransform;
    if (!gt || gt[2] !== 0 || gt[4] !== 0) {
      throw new BiomassError('ZONAL_RASTER', `${options.raster} has no north-up geotransform`, { hint: 'warp it first (gdalwarp)', exitCode: 2 });
    }
    const { x: width, y: height } = raster.rasterSize;
    const type = band.dataType ?? 'Float64';
    const make = TYPED[type] ?? TYPED.Float64!;
    const bytes = BYTES[type] ?? 8;
    const values = make(new SharedArrayBuffer(width * height * bytes), width * height);
    await band.pixels.readAsync(0, 0, width, height, values);
    const noData = band.noDataValue ?? null;

    const layer = pickLayer(gdal, vector, options);
    const fields = layer.fields.getNames();
    if (options.idField && !fields.includes(options.idField)) {
      throw new BiomassError('ZONAL_ID_FIELD', `${options.vector}: layer ${layer.name} has no field "${options.idField}"`, {
        hint: `fields: ${fields.join(', ') || '(none)'}`, exitCode: 2,
      });
    }
    const toRaster = layer.srs && raster.srs && !layer.srs.isSame(raster.srs) ? new gdal.CoordinateTransformation(layer.srs, raster.srs) : undefined;
    const grid = gridOf(gt);
    const ids: string[] = [];
    const pending: Array<Promise<Float64Array>> = [];
    let chunk: Uint8Array[] = [];
    const flush = () => {
      const geometries = packWkb(chunk);
      pending.push(options.pool.run({ task: 'zonal', rule: options.rule, width, height, values, noData, grid, geometries }, [geometries.bytes.buffer, geometries.ends.buffer], options.signal));
      chunk = [];
    };
    for (let feature = layer.features.first(); feature; feature = layer.features.next()) {
      options.signal?.throwIfAborted();
      ids.push(options.idField ? String(feature.fields.get(options.idField) ?? '') : String(feature.fid));
      const geometry = feature.getGeometry();
      if (geometry && toRaster) geometry.transform(toRaster);
      chunk.push(geometry ? new Uint8Array(geometry.toWKB()) : EMPTY_WKB);
      if (chunk.length === CHUNK) flush();
    }
    if (chunk.length > 0) flush();
    const results = await Promise.all(pending);
    return ids.map((id, i) => {
      const r = results[Math.floor(i / CHUNK)]!;
      const k = 5 * (i % CHUNK);
      return { id, count: r[k]!, sum: r[k + 1]!, mean: r[k + 2]!, min: r[k + 3]!, max: r[k + 4]! };
    });
  } finally {
    vector.close();
    raster.close();
  }
}

/** An empty GeometryCollection: a feature without geometry covers nothing. */
const EMPTY_WKB = Uint8Array.from([1, 7, 0, 0, 0, 0, 0, 0, 0]);

type Gdal = typeof import('gdal-async');

async function openOrFail(gdal: Gdal, file: string, what: string): Promise<import('gdal-async').Dataset> {
  try {
    return await gdal.openAsync(file);
  } catch (error) {
    throw new BiomassError('ZONAL_OPEN', `cannot open the ${what} ${file}: ${(error as Error).message}`, {
      hint: `check the path; any GDAL-readable ${what} works`, exitCode: 2, cause: error,
    });
  }
}

function pickLayer(gdal: Gdal, vector: import('gdal-async').Dataset, options: ZonalOptions): import('gdal-async').Layer {
  void gdal;
  const names = vector.layers.map((l) => l.name);
  if (options.layer === undefined) {
    if (names.length === 0) throw new BiomassError('ZONAL_LAYER', `${options.vector} has no layer`, { exitCode: 2 });
    return vector.layers.get(0);
  }
  if (!names.includes(options.layer)) {
    throw new BiomassError('ZONAL_LAYER', `${options.vector} has no layer "${options.layer}"`, { hint: `layers: ${names.join(', ')}`, exitCode: 2 });
  }
  return vector.layers.get(options.layer);
}
