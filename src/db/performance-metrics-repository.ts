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
