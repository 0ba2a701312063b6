import { rowsPlaceholders, statementGroups } from './multi-row-insert.js';
import type { Queryable } from './store.js';

export type NodeStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** A DAG node as the status table knows it: `state:17`, `county:17113`, `index:17`, ... */
export interface NodeKey {
  nodeId: string;
  kind: string;
  stateFips?: string;
  countyFips?: string;
}

export interface NodeStatusRecord extends Required<Omit<NodeKey, 'stateFips' | 'countyFips'>> {
  planName: string;
  stateFips: string | null;
  countyFips: string | null;
  status: NodeStatus;
  attempt: number;
  runId: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  heartbeatAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
  error: string | null;
  /** What the last attempt measured (0008): durationMs, bytes, readsByPath, cache, parcels. */
  figures: Record<string, unknown>;
  /** Attempts that failed before the node ended (0008). */
  failures: number;
}

interface NodeRow {
  plan_name: string; node_id: string; kind: string; state_fips: string | null; county_fips: string | null;
  status: NodeStatus; attempt: number; run_id: string | null; lease_owner: string | null;
  lease_expires_at: Date | null; heartbeat_at: Date | null; started_at: Date | null;
  finished_at: Date | null; updated_at: Date; error: string | null;
  figures?: Record<string, unknown>; failures?: number;
}

function toRecord(row: NodeRow): NodeStatusRecord {
  return {
    planName: row.plan_name, nodeId: row.node_id, kind: row.kind, stateFips: row.state_fips,
    countyFips: row.county_fips, status: row.status, attempt: Number(row.attempt), runId: row.run_id,
    leaseOwner: row.lease_owner, leaseExpiresAt: row.lease_expires_at, heartbeatAt: row.heartbeat_at,
    startedAt: row.started_at, finishedAt: row.finished_at, updatedAt: row.updated_at, error: row.error,
    figures: row.figures ?? {}, failures: Number(row.failures ?? 0),
  };
}

/** Adds the nodes of a plan as `pending`; nodes already known keep their status. */
export async function ensureNodes(db: Queryable, planName: string, nodes: readonly NodeKey[]): Promise<void> {
  for (const group of statementGroups(nodes, 5)) {
    await db.query(
      `INSERT INTO biomass.node_status (plan_name, node_id, kind, state_fips, county_fips)
       VALUES ${rowsPlaceholders(group.length, 5)}
       ON CONFLICT (plan_name, node_id) DO NOTHING`,
      group.flatMap((n) => [planName, n.nodeId, n.kind, n.stateFips ?? null, n.countyFips ?? null]),
    );
  }
}

/**
 * Takes a node for `owner` when it is pending, failed, skipped, or running under an expired lease,
 * and returns the new attempt number (the fencing token every later write carries), or
 * undefined when someone else holds it or it is done. Claiming again as the same owner
 * returns the same attempt, so a claim retried after a lost reply is harmless.
 */
export async function claimNode(
  db: Queryable,
  claim: { planName: string; nodeId: string; owner: string; runId: string; leaseMs: number },
): Promise<number | undefined> {
  const result = await db.query<{ attempt: number }>(
    `UPDATE biomass.node_status SET
       attempt = CASE WHEN status = 'running' AND lease_owner = $3 THEN attempt ELSE attempt + 1 END,
       status = 'running', lease_owner = $3, run_id = $4,
       lease_expires_at = now() + $5 * interval '1 millisecond', heartbeat_at = now(),
       started_at = now(), finished_at = NULL, error = NULL, updated_at = now()
     WHERE plan_name = $1 AND node_id = $2
       AND (status IN ('pending', 'failed', 'skipped')
            OR (status = 'running' AND (lease_owner = $3 OR lease_expires_at < now())))
     RETURNING attempt`,
    [claim.planName, claim.nodeId, claim.owner, claim.runId, claim.leaseMs],
  );
  const row = result.rows[0];
  return row ? Number(row.attempt) : undefined;
}

/** Extends a lease; false means the node was taken over (a newer attempt exists): stop work. */
export async function heartbeat(
  db: Queryable,
  lease: { planName: string; nodeId: string; owner: string; attempt: number; leaseMs: number },
): Promise<boolean> {
  const result = await db.query(
    `UPDATE biomass.node_status
     SET heartbeat_at = now(), lease_expires_at = now() + $5 * interval '1 millisecond', updated_at = now()
     WHERE plan_name = $1 AND node_id = $2 AND lease_owner = $3 AND attempt = $4 AND status = 'running'`,
    [lease.planName, lease.nodeId, lease.owner, lease.attempt, lease.leaseMs],
  );
  return result.rowCount > 0;
}

/**
 * Ends an attempt. Refused (false) when a newer attempt took the node over; accepted again
 * when repeated with the same outcome, so a retried call is harmless.
 */
export async function finishNode(
  db: Queryable,
  end: { planName: string; nodeId: string; attempt: number; status: 'succeeded' | 'failed' | 'skipped'; error?: string },
): Promise<boolean> {
  const result = await db.query(
    `UPDATE biomass.node_status
     SET status = $4, error = $5, finished_at = COALESCE(finished_at, now()), lease_owner = NULL,
         lease_expires_at = NULL, updated_at = now()
     WHERE plan_name = $1 AND node_id = $2 AND attempt = $3 AND status IN ('running', $4)`,
    [end.planName, end.nodeId, end.attempt, end.status, end.error ?? null],
  );
  return result.rowCount > 0;
}

/** The status rows of a plan, optionally of one kind and/or one state, ordered by node id. */
export async function listNodeStatus(
  db: Queryable,
  planName: string,
  filter: { kind?: string; stateFips?: string } = {},
): Promise<NodeStatusRecord[]> {
  const result = await db.query<NodeRow>(
    `SELECT * FROM biomass.node_status
     WHERE plan_name = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR state_fips = $3)
     ORDER BY node_id`,
    [planName, filter.kind ?? null, filter.stateFips ?? null],
  );
  return result.rows.map(toRecord);
}

/**
 * Gives a node back as pending (an interrupted attempt: nothing failed), so the next run
 * claims it at once instead of waiting for its lease to expire. Fenced by attempt.
 */
export async function releaseNode(db: Queryable, lease: { planName: string; nodeId: string; attempt: number }): Promise<boolean> {
  const result = await db.query(
    `UPDATE biomass.node_status
     SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE plan_name = $1 AND node_id = $2 AND attempt = $3 AND status = 'running'`,
    [lease.planName, lease.nodeId, lease.attempt],
  );
  return result.rowCount > 0;
}

/**
 * Expires the leases a dead run held (its process is known to be gone), so they are taken
 * over now rather than when they run out. Returns the nodes concerned.
 */
export async function expireLeasesOfRun(db: Queryable, planName: string, runId: string): Promise<string[]> {
  const result = await db.query<{ node_id: string }>(
    `UPDATE biomass.node_status SET lease_expires_at = now() - interval '1 millisecond', updated_at = now()
     WHERE plan_name = $1 AND run_id = $2 AND status = 'running'
     RETURNING node_id`,
    [planName, runId],
  );
  return result.rows.map((row) => row.node_id);
}

/** Stores what an attempt measured and how many attempts failed so far; fenced by attempt. */
export async function recordNodeFigures(
  db: Queryable,
  record: { planName: string; nodeId: string; attempt: number; figures: Record<string, unknown>; failures: number },
): Promise<void> {
  await db.query(
    `UPDATE biomass.node_status SET figures = $4::jsonb, failures = $5, updated_at = now()
     WHERE plan_name = $1 AND node_id = $2 AND attempt = $3`,
    [record.planName, record.nodeId, record.attempt, JSON.stringify(record.figures), record.failures],
  );
}

/** Sets the status of nodes that will not run in this run (a dependency failed), with the reason. */
export async function markSkipped(db: Queryable, planName: string, nodeId: string, reason: string): Promise<void> {
  await db.query(
    `UPDATE biomass.node_status SET status = 'skipped', error = $3, lease_owner = NULL, lease_expires_at = NULL,
       finished_at = now(), updated_at = now()
     WHERE plan_name = $1 AND node_id = $2 AND status <> 'succeeded'`,
    [planName, nodeId, reason],
  );
}

/** Makes a finished node pending again, to be run again (a verify or cleanup after what it follows ran again). */
export async function reopenNode(db: Queryable, planName: string, nodeId: string): Promise<void> {
  await db.query(
    `UPDATE biomass.node_status SET status = 'pending', error = NULL, updated_at = now()
     WHERE plan_name = $1 AND node_id = $2 AND status IN ('succeeded', 'failed', 'skipped')`,
    [planName, nodeId],
  );
}
