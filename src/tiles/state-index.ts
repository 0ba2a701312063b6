/**
 * The index step of a state: county geometries x the Sentinel-2 grid x the catalog listing
 * -> each county's tile items, then the state's items deduplicated across counties with
 * their usage and a priority. Counties are indexed one by one and handed to
 * `onCountyIndexed` as each finishes, so a caller can persist them and, on a rerun, pass
 * the finished ones in `skipCounties` (and their items in `previous`).
 */
import { BiomassError } from '../biomass-error.js';
import type { Geography } from '../geo/geography.js';
import { mapLimited } from '../map-limited.js';
import { emptyCatalogError, itemKey, type TileCatalog, type TileItem } from './catalog.js';

/** The items one county needs: every item of every tile overlapping it. */
export interface CountyIndex {
  countyFips: string;
  /** Sorted tile ids. */
  tiles: string[];
  /** Sorted by tile, then date. */
  items: TileItem[];
  /**
   * Tile id -> share of the county's area inside the tile's footprint (0..1). A tile's
   * priority is the sum of these over its counties, so a store that keeps them per county
   * can recompute the state's priorities without the geometry.
   */
  tileShares: Record<string, number>;
}

/** A deduplicated item of the state and who uses it. */
export interface IndexedItem extends TileItem {
  usage: { count: number; counties: string[] };
  /** The priority of its tile (see TileUsage.priority). */
  priority: number;
}

export interface TileUsage {
  tileId: string;
  /** Counties overlapping the tile, sorted. */
  counties: string[];
  /** Items of the tile in the season. */
  items: number;
  /**
   * County-equivalents the tile serves: the sum over its counties of the share of each
   * county inside the footprint. A tile wholly covering three counties scores 3; preparing
   * high scores first lets the most county work start soonest.
   */
  priority: number;
}

export interface StateIndex {
  stateFips: string;
  source: string;
  estimated: boolean;
  /** Every county of the call, in order: those indexed now and the skipped ones given in `previous`. */
  counties: CountyIndex[];
  /** Counties skipped because the caller had them already. */
  skipped: string[];
  /** Tiles of all counties (this call's and `previous`), by priority, then id. */
  tiles: TileUsage[];
  /** Unique items (this call's and `previous` counties'), by priority, then tile, then date. */
  items: IndexedItem[];
}

export interface IndexStateOptions {
  geography: Geography;
  catalog: TileCatalog;
  /** State FIPS or postal code. */
  state: string;
  /** Restrict to these counties (5-digit FIPS, all of the state). Default: every county. */
  counties?: string[];
  /** Counties already indexed (e.g. stored by an earlier, interrupted run): not listed again. */
  skipCounties?: ReadonlySet<string>;
  /** The stored results of the skipped counties, so the totals cover the whole state. */
  previous?: CountyIndex[];
  /** Called as each county finishes, before the next starts; awaited, so it can persist. */
  onCountyIndexed?: (countyFips: string, county: CountyIndex) => void | Promise<void>;
  /** Called after each county, skipped ones included. */
  onProgress?: (done: number, total: number, countyFips: string) => void;
  /** Tile listings run at once (they are independent requests). Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Indexes a state county by county. Throws before returning if any county fails. */
export async function indexState(options: IndexStateOptions): Promise<StateIndex> {
  const { geography, catalog, signal } = options;
  const state = geography.state(options.state);
  const all = geography.countiesOf(state.fips);
  const counties = options.counties && options.counties.length > 0
    ? options.counties.map((fips) => checkCountyOfState(geography, fips, state.fips))
    : all.map((c) => c.fips);
  const skip = options.skipCounties ?? new Set<string>();
  const listings = new Map<string, Promise<TileItem[]>>();
  const list = (tileId: string): Promise<TileItem[]> => {
    let listing = listings.get(tileId);
    if (!listing) {
      listing = catalog.listItems(tileId, signal);
      listings.set(tileId, listing);
    }
    return listing;
  };

  const previous = new Map((options.previous ?? []).map((c) => [c.countyFips, c]));
  const results: CountyIndex[] = [];
  const skipped: string[] = [];
  let done = 0;
  for (const fips of counties) {
    signal?.throwIfAborted();
    if (skip.has(fips)) {
      skipped.push(fips);
      const stored = previous.get(fips);
      if (stored) results.push(stored);
    } else {
      const tiles = geography.tilesOfCounty(fips);
      const perTile = await mapLimited(tiles, options.concurrency ?? 8, list);
      const items = perTile.flat();
      if (items.length === 0) {
        const c = geography.county(fips);
        throw emptyCatalogError(catalog, `county ${fips} (${c.name})`, tiles);
      }
      const county: CountyIndex = { countyFips: fips, tiles, items, tileShares: tileSharesOf(geography, fips) };
      await options.onCountyIndexed?.(fips, county);
      results.push(county);
    }
    done++;
    options.onProgress?.(done, counties.length, fips);
  }

  // A rerun reports the same state as the run it resumes: the skipped counties count too.
  const merged = mergeCounties(geography, results);
  return { stateFips: state.fips, source: catalog.source, estimated: catalog.estimated, counties: results, skipped, ...merged };
}

/**
 * Deduplicates the items of several counties: one entry per tile and date, with the
 * counties using it and its tile's priority. Pure; callable on stored county results.
 */
export function mergeCounties(geography: Geography, counties: CountyIndex[]): { tiles: TileUsage[]; items: IndexedItem[] } {
  const usage = new Map<string, { counties: Set<string>; priority: number; items: Set<string> }>();
  const items = new Map<string, TileItem>();
  for (const county of counties) {
    const cover = geography.coverOfCounty(county.countyFips);
    for (const overlap of cover.tiles) {
      const u = usage.get(overlap.tileId) ?? { counties: new Set<string>(), priority: 0, items: new Set<string>() };
      if (!u.counties.has(county.countyFips)) {
        u.counties.add(county.countyFips);
        u.priority += overlap.overlapKm2 / cover.areaKm2;
      }
      usage.set(overlap.tileId, u);
    }
    for (const item of county.items) {
      const key = itemKey(item);
      if (!items.has(key)) items.set(key, item);
      usage.get(item.tileId)?.items.add(key);
    }
  }
  const tiles: TileUsage[] = [...usage].map(([tileId, u]) => ({
    tileId, counties: [...u.counties].sort(), items: u.items.size, priority: round(u.priority),
  }));
  tiles.sort((a, b) => b.priority - a.priority || a.tileId.localeCompare(b.tileId));
  const byTile = new Map(tiles.map((t) => [t.tileId, t]));
  const out: IndexedItem[] = [...items.values()].map((item) => {
    const t = byTile.get(item.tileId)!;
    return { ...item, usage: { count: t.counties.length, counties: t.counties }, priority: t.priority };
  });
  out.sort((a, b) => b.priority - a.priority || a.tileId.localeCompare(b.tileId) || a.date.localeCompare(b.date));
  return { tiles, items: out };
}

/** Tile id -> share of the county's area inside the tile's footprint, to 3 decimals. */
export function tileSharesOf(geography: Geography, countyFips: string): Record<string, number> {
  const cover = geography.coverOfCounty(countyFips);
  return Object.fromEntries(cover.tiles.map((t) => [t.tileId, round(t.overlapKm2 / cover.areaKm2)]));
}

function checkCountyOfState(geography: Geography, fips: string, stateFips: string): string {
  const county = geography.county(fips);
  if (county.stateFips !== stateFips) {
    const state = geography.state(stateFips);
    throw new BiomassError('COUNTY_NOT_IN_STATE', `county ${county.fips} (${county.name}) is not in ${state.name} (${state.fips})`, {
      hint: `restrict to counties whose FIPS code starts with ${state.fips}, or change the state`,
      exitCode: 2,
    });
  }
  return county.fips;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
