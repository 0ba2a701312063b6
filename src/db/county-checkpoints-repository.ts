import type { Queryable } from './store.js';

/** How far a county got: its last batch whose outputs are committed. */
export interface CountyCheckpoint {
  countyFips: string;
  lastBatch: number;
  parcelsDone: number;
  runId: string;
  attempt: number;
  updatedAt: Date;
}

interface CheckpointRow {
  county_fips: string; last_batch: number; parcels_done: number; run_id: string; attempt: number; updated_at: Date;
}

function toCheckpoint(row: CheckpointRow): CountyCheckpoint {
  return {
    countyFips: row.county_fips, lastBatch: Number(row.last_batch), parcelsDone: Number(row.parcels_done),
    runId: row.run_id, attempt: Number(row.attempt), updatedAt: row.updated_at,
  };
}

/**
 * Moves a county's checkpoint to `lastBatch`. Call it in the transaction that writes the
 * batch's outputs. It never moves backwards, so a batch committed twice (a retry, a second
 * worker) cannot undo later progress.
 */
export async function saveCountyCheckpoint(
  db: Queryable,
  checkpoint: { planName: string; countyFips: string; lastBatch: number; parcelsDone: number; runId: string; attempt: number },
): Promise<void> {
  await db.query(
    `INSERT INTO biomass.county_checkpoints AS c (plan_name, county_fips, last_batch, parcels_done, run_id, attempt)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (plan_name, county_fips) DO UPDATE SET
       last_batch = EXCLUDED.last_batch, parcels_done = EXCLUDED.parcels_done,
       run_id = EXCLUDED.run_id, attempt = EXCLUDED.attempt, updated_at = now()
     WHERE c.last_batch < EXCLUDED.last_batch`,
    [checkpoint.planName, checkpoint.countyFips, checkpoint.lastBatch, checkpoint.parcelsDone, checkpoint.runId, checkpoint.attempt],
  );
}

/** The county's checkpoint, or undefined when no batch is committed yet. */
export async function getCountyCheckpoint(db: Queryable, planName: string, countyFips: string): Promise<CountyCheckpoint | undefined> {
  const result = await db.query<CheckpointRow>(
    'SELECT county_fips, last_batch, parcels_done, run_id, attempt, updated_at FROM biomass.county_checkpoints WHERE plan_name = $1 AND county_fips = $2',
    [planName, countyFips],
  );
  return result.rows[0] ? toCheckpoint(result.rows[0]) : undefined;
}

/** Forgets a county's progress, so it is processed again from its first batch. */
export async function clearCountyCheckpoint(db: Queryable, planName: string, countyFips: string): Promise<void> {
  await db.query('DELETE FROM biomass.county_checkpoints WHERE plan_name = $1 AND county_fips = $2', [planName, countyFips]);
}
