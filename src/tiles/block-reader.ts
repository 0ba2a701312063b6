/**
 * Reads COG blocks of one band of one tile item, through the block cache, counting every read
 * by path: `local` (a preprocessed or local file), `streamed` (ranged reads of the original,
 * e.g. /vsiaz/), `downloaded` (a whole-file copy, the last resort). Which path a band is read
 * from is the locator's decision (the tiles capability supplies one; `defaultBandLocator`
 * reads the URIs of the stored tile index). Open datasets are kept up to cache.max_tiles.
 *
 * GDAL (gdal-async, main thread) opens every band for its grid and metadata. Streamed blocks
 * are fetched by their exact byte ranges and decoded here when the reader is given `ranges`
 * and the file's layout allows it (src/tiles/ranged-blocks.ts: DEFLATE or none, horizontal
 * predictor); otherwise, and for local files, GDAL's *Async block reads fetch and decode them
 * (on libuv's pool).
 */
import { BiomassError } from '../biomass-error.js';
import { BlockCache } from './block-cache.js';
import type { BandSource } from './band-source.js';
import { RangedBlocks, type RangedFigures, type RangeRead } from './ranged-blocks.js';
import type { TiffBlockIndex } from './tiff-block-index.js';

export type ReadPath = 'local' | 'streamed' | 'downloaded';

/** An item as the tile index stores it. */
export interface LocatableItem {
  itemId: string;
  bandUris: Record<string, string>;
}

export interface BandLocation {
  path: ReadPath;
  gdalPath: string;
}

/** Where to read a band of an item from. */
export type BandLocator = (item: LocatableItem, band: string) => Promise<BandLocation>;

/**
 * The index's own URIs: file:// -> the local path ('local'); azure://container/name ->
 * /vsiaz/container/name ('streamed', GDAL's ranged reads; its credentials come from the
 * AZURE_STORAGE_CONNECTION_STRING config set by `configureGdalForBlobs`).
 */
export const defaultBandLocator: BandLocator = async (item, band) => {
  const uri = item.bandUris[band];
  if (!uri) {
    throw new BiomassError('BAND_MISSING', `tile item ${item.itemId} has no band ${band} in the tile index`, {
      hint: 'add the band to sources.tiles.bands and index again (biomass index --plan PLAN)',
    });
  }
  if (uri.startsWith('file://')) return { path: 'local', gdalPath: decodeURIComponent(new URL(uri).pathname) };
  const azure = /^azure:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (azure) return { path: 'streamed', gdalPath: `/vsiaz/${azure[1]}/${azure[2]}` };
  if (uri.startsWith('/')) return { path: 'local', gdalPath: uri };
  throw new BiomassError('BAND_URI', `tile item ${item.itemId}: cannot read ${uri}`, { hint: 'tile URIs are file:// or azure://' });
};

/**
 * GDAL settings for ranged reads of blobs: the connection string (never printed), and the
 * options that stop wasted requests on remote COGs (FACTS.md).
 */
export async function configureGdalForBlobs(connection: string): Promise<void> {
  const gdal = (await import('gdal-async')).default;
  if (connection) gdal.config.set('AZURE_STORAGE_CONNECTION_STRING', connection);
  gdal.config.set('GDAL_DISABLE_READDIR_ON_OPEN', 'EMPTY_DIR');
  gdal.config.set('CPL_VSIL_CURL_ALLOWED_EXTENSIONS', '.tif,.tiff');
  gdal.config.set('GDAL_HTTP_MERGE_CONSECUTIVE_RANGES', 'YES');
  gdal.config.set('GDAL_HTTP_MAX_RETRY', '5');
  gdal.config.set('GDAL_HTTP_RETRY_DELAY', '0.5');
}

export type BlockPixels = Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** What the county step needs to know of a band file. */
export interface BandInfo {
  location: BandLocation;
  width: number;
  height: number;
  blockWidth: number;
  blockHeight: number;
  geoTransform: number[];
  noData: number | null;
  /** Dataset and band metadata (e.g. BOA_ADD_OFFSET). */
  metadata: Record<string, string>;
}

export interface ReadFigures {
  /** Blocks read from storage and decoded (cache misses), and their decoded bytes, by path. */
  byPath: Record<ReadPath, { blocks: number; bytes: number }>;
  opens: number;
  /** Streamed bands reopened because the credentials were renewed (a SAS from sources.tiles.token_url). */
  reopened: number;
  /** Streamed blocks fetched by exact byte ranges (requests and compressed bytes, headers apart). */
  ranged: RangedFigures;
  /** Streamed bands GDAL read instead, with why (a layout the ranged reader does not decode). */
  gdalFallbacks: string[];
}

interface OpenBand {
  dataset: import('gdal-async').Dataset;
  band: import('gdal-async').RasterBand;
  info: BandInfo;
  /** The credentials generation the dataset was opened with (streamed bands, when credentials are tracked). */
  generation?: number;
  /** Where and how to fetch its blocks by exact ranges (streamed bands the ranged reader decodes). */
  ranged?: { source: BandSource; index: TiffBlockIndex };
}

interface Miss {
  bx: number;
  by: number;
  key: string;
  resolve: (pixels: BlockPixels) => void;
  reject: (error: unknown) => void;
}

/** The file a streamed band's GDAL path names: /vsiaz/CONTAINER/NAME or a local path. */
export function sourceOfGdalPath(gdalPath: string): BandSource | undefined {
  const azure = /^\/vsiaz\/([^/]+)\/(.+)$/.exec(gdalPath);
  if (azure) return { kind: 'azure', uri: `azure://${azure[1]}/${azure[2]}`, container: azure[1]!, blob: azure[2]! };
  if (gdalPath.startsWith('/') && !gdalPath.startsWith('/vsi')) return { kind: 'file', uri: `file://${gdalPath}`, path: gdalPath };
  return undefined;
}

export class BlockReader {
  private readonly open = new Map<string, Promise<OpenBand>>();
  private readonly inFlight = new Map<string, Promise<BlockPixels>>();
  private readonly counts: ReadFigures = {
    byPath: { local: { blocks: 0, bytes: 0 }, streamed: { blocks: 0, bytes: 0 }, downloaded: { blocks: 0, bytes: 0 } },
    opens: 0,
    reopened: 0,
    ranged: { requests: 0, bytes: 0, headerRequests: 0, headerBytes: 0 },
    gdalFallbacks: [],
  };
  private readonly ranged: RangedBlocks | undefined;

  constructor(
    private readonly options: {
      locator: BandLocator;
      cache: BlockCache<BlockPixels>;
      maxOpen: number;
      /** Told of every block read from storage (benchmarks compare them with the file's block index). */
      onRead?: (read: { itemId: string; band: string; bx: number; by: number; location: BandLocation; bytes: number }) => void;
      /**
       * The generation of the credentials GDAL reads blobs with now, renewing them when due
       * (TileAccess.gdalCredentials). A GDAL dataset keeps the credentials it was opened
       * with, so a streamed band opened before a SAS renewal is reopened before its next read.
       */
      credentials?: () => Promise<number>;
      /**
       * Ranged reads of originals (TileAccess.readRange): streamed blocks are then fetched by
       * their exact byte ranges and decoded here, not by GDAL.
       */
      ranges?: RangeRead;
      /** Ranged requests at once (the plan's http.concurrency; default 12). */
      maxRangeRequests?: number;
      signal?: AbortSignal;
    },
  ) {
    this.ranged = options.ranges ? new RangedBlocks(options.ranges, { maxInFlight: options.maxRangeRequests }) : undefined;
  }

  /** The band's grid and metadata (opens the file once; kept open up to maxOpen files). */
  async info(item: LocatableItem, band: string): Promise<BandInfo> {
    return (await this.openBand(item, band)).info;
  }

  /** The cache key of a block: what plan-aware eviction is told in advance. */
  static key(itemId: string, band: string, bx: number, by: number): string {
    return `${itemId}|${band}|${bx}|${by}`;
  }

  /** One decoded block, from the cache or read once (concurrent callers share the read). */
  async block(item: LocatableItem, band: string, bx: number, by: number): Promise<BlockPixels> {
    return (await this.blocks(item, band, [[bx, by]]))[0]!;
  }

  /**
   * Decoded blocks of one band, in the order asked: each from the cache, from a read already
   * in flight, or read once; the misses of one call are fetched together (adjacent ranged
   * blocks in one request).
   */
  async blocks(item: LocatableItem, band: string, coords: ReadonlyArray<readonly [number, number]>): Promise<BlockPixels[]> {
    const results: Array<Promise<BlockPixels> | BlockPixels> = [];
    const misses: Miss[] = [];
    for (const [bx, by] of coords) {
      const key = BlockReader.key(item.itemId, band, bx, by);
      const pending = this.inFlight.get(key);
      if (pending) {
        this.options.cache.shared(key);
        results.push(pending);
        continue;
      }
      const cached = this.options.cache.get(key);
      if (cached) {
        results.push(cached);
        continue;
      }
      let resolve!: Miss['resolve'], reject!: Miss['reject'];
      const read = new Promise<BlockPixels>((yes, no) => ((resolve = yes), (reject = no)));
      read.catch(() => undefined); // its callers get the error; an unclaimed rejection is not a crash
      this.inFlight.set(key, read);
      misses.push({ bx, by, key, resolve, reject });
      results.push(read);
    }
    if (misses.length > 0) void this.readMisses(item, band, misses);
    return Promise.all(results);
  }

  private async readMisses(item: LocatableItem, band: string, misses: Miss[]): Promise<void> {
    const done = (open: OpenBand, m: Miss, pixels: BlockPixels) => {
      const counts = this.counts.byPath[open.info.location.path];
      counts.blocks++;
      counts.bytes += pixels.byteLength;
      this.options.onRead?.({ itemId: item.itemId, band, bx: m.bx, by: m.by, location: open.info.location, bytes: pixels.byteLength });
      this.options.cache.set(m.key, pixels, pixels.byteLength);
      this.inFlight.delete(m.key);
      m.resolve(pixels);
    };
    const failed = (m: Miss, error: unknown) => {
      this.inFlight.delete(m.key);
      m.reject(error);
    };
    let open: OpenBand;
    try {
      open = await this.current(item, band);
    } catch (error) {
      for (const m of misses) failed(m, error);
      return;
    }
    if (open.ranged && this.ranged) {
      const { source, index } = open.ranged;
      try {
        const pixels = await this.ranged.blocks(source, index, misses.map((m) => [m.bx, m.by]), open.info.noData ?? 0, this.options.signal);
        misses.forEach((m, k) => done(open, m, pixels[k] as BlockPixels));
      } catch (error) {
        const failure = new BiomassError('TILE_READ', `cannot read blocks of band ${band} of tile item ${item.itemId} (${open.info.location.path}): ${(error as Error).message}`, {
          hint: 'check that the tile source is reachable and its index is current (biomass index --plan PLAN)', cause: error,
        });
        for (const m of misses) failed(m, error instanceof BiomassError ? error : failure);
      }
      return;
    }
    await Promise.all(misses.map(async (m) => {
      try {
        done(open, m, (await open.band.pixels.readBlockAsync(m.bx, m.by)) as BlockPixels);
      } catch (error) {
        failed(m, error);
      }
    }));
  }

  figures(): ReadFigures {
    const figures = structuredClone(this.counts);
    if (this.ranged) figures.ranged = this.ranged.figures();
    return figures;
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    for (const p of all) {
      try {
        (await p).dataset.close();
      } catch {
        // A file that failed to open has nothing to close; its error went to its reader.
      }
    }
  }

  private openBand(item: LocatableItem, band: string): Promise<OpenBand> {
    const key = `${item.itemId}|${band}`;
    const existing = this.open.get(key);
    if (existing) {
      this.open.delete(key);
      this.open.set(key, existing); // most recently used last
      return existing;
    }
    const opening = (async () => {
      const gdal = (await import('gdal-async')).default;
      const location = await this.options.locator(item, band);
      const generation = location.path === 'streamed' && this.options.credentials ? await this.options.credentials() : undefined;
      let dataset: import('gdal-async').Dataset;
      try {
        dataset = await gdal.openAsync(location.gdalPath);
      } catch (error) {
        throw new BiomassError('TILE_OPEN', `cannot open band ${band} of tile item ${item.itemId} (${location.path}): ${(error as Error).message}`, {
          hint: 'check that the tile source is reachable and its index is current (biomass index --plan PLAN)', cause: error,
        });
      }
      this.counts.opens++;
      const raster = dataset.bands.get(1);
      const info: BandInfo = {
        location,
        width: dataset.rasterSize.x,
        height: dataset.rasterSize.y,
        blockWidth: raster.blockSize.x,
        blockHeight: raster.blockSize.y,
        geoTransform: dataset.geoTransform ?? [0, 1, 0, 0, 0, -1],
        noData: raster.noDataValue ?? null,
        metadata: { ...(dataset.getMetadata() as Record<string, string>), ...(raster.getMetadata() as Record<string, string>) },
      };
      return { dataset, band: raster, info, generation, ranged: await this.rangedLayout(item, band, info, raster) };
    })();
    this.open.set(key, opening);
    opening.catch(() => this.open.delete(key));
    while (this.open.size > this.options.maxOpen) {
      const [oldest, victim] = this.open.entries().next().value as [string, Promise<OpenBand>];
      this.open.delete(oldest);
      this.retire(oldest, victim);
    }
    return opening;
  }

  /**
   * How to read a streamed band's blocks by exact ranges: its block index, when the reader has
   * ranged reads and the layout is one it decodes exactly as GDAL does (same grid and blocks);
   * undefined otherwise (GDAL reads it, and the reason is noted in the figures).
   */
  private async rangedLayout(item: LocatableItem, band: string, info: BandInfo, raster: import('gdal-async').RasterBand): Promise<OpenBand['ranged']> {
    if (!this.ranged || info.location.path !== 'streamed') return undefined;
    const source = sourceOfGdalPath(info.location.gdalPath);
    if (!source) return undefined;
    const index = await this.ranged.index(source, this.options.signal).catch((error: Error) => {
      this.counts.gdalFallbacks.push(`${item.itemId} ${band}: ${error.message}`);
      return undefined;
    });
    if (!index) return undefined;
    const bytes: Record<string, number> = { Byte: 1, UInt16: 2, Int16: 2, UInt32: 4, Int32: 4, Float32: 4, Float64: 8 };
    const why = RangedBlocks.unsupported(index)
      ?? (index.width !== info.width || index.height !== info.height || index.tileWidth !== info.blockWidth || index.tileHeight !== info.blockHeight
        ? `its block index (${index.width}x${index.height}, ${index.tileWidth}x${index.tileHeight} blocks) differs from GDAL's grid` : undefined)
      ?? (bytes[raster.dataType ?? ''] !== index.bitsPerSample / 8 ? `GDAL reads it as ${raster.dataType}` : undefined);
    if (why) {
      this.counts.gdalFallbacks.push(`${item.itemId} ${band}: ${why}`);
      return undefined;
    }
    return { source, index };
  }

  /** The open band, reopened first when it is streamed and the credentials were renewed since it was opened. */
  private async current(item: LocatableItem, band: string): Promise<OpenBand> {
    const opening = this.openBand(item, band);
    const open = await opening;
    if (open.generation === undefined || !this.options.credentials) return open;
    if ((await this.options.credentials()) === open.generation) return open;
    const key = `${item.itemId}|${band}`;
    // The first reader to notice retires it; the others find the fresh one in the map.
    if (this.open.get(key) === opening) {
      this.open.delete(key);
      this.retire(key, opening);
      this.counts.reopened++;
    }
    return this.openBand(item, band);
  }

  /** Closes a band's dataset once its pending reads are done: a read holds the promise, not the map entry. */
  private retire(key: string, victim: Promise<OpenBand>): void {
    void victim.then(async (o) => {
      await Promise.allSettled([...this.inFlight.entries()].filter(([k]) => k.startsWith(key + '|')).map(([, p]) => p));
      o.dataset.close();
    }, () => undefined);
  }
}
