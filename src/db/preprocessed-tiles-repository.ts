import type { Queryable } from './store.js';

export type PreprocessedTileStatus = 'pending' | 'ready' | 'failed' | 'deleted';

/** One streamable file made from one band of one item, in temporary storage. */
export interface PreprocessedTile {
  itemId: string;
  band: string;
  path: string;
  bytes: number;
  sha256: string | null;
  status: PreprocessedTileStatus;
}

/** Records (or updates) the file of one item band; the latest call wins. */
export async function recordPreprocessedTile(db: Queryable, planName: string, tile: PreprocessedTile): Promise<void> {
  await db.query(
    `INSERT INTO biomass.preprocessed_tiles (plan_name, item_id, band, path, bytes, sha256, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (plan_name, item_id, band) DO UPDATE SET
       path = EXCLUDED.path, bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256,
       status = EXCLUDED.status, updated_at = now()`,
    [planName, tile.itemId, tile.band, tile.path, tile.bytes, tile.sha256, tile.status],
  );
}

/** The recorded files of a plan, optionally of one status, by item and band. */
export async function listPreprocessedTiles(
  db: Queryable,
  planName: string,
  status?: PreprocessedTileStatus,
): Promise<PreprocessedTile[]> {
  const result = await db.query<{ item_id: string; band: string; path: string; bytes: string | number; sha256: string | null; status: PreprocessedTileStatus }>(
    `SELECT item_id, band, path, bytes, sha256, status FROM biomass.preprocessed_tiles
     WHERE plan_name = $1 AND ($2::text IS NULL OR status = $2)
     ORDER BY item_id, band`,
    [planName, status ?? null],
  );
  // bigint arrives as a string from pg and as a number from PGlite.
  return result.rows.map((row) => ({
    itemId: row.item_id, band: row.band, path: row.path, bytes: Number(row.bytes), sha256: row.sha256, status: row.status,
  }));
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
