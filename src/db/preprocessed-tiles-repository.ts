import type { Queryable } from './store.js';

export type PreprocessedTileStatus = 'pending' | 'ready' | 'failed' | 'deleted';

/** cog: a converted, streamable copy; download: a whole copy of a non-streamable original (last resort). */
export type TemporaryTileKind = 'cog' | 'download';

/** One temporary file made from one band of one item, under storage.dir/<state>/. */
export interface PreprocessedTile {
  itemId: string;
  band: string;
  path: string;
  bytes: number;
  sha256: string | null;
  status: PreprocessedTileStatus;
  /** Default cog. */
  kind?: TemporaryTileKind;
  /** The state whose folder holds the file; null for rows written before it was recorded. */
  stateFips?: string | null;
  /** Why the conversion failed (status failed). */
  error?: string | null;
}

interface TileRow {
  item_id: string; band: string; path: string; bytes: string | number; sha256: string | null;
  status: PreprocessedTileStatus; kind: TemporaryTileKind; state_fips: string | null; error: string | null;
}

const COLUMNS = 'item_id, band, path, bytes, sha256, status, kind, state_fips, error';

function toTile(row: TileRow): PreprocessedTile {
  // bigint arrives as a string from pg and as a number from PGlite.
  return {
    itemId: row.item_id, band: row.band, path: row.path, bytes: Number(row.bytes), sha256: row.sha256, status: row.status,
    kind: row.kind, stateFips: row.state_fips, error: row.error,
  };
}

/** Records (or updates) the file of one item band; the latest call wins. */
export async function recordPreprocessedTile(db: Queryable, planName: string, tile: PreprocessedTile): Promise<void> {
  await db.query(
    `INSERT INTO biomass.preprocessed_tiles (plan_name, item_id, band, path, bytes, sha256, status, kind, state_fips, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (plan_name, item_id, band) DO UPDATE SET
       path = EXCLUDED.path, bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256, status = EXCLUDED.status,
       kind = EXCLUDED.kind, state_fips = COALESCE(EXCLUDED.state_fips, biomass.preprocessed_tiles.state_fips),
       error = EXCLUDED.error, updated_at = now()`,
    [planName, tile.itemId, tile.band, tile.path, tile.bytes, tile.sha256, tile.status, tile.kind ?? 'cog', tile.stateFips ?? null, tile.error ?? null],
  );
}

/** The recorded files of a plan, optionally of one status, by item and band. */
export async function listPreprocessedTiles(
  db: Queryable,
  planName: string,
  status?: PreprocessedTileStatus,
): Promise<PreprocessedTile[]> {
  const result = await db.query<TileRow>(
    `SELECT ${COLUMNS} FROM biomass.preprocessed_tiles
     WHERE plan_name = $1 AND ($2::text IS NULL OR status = $2)
     ORDER BY item_id, band`,
    [planName, status ?? null],
  );
  return result.rows.map(toTile);
}

/** The record of one item band, or undefined. */
export async function getPreprocessedTile(db: Queryable, planName: string, itemId: string, band: string): Promise<PreprocessedTile | undefined> {
  const result = await db.query<TileRow>(
    `SELECT ${COLUMNS} FROM biomass.preprocessed_tiles WHERE plan_name = $1 AND item_id = $2 AND band = $3`,
    [planName, itemId, band],
  );
  const row = result.rows[0];
  return row && toTile(row);
}

/** The records of the given items, every band. */
export async function listTilesOfItems(db: Queryable, planName: string, itemIds: readonly string[]): Promise<PreprocessedTile[]> {
  const result = await db.query<TileRow>(
    `SELECT ${COLUMNS} FROM biomass.preprocessed_tiles WHERE plan_name = $1 AND item_id = ANY($2::text[]) ORDER BY item_id, band`,
    [planName, itemIds],
  );
  return result.rows.map(toTile);
}

/** Marks the files of the given items deleted (cleanup), returning how many rows changed. */
export async function markTilesDeleted(db: Queryable, planName: string, itemIds: readonly string[]): Promise<number> {
  const result = await db.query(
    `UPDATE biomass.preprocessed_tiles SET status = 'deleted', updated_at = now()
     WHERE plan_name = $1 AND item_id = ANY($2::text[]) AND status <> 'deleted'`,
    [planName, itemIds],
  );
  return result.rowCount;
}

/** Bytes of the files that are ready now: what temporary storage holds for the plan. */
export async function readyBytes(db: Queryable, planName: string): Promise<number> {
  const result = await db.query<{ bytes: string | number | null }>(
    "SELECT sum(bytes) AS bytes FROM biomass.preprocessed_tiles WHERE plan_name = $1 AND status = 'ready'",
    [planName],
  );
  return Number(result.rows[0]?.bytes ?? 0);
}

/** Files not yet deleted, oldest first (emergency cleanup frees the oldest first). */
export async function listLiveTilesOldestFirst(db: Queryable, planName: string): Promise<Array<PreprocessedTile & { updatedAt: Date }>> {
  const result = await db.query<TileRow & { updated_at: Date }>(
    `SELECT ${COLUMNS}, updated_at FROM biomass.preprocessed_tiles
     WHERE plan_name = $1 AND status <> 'deleted' ORDER BY updated_at, item_id, band`,
    [planName],
  );
  return result.rows.map((row) => ({ ...toTile(row), updatedAt: new Date(row.updated_at) }));
}
