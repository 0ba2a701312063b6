import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Queryable } from './store.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';
export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

export interface RunRecord {
  runId: string;
  planName: string;
  planHash: string;
  status: RunStatus;
  host: string;
  pid: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
}

export interface RunEvent {
  eventId: string;
  runId: string;
  at: Date;
  level: EventLevel;
  nodeId: string | null;
  code: string | null;
  message: string;
  details: Record<string, unknown>;
}

interface RunRow {
  run_id: string;
  plan_name: string;
  plan_hash: string;
  status: RunStatus;
  host: string;
  pid: number | null;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
}

function toRun(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    planName: row.plan_name,
    planHash: row.plan_hash,
    status: row.status,
    host: row.host,
    pid: row.pid,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
  };
}

/** Records the start of a run. The id is made here so a retried insert finds its own row. */
export async function startRun(
  db: Queryable,
  run: { planName: string; planHash: string; runId?: string },
): Promise<RunRecord> {
  const result = await db.query<RunRow>(
    `INSERT INTO biomass.runs (run_id, plan_name, plan_hash, host, pid)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (run_id) DO UPDATE SET run_id = EXCLUDED.run_id
     RETURNING *`,
    [run.runId ?? randomUUID(), run.planName, run.planHash, os.hostname(), process.pid],
  );
  return toRun(result.rows[0] as RunRow);
}

export async function finishRun(db: Queryable, runId: string, status: Exclude<RunStatus, 'running'>, error?: string): Promise<void> {
  await db.query(
    'UPDATE biomass.runs SET status = $2, finished_at = now(), error = $3 WHERE run_id = $1',
    [runId, status, error ?? null],
  );
}

export async function getRun(db: Queryable, runId: string): Promise<RunRecord | undefined> {
  const result = await db.query<RunRow>('SELECT * FROM biomass.runs WHERE run_id = $1', [runId]);
  return result.rows[0] ? toRun(result.rows[0]) : undefined;
}

/** Runs of a plan, newest first. */
export async function listRuns(db: Queryable, planName: string): Promise<RunRecord[]> {
  const result = await db.query<RunRow>(
    'SELECT * FROM biomass.runs WHERE plan_name = $1 ORDER BY started_at DESC, run_id',
    [planName],
  );
  return result.rows.map(toRun);
}

/** Appends an event to a run's log; a retried call with the same eventId adds nothing. */
export async function recordEvent(
  db: Queryable,
  event: { runId: string; level: EventLevel; message: string; nodeId?: string; code?: string; details?: Record<string, unknown>; eventId?: string },
): Promise<string> {
  const eventId = event.eventId ?? randomUUID();
  await db.query(
    `INSERT INTO biomass.run_events (event_id, run_id, level, node_id, code, message, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
     ON CONFLICT (event_id) DO NOTHING`,
    [eventId, event.runId, event.level, event.nodeId ?? null, event.code ?? null, event.message, JSON.stringify(event.details ?? {})],
  );
  return eventId;
}

/** A run's events in order; `level` narrows to one level (e.g. the error log). */
export async function listEvents(db: Queryable, runId: string, level?: EventLevel): Promise<RunEvent[]> {
  const result = await db.query<{
    event_id: string; run_id: string; at: Date; level: EventLevel; node_id: string | null;
    code: string | null; message: string; details: Record<string, unknown>;
  }>(
    `SELECT * FROM biomass.run_events WHERE run_id = $1 AND ($2::text IS NULL OR level = $2)
     ORDER BY at, event_id`,
    [runId, level ?? null],
  );
  return result.rows.map((row) => ({
    eventId: row.event_id,
    runId: row.run_id,
    at: row.at,
    level: row.level,
    nodeId: row.node_id,
    code: row.code,
    message: row.message,
    details: row.details,
  }));
}

/** Where a run's plan came from: its file, its text as run, and its git commit (null outside git). */
export interface RunSource {
  planFile: string;
  planText: string;
  gitCommit: string | null;
  /** True when the plan file had edits not committed; null outside git. */
  gitDirty: boolean | null;
}

export async function recordRunSource(db: Queryable, runId: string, source: RunSource): Promise<void> {
  await db.query(
    'UPDATE biomass.runs SET plan_file = $2, plan_text = $3, git_commit = $4, git_dirty = $5 WHERE run_id = $1',
    [runId, source.planFile, source.planText, source.gitCommit, source.gitDirty],
  );
}

export async function getRunSource(db: Queryable, runId: string): Promise<RunSource | undefined> {
  const result = await db.query<{ plan_file: string; plan_text: string; git_commit: string | null; git_dirty: boolean | null }>(
    'SELECT plan_file, plan_text, git_commit, git_dirty FROM biomass.runs WHERE run_id = $1',
    [runId],
  );
  const row = result.rows[0];
  return row && { planFile: row.plan_file, planText: row.plan_text, gitCommit: row.git_commit, gitDirty: row.git_dirty };
}

/** Stores the run's end-of-run summary (counts, figures, what failed) for `biomass status`. */
export async function recordRunSummary(db: Queryable, runId: string, summary: Record<string, unknown>): Promise<void> {
  await db.query('UPDATE biomass.runs SET summary = $2::jsonb WHERE run_id = $1', [runId, JSON.stringify(summary)]);
}

export async function getRunSummary(db: Queryable, runId: string): Promise<Record<string, unknown>> {
  const result = await db.query<{ summary: Record<string, unknown> }>('SELECT summary FROM biomass.runs WHERE run_id = $1', [runId]);
  return result.rows[0]?.summary ?? {};
}

/** The newest runs of every plan (or of one), newest first, with where their plan came from. */
export async function listRecentRuns(db: Queryable, limit: number, planName?: string): Promise<Array<RunRecord & { gitCommit: string | null; gitDirty: boolean | null; planFile: string }>> {
  const result = await db.query<RunRow & { git_commit: string | null; git_dirty: boolean | null; plan_file: string }>(
    `SELECT * FROM biomass.runs WHERE ($2::text IS NULL OR plan_name = $2) ORDER BY started_at DESC, run_id LIMIT $1`,
    [limit, planName ?? null],
  );
  return result.rows.map((row) => ({ ...toRun(row), gitCommit: row.git_commit, gitDirty: row.git_dirty, planFile: row.plan_file }));
}
