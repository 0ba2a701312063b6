/**
 * The tile catalog: the items of one MGRS tile within the season, read from a tile store
 * in one of the layouts, or estimated from the season and the revisit when there is no
 * catalog to read (dry runs).
 */
import { BiomassError } from '../biomass-error.js';
import { monthsOf, tileLayout, type BandFile } from './tile-layout.js';
import {
  DEFAULT_BANDS, describeSource, parseSourceUri, revisitDates, seasonDays, type Season, type TileSourceOptions,
} from './tile-source.js';
import { openTileStore } from './open-tile-store.js';
import type { TileStore } from './tile-store.js';

/** One MGRS tile on one acquisition date with the bands the plan names. */
export interface TileItem {
  tileId: string;
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** The product (SAFE) name the files come from; null in estimated mode. */
  product: string | null;
  /** Band -> azure://CONTAINER/NAME or file:///PATH; empty in estimated mode. */
  bands: Record<string, string>;
}

/** The key that makes an item unique: one tile, one date. */
export function itemKey(item: Pick<TileItem, 'tileId' | 'date'>): string {
  return `${item.tileId}/${item.date}`;
}

export interface TileCatalog {
  /** The source as it may be printed (secrets redacted). */
  readonly source: string;
  /** True when items are estimated, not listed. */
  readonly estimated: boolean;
  readonly season: Season;
  readonly bands: readonly string[];
  /** The tile's items within the season, by date. */
  listItems(tileId: string, signal?: AbortSignal): Promise<TileItem[]>;
  /** Products seen without every requested band (skipped), as `tile/date product: missing B08`. */
  readonly incomplete: readonly string[];
}

/** Opens the catalog a tile source names. Validates the season and the URI; does no I/O. */
export function openCatalog(options: TileSourceOptions): TileCatalog {
  seasonDays(options.season);
  const bands = options.bands && options.bands.length > 0 ? options.bands : DEFAULT_BANDS;
  const source = describeSource(options);
  if (parseSourceUri(options.uri, options.baseDir).kind === 'estimated') {
    const dates = revisitDates(options.season, options.revisitDays ?? 5);
    return {
      source, estimated: true, season: options.season, bands, incomplete: [],
      listItems: async (tileId) => dates.map((date) => ({ tileId, date, product: null, bands: {} })),
    };
  }
  return new StoreCatalog(openTileStore(options), options, bands, source);
}

class StoreCatalog implements TileCatalog {
  readonly estimated = false;
  readonly incomplete: string[] = [];
  readonly season: Season;
  private readonly layout;

  constructor(private readonly store: TileStore, options: TileSourceOptions, readonly bands: readonly string[], readonly source: string) {
    this.season = options.season;
    this.layout = tileLayout(options.layout);
  }

  async listItems(tileId: string, signal?: AbortSignal): Promise<TileItem[]> {
    const { start, end } = this.season;
    const wanted = new Set(this.bands);
    // date -> product -> band -> file
    const byDate = new Map<string, Map<string, Map<string, BandFile>>>();
    for (const prefix of this.layout.prefixes(tileId, monthsOf(start, end))) {
      for await (const name of this.store.list(prefix, signal)) {
        const file = this.layout.parse(name);
        if (!file || file.tileId !== tileId || !wanted.has(file.band) || file.date < start || file.date > end) continue;
        const products = byDate.get(file.date) ?? new Map<string, Map<string, BandFile>>();
        byDate.set(file.date, products);
        const files = products.get(file.product) ?? new Map<string, BandFile>();
        products.set(file.product, files);
        files.set(file.band, file);
      }
    }
    const items: TileItem[] = [];
    for (const [date, products] of [...byDate].sort(([a], [b]) => a.localeCompare(b))) {
      // Reprocessed products (a later baseline, N0510 after N0400) sort last: prefer them.
      const names = [...products.keys()].sort().reverse();
      const complete = names.find((p) => products.get(p)!.size === wanted.size);
      for (const p of names) {
        if (p === complete) continue;
        const missing = this.bands.filter((b) => !products.get(p)!.has(b));
        if (missing.length > 0) this.incomplete.push(`${tileId}/${date} ${p}: missing ${missing.join(', ')}`);
      }
      if (!complete) continue;
      const files = products.get(complete)!;
      const bands: Record<string, string> = {};
      for (const band of this.bands) bands[band] = this.store.href(files.get(band)!.name);
      items.push({ tileId, date, product: complete, bands });
    }
    return items;
  }
}

/** The error for a county whose tiles hold no item in the season. */
export function emptyCatalogError(catalog: TileCatalog, what: string, tiles: string[]): BiomassError {
  const { start, end } = catalog.season;
  const skipped = catalog.incomplete.length > 0 ? ` (${catalog.incomplete.length} products lacked a band, e.g. ${catalog.incomplete[0]})` : '';
  return new BiomassError('CATALOG_EMPTY', `tile source ${catalog.source} has no items for ${what} between ${start} and ${end} in tiles ${tiles.join(', ')}${skipped}`, {
    hint: 'check the season dates, sources.tiles.layout and sources.tiles.bands, and that the container or folder holds these tiles',
  });
}
