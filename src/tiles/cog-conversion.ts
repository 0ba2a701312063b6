/**
 * Converts one band file to a streamable COG with gdal-async (on libuv's pool), then checks
 * the copy against its source: CRS, geotransform, size, band count, data type, and pixel
 * equality on a sample of blocks. Also checks the source against its MGRS tile's grid.
 */
import { rm } from 'node:fs/promises';
import type { Dataset } from 'gdal-async';
import { BiomassError } from '../biomass-error.js';
import { footprintOfTile } from '../geo/tile-grid.js';
import type { Plan } from '../plan/plan.js';

/** Above this the classic TIFF's 4 GiB offsets may not do: write BigTIFF (with room for the header). */
const CLASSIC_TIFF_LIMIT = 3.8 * 1024 ** 3;

/** The COG driver's creation options for the plan (the same ones the benchmark gives gdal_translate). */
export function cogCreationOptions(preprocess: Plan['preprocess'], estimatedBytes: number): Record<string, string> {
  return {
    COMPRESS: preprocess.compression.toUpperCase(),
    BLOCKSIZE: String(preprocess.blockSize),
    // Counties read full resolution only: overviews would cost a third more time and disk.
    OVERVIEWS: 'NONE',
    BIGTIFF: estimatedBytes > CLASSIC_TIFF_LIMIT ? 'YES' : 'NO',
    // Parallelism comes from preprocess.parallel_jobs conversions at once, one thread each.
    NUM_THREADS: '1',
    ...(preprocess.compression === 'deflate' || preprocess.compression === 'zstd' || preprocess.compression === 'lzw' ? { PREDICTOR: 'YES' } : {}),
  };
}

/** Bytes of the raster data of a band file, uncompressed: what a compression:none copy needs. */
export function rasterBytes(width: number, height: number, bands: number, bytesPerPixel: number): number {
  return width * height * bands * bytesPerPixel;
}

const BYTES_PER_PIXEL: Record<string, number> = {
  Byte: 1, Int8: 1, UInt16: 2, Int16: 2, UInt32: 4, Int32: 4, Float32: 4, Float64: 8, UInt64: 8, Int64: 8,
};

export interface SourceFacts {
  width: number;
  height: number;
  bands: number;
  dataType: string;
  bytesPerPixel: number;
  epsg: number | null;
  geoTransform: number[];
}

/** Opens a source and reads what the conversion and its checks need. Throws NOT_RASTER. */
export async function openSource(path: string, what: string): Promise<{ dataset: Dataset; facts: SourceFacts }> {
  const gdal = (await import('gdal-async')).default;
  let dataset: Dataset;
  try {
    dataset = await gdal.openAsync(path);
  } catch (error) {
    throw new BiomassError('NOT_RASTER', `${what}: GDAL cannot read it as a raster (truncated or not a raster file): ${(error as Error).message}`, {
      hint: 'the original is damaged or not an image; it is recorded as failed and the other items go on', cause: error,
    });
  }
  try {
    const band = dataset.bands.get(1);
    const dataType = band.dataType ?? 'unknown';
    const bytesPerPixel = BYTES_PER_PIXEL[dataType] ?? 8;
    const epsg = dataset.srs ? Number(dataset.srs.getAuthorityCode(null)) || null : null;
    const { x: width, y: height } = dataset.rasterSize;
    return { dataset, facts: { width, height, bands: dataset.bands.count(), dataType, bytesPerPixel, epsg, geoTransform: dataset.geoTransform ?? [] } };
  } catch (error) {
    dataset.close();
    throw new BiomassError('NOT_RASTER', `${what}: cannot read its raster facts: ${(error as Error).message}`, { cause: error });
  }
}

/** Throws GRID_MISMATCH when the file's CRS or extent contradicts its MGRS tile. */
export function checkAgainstGrid(facts: SourceFacts, tileId: string, what: string): void {
  const fp = footprintOfTile(tileId);
  const hint = 'the file does not belong to this tile: check the catalog or the layout; it is recorded as failed and the other items go on';
  if (facts.epsg !== fp.epsg) {
    throw new BiomassError('GRID_MISMATCH', `${what}: CRS is ${facts.epsg === null ? 'missing' : `EPSG:${facts.epsg}`} but tile ${tileId} is in EPSG:${fp.epsg}`, { hint });
  }
  const [originX = Number.NaN, sizeX = Number.NaN, , originY = Number.NaN, , sizeY = Number.NaN] = facts.geoTransform;
  const width = facts.width * sizeX;
  const height = facts.height * -sizeY;
  // Published footprints differ from the computed grid by 20-40 m; a pixel or two of slack.
  const slack = Math.max(100, 2 * Math.abs(sizeX));
  const off = [Math.abs(originX - fp.minX), Math.abs(originY - fp.maxY), Math.abs(width - (fp.maxX - fp.minX)), Math.abs(height - (fp.maxY - fp.minY))];
  if (!off.every((d) => d <= slack)) {
    throw new BiomassError('GRID_MISMATCH', `${what}: its extent (${facts.width} x ${facts.height} px of ${sizeX} m from ${originX}, ${originY}) contradicts tile ${tileId} (${fp.maxX - fp.minX} m square from ${fp.minX}, ${fp.maxY})`, { hint });
  }
}

/** Writes the COG to `tmpPath` and checks it; removes it and throws CONVERSION_MISMATCH when it differs. */
export async function convertToCog(
  source: { dataset: Dataset; facts: SourceFacts },
  tmpPath: string,
  options: Record<string, string>,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  const gdal = (await import('gdal-async')).default;
  signal?.throwIfAborted();
  try {
    const written = await gdal.drivers.get('COG').createCopyAsync(tmpPath, source.dataset, options);
    written.close();
  } catch (error) {
    await rm(tmpPath, { force: true });
    throw new BiomassError('CONVERSION_FAILED', `${what}: GDAL could not convert it (the original may be truncated or damaged): ${(error as Error).message}`, { cause: error });
  }
  const copy = await gdal.openAsync(tmpPath);
  try {
    const problem = await compare(source.dataset, copy, Number(options.BLOCKSIZE));
    if (problem) {
      throw new BiomassError('CONVERSION_MISMATCH', `${what}: the converted copy differs from its source: ${problem}`, {
        hint: 'the copy was deleted; run again, and report it if it repeats',
      });
    }
  } catch (error) {
    copy.close();
    await rm(tmpPath, { force: true });
    throw error;
  }
  copy.close();
}

/** Blocks whose pixels are compared: the four corners and the centre (fewer on small rasters). */
export function sampleBlocks(width: number, height: number, block: number): Array<{ x: number; y: number; w: number; h: number }> {
  const cols = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const picks = [[0, 0], [cols - 1, 0], [0, rows - 1], [cols - 1, rows - 1], [Math.floor(cols / 2), Math.floor(rows / 2)]];
  const seen = new Set<string>();
  const out = [];
  for (const [c, r] of picks) {
    const key = `${c},${r}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const x = c! * block;
    const y = r! * block;
    out.push({ x, y, w: Math.min(block, width - x), h: Math.min(block, height - y) });
  }
  return out;
}

async function compare(a: Dataset, b: Dataset, block: number): Promise<string | undefined> {
  if (a.rasterSize.x !== b.rasterSize.x || a.rasterSize.y !== b.rasterSize.y) return `size ${b.rasterSize.x} x ${b.rasterSize.y}, source ${a.rasterSize.x} x ${a.rasterSize.y}`;
  if (a.bands.count() !== b.bands.count()) return `${b.bands.count()} bands, source ${a.bands.count()}`;
  const ga = a.geoTransform ?? [];
  const gb = b.geoTransform ?? [];
  if (ga.length !== gb.length || ga.some((v, k) => Math.abs(v - gb[k]!) > 1e-9)) return `geotransform ${gb.join(',')}, source ${ga.join(',')}`;
  if (!a.srs || !b.srs || !a.srs.isSame(b.srs)) return 'the CRS differs';
  for (let k = 1; k <= a.bands.count(); k++) {
    const ba = a.bands.get(k);
    const bb = b.bands.get(k);
    if (ba.dataType !== bb.dataType) return `band ${k} is ${bb.dataType}, source ${ba.dataType}`;
    for (const w of sampleBlocks(a.rasterSize.x, a.rasterSize.y, block)) {
      const pa = await ba.pixels.readAsync(w.x, w.y, w.w, w.h);
      const pb = await bb.pixels.readAsync(w.x, w.y, w.w, w.h);
      for (let i = 0; i < pa.length; i++) {
        if (pa[i] !== pb[i]) return `band ${k} pixel (${w.x + (i % w.w)}, ${w.y + Math.floor(i / w.w)}) is ${pb[i]}, source ${pa[i]}`;
      }
    }
  }
  return undefined;
}
