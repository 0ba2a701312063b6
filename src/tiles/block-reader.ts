/**
 * Reads COG blocks of one band of one tile item through gdal-async's *Async block reads
 * (main thread; decoding runs on libuv's pool), through the block cache, counting every read
 * by path: `local` (a preprocessed or local file), `streamed` (ranged reads of the original,
 * e.g. /vsiaz/), `downloaded` (a whole-file copy, the last resort). Which path a band is read
 * from is the locator's decision (the tiles capability supplies one; `defaultBandLocator`
 * reads the URIs of the stored tile index). Open datasets are kept up to cache.max_tiles.
 */
import { BiomassError } from '../biomass-error.js';
import { BlockCache } from './block-cache.js';

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
}

interface OpenBand {
  dataset: import('gdal-async').Dataset;
  band: import('gdal-async').RasterBand;
  info: BandInfo;
  /** The credentials generation the dataset was opened with (streamed bands, when credentials are tracked). */
  generation?: number;
}

export class BlockReader {
  private readonly open = new Map<string, Promise<OpenBand>>();
  private readonly inFlight = new Map<string, Promise<BlockPixels>>();
  private readonly counts: ReadFigures = {
    byPath: { local: { blocks: 0, bytes: 0 }, streamed: { blocks: 0, bytes: 0 }, downloaded: { blocks: 0, bytes: 0 } },
    opens: 0,
    reopened: 0,
  };

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
    },
  ) {}

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
    const key = BlockReader.key(item.itemId, band, bx, by);
    const pending = this.inFlight.get(key);
    if (pending) {
      this.options.cache.shared(key);
      return pending;
    }
    const cached = this.options.cache.get(key);
    if (cached) return cached;
    const read = (async () => {
      const open = await this.current(item, band);
      const pixels = (await open.band.pixels.readBlockAsync(bx, by)) as BlockPixels;
      const counts = this.counts.byPath[open.info.location.path];
      counts.blocks++;
      counts.bytes += pixels.byteLength;
      this.options.onRead?.({ itemId: item.itemId, band, bx, by, location: open.info.location, bytes: pixels.byteLength });
      this.options.cache.set(key, pixels, pixels.byteLength);
      return pixels;
    })();
    this.inFlight.set(key, read);
    try {
      return await read;
    } finally {
      this.inFlight.delete(key);
    }
  }

  figures(): ReadFigures {
    return structuredClone(this.counts);
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
      return { dataset, band: raster, info, generation };
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
