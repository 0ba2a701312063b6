/**
 * Writes synthetic Sentinel-2 L2A scene items at the real MGRS footprints and CRS, in
 * either layout, to a folder or a blob container: what `biomass demo` and the tests read.
 * Pixel values come from scene-pattern.ts; the pixel size is a parameter so tests can write
 * a 200 x 200 raster that still covers the full 109.8 km footprint.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGdal } from '../load-gdal.js';
import { BiomassError } from '../biomass-error.js';
import type { Geography } from '../geo/geography.js';
import { parseTileId, TILE_M, type Footprint } from '../geo/mgrs.js';
import { srsOf } from '../geo/utm-projection.js';
import type { TileItem } from './catalog.js';
import { boaOffset } from '../biomass/reflectance.js';
import { hash01, pixelAt, toDigitalNumber } from './scene-pattern.js';
import { BAND_RESOLUTION, tileLayout, type ItemNaming } from './tile-layout.js';
import { DEFAULT_BANDS, revisitDates, type Season, type TileLayoutName } from './tile-source.js';
import type { TileStore } from './tile-store.js';

/** streamable: DEFLATE tiled COG; not streamable: stripped DEFLATE GeoTIFF and JPEG2000. */
export type SceneFormat = 'cog' | 'gtiff' | 'jp2';

/**
 * `mixed` writes most dates as COGs and some as the two formats that cannot be streamed
 * (what the demo uses, so preprocessing has something to convert): by date, 2 in 6 are
 * stripped GeoTIFF or JPEG2000.
 */
export type SceneFormatChoice = SceneFormat | 'mixed';

/** The format of one date's files under a choice. */
export function sceneFormatOf(choice: SceneFormatChoice, dateIndex: number): SceneFormat {
  if (choice !== 'mixed') return choice;
  return dateIndex % 6 === 2 ? 'gtiff' : dateIndex % 6 === 4 ? 'jp2' : 'cog';
}

export interface GenerateScenesOptions {
  geography: Geography;
  /** Counties whose tiles to write (5-digit FIPS). */
  counties?: string[];
  /** Tiles to write, in addition to the counties' tiles. */
  tiles?: string[];
  season: Season;
  /** Days between generated acquisitions. Default 5. */
  revisitDays?: number;
  store: TileStore;
  /** Default planetary-computer. */
  layout?: TileLayoutName;
  /** Default [B04, B08, SCL]. Bands other than B04, B08 and SCL are written as B04's pattern. */
  bands?: string[];
  /** Default cog. */
  format?: SceneFormatChoice;
  /** Pixel size of the 10 m bands, metres (20 m and 60 m bands scale with it). Must divide 109,800 / 6. Default 10. */
  pixelSize?: number;
  /** Share of dates with clouds, 0..1. Default 0.3. */
  cloudyShare?: number;
  /** Varies the landscape. Default 0. */
  seed?: number;
  /** Called after each item is stored. */
  onItem?: (item: GeneratedScene, done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface GeneratedScene extends TileItem {
  product: string;
  /** Whether clouds were drawn on this date. */
  cloudy: boolean;
}

const CREATE_OPTIONS: Record<SceneFormat, { driver: string; extension: 'tif' | 'jp2'; options: Record<string, string> }> = {
  // Compression on every core: each block is compressed alone, so the bytes are the same.
  cog: { driver: 'COG', extension: 'tif', options: { COMPRESS: 'DEFLATE', PREDICTOR: 'YES', BLOCKSIZE: '512', NUM_THREADS: 'ALL_CPUS' } },
  gtiff: { driver: 'GTiff', extension: 'tif', options: { COMPRESS: 'DEFLATE', PREDICTOR: '2', TILED: 'NO' } },
  jp2: { driver: 'JP2OpenJPEG', extension: 'jp2', options: { REVERSIBLE: 'YES', QUALITY: '100' } },
};

/** Generates every item of the tiles of `counties` (and `tiles`) in the season. */
export async function generateScenes(options: GenerateScenesOptions): Promise<GeneratedScene[]> {
  const { geography, store, signal } = options;
  const bands = options.bands && options.bands.length > 0 ? options.bands : DEFAULT_BANDS;
  const pixelSize = options.pixelSize ?? 10;
  checkPixelSize(pixelSize, bands);
  const layout = tileLayout(options.layout);
  const tiles = new Set(options.tiles ?? []);
  for (const fips of options.counties ?? []) for (const t of geography.tilesOfCounty(fips)) tiles.add(t);
  const dates = revisitDates(options.season, options.revisitDays ?? 5);
  const total = tiles.size * dates.length;
  const seed = options.seed ?? 0;
  const cloudyShare = options.cloudyShare ?? 0.3;

  await store.ensure(signal);
  const work = await mkdtemp(join(tmpdir(), 'biomass-scenes-'));
  const out: GeneratedScene[] = [];
  try {
    for (const tileId of [...tiles].sort()) {
      geography.tileFootprint(tileId); // rejects an unknown tile id before any work
      for (const [dateIndex, date] of dates.entries()) {
        signal?.throwIfAborted();
        const naming = nameItem(tileId, date, dateIndex, seed);
        const zone = parseTileId(tileId)!.zone;
        const cloudy = hash01(zone, dayNumber(date), seed, 3) < cloudyShare;
        const format = CREATE_OPTIONS[sceneFormatOf(options.format ?? 'cog', dateIndex)];
        const hrefs: Record<string, string> = {};
        // Products named for baseline 04.00 and later (the planetary-computer layout's N0510)
        // carry ESA's +1,000 on every reflectance DN, as real ones do (src/biomass/reflectance.ts).
        const addDn = -boaOffset({ product: layout.productName(naming) });
        // The pixels of every band at one resolution come from one pass over the grid.
        const rendered = new Map<number, Rendered>();
        for (const band of bands) {
          const name = layout.bandName(naming, band, format.extension);
          const local = join(work, `${tileId}_${date}_${band}.${format.extension}`);
          const size = pixelSize * (BAND_RESOLUTION[band] ?? 10) / 10;
          let pixels = rendered.get(size);
          if (!pixels) rendered.set(size, (pixels = renderPixels(geography, tileId, date, cloudy, size, seed, addDn, bandsAt(bands, size, pixelSize))));
          await writeBand(geography.tileFootprint(tileId), date, band, size, format, local, valuesOf(pixels, band));
          await store.write(name, local, signal);
          await rm(local, { force: true });
          hrefs[band] = store.href(name);
        }
        const scene: GeneratedScene = { tileId, date, product: layout.productName(naming), bands: hrefs, cloudy };
        out.push(scene);
        options.onItem?.(scene, out.length, total);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return out;
}

function checkPixelSize(pixelSize: number, bands: string[]): void {
  for (const band of bands) {
    const size = (pixelSize * (BAND_RESOLUTION[band] ?? 10)) / 10;
    const pixels = TILE_M / size;
    if (!(size > 0) || Math.abs(pixels - Math.round(pixels)) > 1e-9) {
      throw new BiomassError('BAD_PIXEL_SIZE', `pixel size ${pixelSize} m does not divide the 109,800 m tile for band ${band} (${size} m)`, {
        hint: 'use a pixel size that divides 18,300 (109,800 / 6), e.g. 10, 20, 60, 61, 183, 305, 549 or 915',
        exitCode: 2,
      });
    }
  }
}

interface Rendered {
  red?: Uint16Array;
  nir?: Uint16Array;
  scl?: Uint8Array;
}

/** Which of red, NIR and SCL the bands at one pixel size need (other bands take red's pattern). */
function bandsAt(bands: string[], size: number, pixelSize: number): Set<keyof Rendered> {
  const wanted = new Set<keyof Rendered>();
  for (const band of bands) {
    if (pixelSize * (BAND_RESOLUTION[band] ?? 10) / 10 !== size) continue;
    wanted.add(band === 'SCL' ? 'scl' : band === 'B08' ? 'nir' : 'red');
  }
  return wanted;
}

function valuesOf(pixels: Rendered, band: string): Uint16Array | Uint8Array {
  return (band === 'SCL' ? pixels.scl : band === 'B08' ? pixels.nir : pixels.red)!;
}

/** The pixels of one item at one pixel size, for the bands wanted, in one pass. */
function renderPixels(
  geography: Geography, tileId: string, date: string, cloudy: boolean, size: number, seed: number, addDn: number, wanted: Set<keyof Rendered>,
): Rendered {
  const fp = geography.tileFootprint(tileId);
  const zone = parseTileId(tileId)!.zone;
  const n = Math.round(TILE_M / size);
  const red = wanted.has('red') ? new Uint16Array(n * n) : undefined;
  const nir = wanted.has('nir') ? new Uint16Array(n * n) : undefined;
  const scl = wanted.has('scl') ? new Uint8Array(n * n) : undefined;
  const doy = dayOfYear(date);
  const dateIndex = dayNumber(date);
  for (let row = 0; row < n; row++) {
    const y = fp.maxY - (row + 0.5) * size;
    for (let col = 0; col < n; col++) {
      const p = pixelAt(fp.minX + (col + 0.5) * size, y, zone, seed, doy, dateIndex, cloudy);
      const i = row * n + col;
      if (red) red[i] = Math.min(65_535, toDigitalNumber(p.red) + addDn);
      if (nir) nir[i] = Math.min(65_535, toDigitalNumber(p.nir) + addDn);
      if (scl) scl[i] = p.scl;
    }
  }
  return { ...(red ? { red } : {}), ...(nir ? { nir } : {}), ...(scl ? { scl } : {}) };
}

/** Writes one band of one item to a local file in the chosen format. */
async function writeBand(
  fp: Footprint, date: string, band: string, size: number, format: (typeof CREATE_OPTIONS)[SceneFormat], path: string, values: Uint16Array | Uint8Array,
): Promise<void> {
  const n = Math.round(TILE_M / size);
  const isScl = values instanceof Uint8Array;
  const gdal = loadGdal();
  const mem = gdal.open('', 'w', 'MEM', n, n, 1, isScl ? gdal.GDT_Byte : gdal.GDT_UInt16);
  try {
    mem.srs = srsOf(fp.epsg);
    mem.geoTransform = [fp.minX, size, 0, fp.maxY, 0, -size];
    const raster = mem.bands.get(1);
    raster.noDataValue = 0;
    await raster.pixels.writeAsync(0, 0, n, n, values);
    mem.setMetadata({ SYNTHETIC: 'biomass scene generator', BAND: band, ACQUISITION_DATE: date, BOA_QUANTIFICATION_VALUE: '10000' });
    const written = await gdal.drivers.get(format.driver).createCopyAsync(path, mem, format.options);
    written.close();
  } finally {
    mem.close();
  }
}

/** Product and granule names shaped like ESA's, from the tile, date and seed. */
function nameItem(tileId: string, date: string, dateIndex: number, seed: number): ItemNaming {
  const zone = parseTileId(tileId)!.zone;
  const ymd = date.replaceAll('-', '');
  // The morning pass crosses at ~10:30 local solar time: UTC hour follows the zone's meridian.
  const centralLon = zone * 6 - 183;
  const seconds = Math.round((((10.5 - centralLon / 15) % 24) + 24) % 24 * 3600);
  const hhmmss = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60].map((v) => String(v).padStart(2, '0')).join('');
  const datetime = `${ymd}T${hhmmss}`;
  const orbit = String(1 + Math.floor(hash01(zone, seed, 5) * 143)).padStart(3, '0');
  const absolute = String(30_000 + dayNumber(date) % 100_000).padStart(6, '0');
  const spacecraft = dateIndex % 2 === 0 ? 'S2A' : 'S2B';
  return {
    tileId, date, datetime,
    product: `${spacecraft}_MSIL2A_${datetime}_N0510_R${orbit}_T${tileId}_${datetime}`,
    granule: `L2A_T${tileId}_A${absolute}_${datetime}`,
  };
}

function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

function dayOfYear(date: string): number {
  return dayNumber(date) - Math.round(Date.parse(`${date.slice(0, 4)}-01-01T00:00:00Z`) / 86_400_000) + 1;
}
