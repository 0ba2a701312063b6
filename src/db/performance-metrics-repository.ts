import { rowsPlaceholders, statementGroups } from './multi-row-insert.js';
import type { PoolFigures, Queryable } from './store.js';

/** One figure of a run: `scope` is a node id (`county:17113`) or a component (`db.pool`). */
export interface Metric {
  scope: string;
  name: string;
  value: number;
  unit: string;
}

/** Stores figures of a run; recording the same (scope, name) again replaces its value. */
export async function recordMetrics(db: Queryable, runId: string, metrics: readonly Metric[]): Promise<void> {
  const unique = [...new Map(metrics.map((m) => [`${m.scope}\u0000${m.name}`, m])).values()];
  for (const group of statementGroups(unique, 5)) {
    await db.query(
      `INSERT INTO biomass.performance_metrics (run_id, scope, name, value, unit)
       VALUES ${rowsPlaceholders(group.length, 5)}
       ON CONFLICT (run_id, scope, name) DO UPDATE SET value = EXCLUDED.value, unit = EXCLUDED.unit, recorded_at = now()`,
      group.flatMap((m) => [runId, m.scope, m.name, m.value, m.unit]),
    );
  }
}

/** A run's figures, by scope and name. */
export async function listMetrics(db: Queryable, runId: string, scope?: string): Promise<Metric[]> {
  const result = await db.query<{ scope: string; name: string; value: number; unit: string }>(
    `SELECT scope, name, value, unit FROM biomass.performance_metrics
     WHERE run_id = $1 AND ($2::text IS NULL OR scope = $2) ORDER BY scope, name`,
    [runId, scope ?? null],
  );
  return result.rows.map((row) => ({ scope: row.scope, name: row.name, value: Number(row.value), unit: row.unit }));
}

/** The pool's figures as metrics, under a scope such as `db.pool.state`. */
export function poolMetrics(scope: string, figures: PoolFigures): Metric[] {
  return (Object.entries(figures) as Array<[keyof PoolFigures, number]>).map(([name, value]) => ({
    scope,
    name,
    value,
    unit: 'count',
  }));
}

/**
 * The figures a run records under scope `throughput`, which later dry runs use in place of
 * the plan's `estimates` (the executor records them as it measures them).
 */
export const THROUGHPUT_METRICS = {
  scope: 'throughput',
  downloadBytesPerSecond: 'download_bytes_per_second',
  preprocessTimeMs: 'preprocess_ms_per_item',
  parcelRate: 'parcels_per_second_per_batch',
} as const;

export interface LatestThroughput {
  downloadBytesPerSecond?: number;
  preprocessTimeMs?: number;
  parcelRate?: number;
  /** The runs the figures come from, newest first, with when each was recorded. */
  runs: Array<{ runId: string; recordedAt: Date }>;
}

/** The newest value of each throughput figure over the plan's runs. */
export async function latestThroughput(db: Queryable, planName: string): Promise<LatestThroughput> {
  const result = await db.query<{ name: string; value: number; run_id: string; recorded_at: Date }>(
    `SELECT DISTINCT ON (m.name) m.name, m.value, m.run_id, m.recorded_at
     FROM biomass.performance_metrics m JOIN biomass.runs r ON r.run_id = m.run_id
     WHERE r.plan_name = $1 AND m.scope = $2 AND m.name = ANY($3::text[])
     ORDER BY m.name, m.recorded_at DESC`,
    [planName, THROUGHPUT_METRICS.scope, [THROUGHPUT_METRICS.downloadBytesPerSecond, THROUGHPUT_METRICS.preprocessTimeMs, THROUGHPUT_METRICS.parcelRate]],
  );
  const value = (name: string) => {
    const row = result.rows.find((r) => r.name === name);
    return row === undefined ? undefined : Number(row.value);
  };
  const runs = [...new Map(result.rows.map((r) => [r.run_id, new Date(r.recorded_at)])).entries()]
    .map(([runId, recordedAt]) => ({ runId, recordedAt }))
    .sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime());
  return {
    downloadBytesPerSecond: value(THROUGHPUT_METRICS.downloadBytesPerSecond),
    preprocessTimeMs: value(THROUGHPUT_METRICS.preprocessTimeMs),
    parcelRate: value(THROUGHPUT_METRICS.parcelRate),
    runs,
  };
}
