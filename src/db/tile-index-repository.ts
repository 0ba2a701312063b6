import { rowsPlaceholders, statementGroups } from './multi-row-insert.js';
import type { Queryable, Store } from './store.js';

/** One Sentinel-2 item (an MGRS tile on one date) as a county's indexing found it. */
export interface TileItemInput {
  itemId: string;
  mgrsTile: string;
  /** YYYY-MM-DD. */
  acquiredOn: string;
  /** Band name -> URI of its file, e.g. { B04: 'azure://...' }. */
  bandUris: Record<string, string>;
  /** Larger first; when two counties disagree the larger value stays (setTilePriorities sets the final one). */
  priority: number;
  /** The product (SAFE) name the files come from; null when estimated. */
  product?: string | null;
}

export interface TileItem extends TileItemInput {
  stateFips: string;
  /** FIPS of the counties that need the item, sorted. */
  counties: string[];
  usageCount: number;
}

export interface StateIndex {
  stateFips: string;
  itemCount: number;
  countyCount: number;
  completedAt: Date;
  /** What produced the index (tile source, layout, bands, season); '' when not recorded. */
  fingerprint: string;
}

const COLUMNS = 9;

/**
 * Stores the items one county needs and marks the county indexed, in one transaction: a
 * county is either fully indexed or not at all, so indexing resumes county by county.
 * Items other counties already brought are merged: the county joins their `counties` and
 * the usage count follows. Running it again for the same county changes nothing.
 */
export async function upsertCountyItems(
  store: Store,
  index: { planName: string; stateFips: string; countyFips: string; fingerprint?: string },
  items: readonly TileItemInput[],
): Promise<void> {
  // ON CONFLICT may not touch a row twice in one statement: one entry per item id.
  const unique = [...new Map(items.map((item) => [item.itemId, item])).values()];
  await store.transaction(async (tx) => {
    for (const group of statementGroups(unique, COLUMNS)) {
      await tx.query(
        `INSERT INTO biomass.tile_items AS t
           (plan_name, state_fips, item_id, mgrs_tile, acquired_on, band_uris, counties, usage_count, priority, product)
         SELECT v.plan_name, v.state_fips, v.item_id, v.mgrs_tile, v.acquired_on::date, v.band_uris::jsonb,
                ARRAY[v.county]::text[], 1, v.priority::double precision, v.product
         FROM (VALUES ${rowsPlaceholders(group.length, COLUMNS)})
           AS v (plan_name, state_fips, item_id, mgrs_tile, acquired_on, band_uris, county, priority, product)
         ON CONFLICT (plan_name, state_fips, item_id) DO UPDATE SET
           counties = ARRAY(SELECT DISTINCT c FROM unnest(t.counties || EXCLUDED.counties) AS c ORDER BY c),
           usage_count = cardinality(ARRAY(SELECT DISTINCT c FROM unnest(t.counties || EXCLUDED.counties) AS c)),
           priority = GREATEST(t.priority, EXCLUDED.priority),
           band_uris = EXCLUDED.band_uris,
           product = EXCLUDED.product,
           updated_at = now()`,
        group.flatMap((item) => [
          index.planName, index.stateFips, item.itemId, item.mgrsTile, item.acquiredOn,
          JSON.stringify(item.bandUris), index.countyFips, String(item.priority), item.product ?? null,
        ]),
      );
    }
    await tx.query(
      `INSERT INTO biomass.indexed_counties (plan_name, state_fips, county_fips, item_count, source_fingerprint)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (plan_name, state_fips, county_fips) DO UPDATE SET
         item_count = EXCLUDED.item_count, source_fingerprint = EXCLUDED.source_fingerprint, indexed_at = now()`,
      [index.planName, index.stateFips, index.countyFips, unique.length, index.fingerprint ?? ''],
    );
  });
}

interface ItemRow {
  state_fips: string; item_id: string; mgrs_tile: string; acquired_on: string;
  band_uris: Record<string, string>; counties: string[]; usage_count: number; priority: number; product: string | null;
}

/** A state's items, most used and highest priority first (the order to preprocess them). */
export async function listStateItems(db: Queryable, planName: string, stateFips: string): Promise<TileItem[]> {
  const result = await db.query<ItemRow>(
    `SELECT state_fips, item_id, mgrs_tile, to_char(acquired_on, 'YYYY-MM-DD') AS acquired_on, band_uris,
            counties, usage_count, priority, product
     FROM biomass.tile_items WHERE plan_name = $1 AND state_fips = $2
     ORDER BY priority DESC, usage_count DESC, item_id`,
    [planName, stateFips],
  );
  return result.rows.map((row) => ({
    stateFips: row.state_fips,
    itemId: row.item_id,
    mgrsTile: row.mgrs_tile,
    acquiredOn: row.acquired_on,
    bandUris: row.band_uris,
    counties: row.counties,
    usageCount: Number(row.usage_count),
    priority: Number(row.priority),
    product: row.product,
  }));
}

/**
 * Sets the priority of every item of the given tiles, once a state's counties are all
 * indexed and the priorities (a sum over counties) are final. Idempotent.
 */
export async function setTilePriorities(
  db: Queryable,
  planName: string,
  stateFips: string,
  priorities: ReadonlyArray<{ tileId: string; priority: number }>,
): Promise<void> {
  if (priorities.length === 0) return;
  await db.query(
    `UPDATE biomass.tile_items AS t SET priority = p.priority, updated_at = now()
     FROM (SELECT unnest($3::text[]) AS mgrs_tile, unnest($4::double precision[]) AS priority) AS p
     WHERE t.plan_name = $1 AND t.state_fips = $2 AND t.mgrs_tile = p.mgrs_tile`,
    [planName, stateFips, priorities.map((p) => p.tileId), priorities.map((p) => p.priority)],
  );
}

/** FIPS of the counties of a state whose items are stored, sorted. */
export async function listIndexedCounties(db: Queryable, planName: string, stateFips: string): Promise<string[]> {
  const result = await db.query<{ county_fips: string }>(
    'SELECT county_fips FROM biomass.indexed_counties WHERE plan_name = $1 AND state_fips = $2 ORDER BY county_fips',
    [planName, stateFips],
  );
  return result.rows.map((row) => row.county_fips);
}

/** Records that every county of the state is indexed, with the totals at that moment. */
export async function markStateIndexComplete(db: Queryable, planName: string, stateFips: string, fingerprint = ''): Promise<StateIndex> {
  const result = await db.query<StateIndexRow>(
    `INSERT INTO biomass.state_indexes (plan_name, state_fips, item_count, county_count, source_fingerprint)
     SELECT $1, $2,
            (SELECT count(*) FROM biomass.tile_items WHERE plan_name = $1 AND state_fips = $2),
            (SELECT count(*) FROM biomass.indexed_counties WHERE plan_name = $1 AND state_fips = $2),
            $3
     ON CONFLICT (plan_name, state_fips) DO UPDATE SET
       item_count = EXCLUDED.item_count, county_count = EXCLUDED.county_count,
       source_fingerprint = EXCLUDED.source_fingerprint, completed_at = now()
     RETURNING state_fips, item_count, county_count, completed_at, source_fingerprint`,
    [planName, stateFips, fingerprint],
  );
  return toStateIndex(result.rows[0]!);
}

interface StateIndexRow {
  state_fips: string; item_count: number; county_count: number; completed_at: Date; source_fingerprint: string;
}

function toStateIndex(row: StateIndexRow): StateIndex {
  return {
    stateFips: row.state_fips, itemCount: Number(row.item_count), countyCount: Number(row.county_count),
    completedAt: row.completed_at, fingerprint: row.source_fingerprint,
  };
}

/**
 * Deletes a state's stored index (items, indexed counties, completion) when any of it was
 * made from settings other than `fingerprint`, in one transaction. Returns whether it did.
 */
export async function clearStaleStateIndex(store: Store, planName: string, stateFips: string, fingerprint: string): Promise<boolean> {
  return store.transaction(async (tx) => {
    const stale = await tx.query(
      `SELECT 1 FROM biomass.indexed_counties WHERE plan_name = $1 AND state_fips = $2 AND source_fingerprint <> $3
       UNION ALL
       SELECT 1 FROM biomass.state_indexes WHERE plan_name = $1 AND state_fips = $2 AND source_fingerprint <> $3
       LIMIT 1`,
      [planName, stateFips, fingerprint],
    );
    if (stale.rows.length === 0) return false;
    for (const table of ['tile_items', 'indexed_counties', 'state_indexes']) {
      await tx.query(`DELETE FROM biomass.${table} WHERE plan_name = $1 AND state_fips = $2`, [planName, stateFips]);
    }
    return true;
  });
}

/** The completion record of a state's index, or undefined while it is not complete. */
export async function getStateIndex(db: Queryable, planName: string, stateFips: string): Promise<StateIndex | undefined> {
  const result = await db.query<StateIndexRow>(
    `SELECT state_fips, item_count, county_count, completed_at, source_fingerprint
     FROM biomass.state_indexes WHERE plan_name = $1 AND state_fips = $2`,
    [planName, stateFips],
  );
  const row = result.rows[0];
  return row && toStateIndex(row);
}

/** Every state's use of the given items: who else needs a temporary tile (reference counts for cleanup). */
export async function listItemUsers(db: Queryable, planName: string, itemIds: readonly string[]): Promise<Array<{ itemId: string; stateFips: string; counties: string[] }>> {
  const result = await db.query<{ item_id: string; state_fips: string; counties: string[] }>(
    `SELECT item_id, state_fips, counties FROM biomass.tile_items
     WHERE plan_name = $1 AND item_id = ANY($2::text[]) ORDER BY item_id, state_fips`,
    [planName, itemIds],
  );
  return result.rows.map((row) => ({ itemId: row.item_id, stateFips: row.state_fips, counties: row.counties }));
}
