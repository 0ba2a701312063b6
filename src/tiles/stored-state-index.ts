/**
 * The index step of a state as a run performs it: indexState, with each county stored as it
 * finishes, so a rerun skips the counties already stored and still reports the whole state.
 * The state is marked complete only once every county the plan names is stored, and only
 * then are the priorities (a sum over counties) final and written.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../db/store.js';
import {
  clearStaleStateIndex, listIndexedCounties, listStateItems, markStateIndexComplete, setTilePriorities, upsertCountyItems,
} from '../db/tile-index-repository.js';
import type { Geography } from '../geo/geography.js';
import type { Plan } from '../plan/plan.js';
import { itemKey, openCatalog, type TileCatalog } from './catalog.js';
import { indexState, tileSharesOf, type CountyIndex, type StateIndex } from './state-index.js';
import { tileSourceOf } from './tile-source.js';

export interface StoredIndexOptions {
  plan: Plan;
  db: Store;
  geography: Geography;
  /** State FIPS or postal code. */
  state: string;
  /** Restrict to these counties; default: the plan's counties of the state (rollout.counties), else all. */
  counties?: string[];
  /** Default: the plan's tile source. */
  catalog?: TileCatalog;
  onProgress?: (done: number, total: number, countyFips: string) => void;
  signal?: AbortSignal;
}

export interface StoredStateIndex extends StateIndex {
  /** Counties found already stored and not listed again. */
  resumed: string[];
  /** True when every county of the state the plan names is stored (and the state marked complete). */
  complete: boolean;
  /** True when a stored index made from other settings (source, layout, bands, season) was deleted first. */
  rebuilt: boolean;
}

export async function indexStateIntoStore(options: StoredIndexOptions): Promise<StoredStateIndex> {
  const { plan, db, geography, signal } = options;
  const state = geography.state(options.state);
  const planCounties = plan.rollout.counties.filter((fips) => fips.startsWith(state.fips));
  const counties = options.counties && options.counties.length > 0
    ? options.counties
    : planCounties.length > 0 ? planCounties : geography.countiesOf(state.fips).map((c) => c.fips);
  const catalog = options.catalog ?? openCatalog(tileSourceOf(plan));

  // An index made from another source, layout, bands or season is not resumed: it is rebuilt.
  const fingerprint = indexFingerprint(plan);
  const rebuilt = await clearStaleStateIndex(db, plan.name, state.fips, fingerprint);
  const stored = new Set(await listIndexedCounties(db, plan.name, state.fips));
  const resumed = counties.filter((fips) => stored.has(fips));
  const previous = resumed.length > 0 ? await storedCounties(db, plan.name, state.fips, resumed, geography) : [];

  const index = await indexState({
    geography, catalog, state: state.fips, counties, signal,
    skipCounties: new Set(resumed), previous,
    onProgress: options.onProgress,
    onCountyIndexed: (countyFips, county) =>
      upsertCountyItems(db, { planName: plan.name, stateFips: state.fips, countyFips, fingerprint }, county.items.map((item) => ({
        itemId: itemKey(item),
        mgrsTile: item.tileId,
        acquiredOn: item.date,
        bandUris: item.bands,
        product: item.product,
        priority: county.tileShares[item.tileId] ?? 0,
      }))),
  });

  const everyCounty = geography.countiesOf(state.fips).map((c) => c.fips);
  const wanted = planCounties.length > 0 ? planCounties : everyCounty;
  const done = new Set(await listIndexedCounties(db, plan.name, state.fips));
  const complete = wanted.every((fips) => done.has(fips));
  if (complete) {
    await setTilePriorities(db, plan.name, state.fips, index.tiles);
    await markStateIndexComplete(db, plan.name, state.fips, fingerprint);
  }
  return { ...index, resumed, complete, rebuilt };
}

/** The stored results of counties indexed earlier, as indexState's `previous`. */
async function storedCounties(db: Store, planName: string, stateFips: string, counties: string[], geography: Geography): Promise<CountyIndex[]> {
  const items = await listStateItems(db, planName, stateFips);
  return counties.map((fips) => {
    const mine = items
      .filter((item) => item.counties.includes(fips))
      .map((item) => ({ tileId: item.mgrsTile, date: item.acquiredOn, product: item.product ?? null, bands: item.bandUris }))
      .sort((a, b) => a.tileId.localeCompare(b.tileId) || a.date.localeCompare(b.date));
    return { countyFips: fips, tiles: geography.tilesOfCounty(fips), items: mine, tileShares: tileSharesOf(geography, fips) };
  });
}

/**
 * What an index depends on besides the grid: the tile source, its layout, the bands, the
 * season and (when estimated) the revisit. Credentials are left out: a rotated key lists the
 * same items.
 */
export function indexFingerprint(plan: Plan): string {
  const t = plan.tiles;
  const settings = {
    source: t.kind === 'azure' ? `azure://${t.container}/${t.prefix}` : t.kind === 'file' ? `file://${t.prefix}` : 'estimated:',
    account: t.account,
    layout: t.layout,
    bands: [...t.bands].sort(),
    season: plan.season,
    revisit: t.kind === 'estimated' ? t.revisitDays : null,
  };
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}
