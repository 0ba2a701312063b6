import type { Queryable } from './store.js';

/** Who holds a plan's run lock. */
export interface RunLockHolder {
  planName: string;
  runId: string;
  host: string;
  pid: number;
  acquiredAt: Date;
  expiresAt: Date;
  /** True when the lease ran out (the holder stopped renewing it). */
  expired: boolean;
}

interface LockRow {
  plan_name: string; run_id: string; host: string; pid: number; acquired_at: Date; expires_at: Date; expired: boolean;
}

function toHolder(row: LockRow): RunLockHolder {
  return {
    planName: row.plan_name, runId: row.run_id, host: row.host, pid: Number(row.pid),
    acquiredAt: row.acquired_at, expiresAt: row.expires_at, expired: row.expired,
  };
}

/**
 * Takes the plan's run lock for `runId` when it is free, expired, or held by `replacing`
 * (a holder the caller proved dead). Returns undefined when taken, else the holder that
 * keeps it. One statement, so two runs starting at once cannot both win.
 */
export async function acquireRunLock(
  db: Queryable,
  lock: { planName: string; runId: string; host: string; pid: number; leaseMs: number; replacing?: string },
): Promise<RunLockHolder | undefined> {
  const taken = await db.query(
    `INSERT INTO biomass.run_locks AS l (plan_name, run_id, host, pid, expires_at)
     VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')
     ON CONFLICT (plan_name) DO UPDATE SET
       run_id = EXCLUDED.run_id, host = EXCLUDED.host, pid = EXCLUDED.pid,
       acquired_at = now(), expires_at = EXCLUDED.expires_at
     WHERE l.expires_at < now() OR l.run_id = $2 OR l.run_id = $6`,
    [lock.planName, lock.runId, lock.host, lock.pid, lock.leaseMs, lock.replacing ?? null],
  );
  if (taken.rowCount > 0) return undefined;
  return getRunLock(db, lock.planName);
}

/** The holder of a plan's run lock, if any. */
export async function getRunLock(db: Queryable, planName: string): Promise<RunLockHolder | undefined> {
  const result = await db.query<LockRow>(
    'SELECT *, expires_at < now() AS expired FROM biomass.run_locks WHERE plan_name = $1',
    [planName],
  );
  return result.rows[0] ? toHolder(result.rows[0]) : undefined;
}

/** Extends the lease; false means another run took the lock over (this run must stop). */
export async function renewRunLock(db: Queryable, lock: { planName: string; runId: string; leaseMs: number }): Promise<boolean> {
  const result = await db.query(
    `UPDATE biomass.run_locks SET expires_at = now() + $3 * interval '1 millisecond'
     WHERE plan_name = $1 AND run_id = $2`,
    [lock.planName, lock.runId, lock.leaseMs],
  );
  return result.rowCount > 0;
}

export async function releaseRunLock(db: Queryable, lock: { planName: string; runId: string }): Promise<void> {
  await db.query('DELETE FROM biomass.run_locks WHERE plan_name = $1 AND run_id = $2', [lock.planName, lock.runId]);
}
