/**
 * `biomass status`: what the database knows of a plan's runs, read only. The last runs; per
 * state, each stage's nodes by status; what is running (lease holder, heartbeat); what failed,
 * with the reason and the command that retries it. Works from any machine on the database.
 */
import { listNodeStatus, type NodeStatus, type NodeStatusRecord } from '../db/node-status-repository.js';
import { countParcelsWithOutputs } from '../db/parcel-outputs-repository.js';
import { getRunLock } from '../db/run-locks-repository.js';
import { listRecentRuns } from '../db/runs-repository.js';
import type { Store } from '../db/store.js';
import type { Geography } from '../geo/geography.js';
import { findState } from '../geo/states.js';
import { formatDuration } from '../plan/units.js';

const STAGE_OF: Record<string, string> = { index: 'index', preprocess: 'preprocess', county: 'counties', verify: 'verify', cleanup: 'cleanup' };
const STAGES = ['index', 'preprocess', 'counties', 'verify', 'cleanup'];

export interface StatusReport {
  plan: string;
  database: string;
  runs: Array<{ runId: string; status: string; startedAt: string; finishedAt: string | null; durationMs: number | null; host: string; pid: number | null; gitCommit: string | null; gitDirty: boolean | null; error: string | null }>;
  /** The live run holding the plan's lock, if any. */
  lock: { runId: string; host: string; pid: number; expired: boolean } | null;
  states: Array<{
    fips: string;
    postal: string;
    complete: boolean;
    stages: Record<string, Partial<Record<NodeStatus, number>>>;
    counties: Array<{ fips: string; name: string; status: NodeStatus; outputs: number; error: string | null }>;
  }>;
  running: Array<{ node: string; owner: string | null; heartbeatAt: string | null; attempt: number }>;
  failed: Array<{ node: string; status: NodeStatus; error: string | null; failures: number; retry: string }>;
}

export async function statusReport(db: Store, geography: Geography, planName: string, planArg: string): Promise<StatusReport> {
  const rows = await listNodeStatus(db, planName);
  const counties = rows.filter((r) => r.kind === 'county' && r.countyFips);
  const outputs = await countParcelsWithOutputs(db, planName, counties.map((c) => c.countyFips!));
  const runs = await listRecentRuns(db, 5, planName);
  const lock = await getRunLock(db, planName);
  const byState = new Map<string, NodeStatusRecord[]>();
  for (const row of rows) {
    const state = row.stateFips ?? '';
    (byState.get(state) ?? byState.set(state, []).get(state)!).push(row);
  }
  return {
    plan: planName,
    database: db.description,
    runs: runs.map((r) => ({
      runId: r.runId, status: r.status, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null,
      durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null, host: r.host, pid: r.pid,
      gitCommit: r.gitCommit, gitDirty: r.gitDirty, error: r.error,
    })),
    lock: lock ? { runId: lock.runId, host: lock.host, pid: lock.pid, expired: lock.expired } : null,
    states: [...byState].sort(([a], [b]) => a.localeCompare(b)).map(([fips, list]) => {
      const stages: Record<string, Partial<Record<NodeStatus, number>>> = {};
      for (const row of list) {
        const stage = (stages[STAGE_OF[row.kind] ?? row.kind] ??= {});
        stage[row.status] = (stage[row.status] ?? 0) + 1;
      }
      return {
        fips, postal: findState(fips)?.postal ?? '', complete: list.every((r) => r.status === 'succeeded'), stages,
        counties: list.filter((r) => r.kind === 'county' && r.countyFips).map((r) => ({
          fips: r.countyFips!, name: countyName(geography, r.countyFips!), status: r.status, outputs: outputs.get(r.countyFips!) ?? 0, error: r.error,
        })),
      };
    }),
    running: rows.filter((r) => r.status === 'running').map((r) => ({ node: r.nodeId, owner: r.leaseOwner, heartbeatAt: r.heartbeatAt?.toISOString() ?? null, attempt: r.attempt })),
    failed: rows.filter((r) => r.status === 'failed' || r.status === 'skipped').map((r) => ({
      node: r.nodeId, status: r.status, error: r.error, failures: r.failures,
      retry: `biomass run ${planArg}${r.stateFips ? ` --state-fips ${r.stateFips}` : ''}`,
    })),
  };
}

function countyName(geography: Geography, fips: string): string {
  try {
    return geography.county(fips).name;
  } catch {
    return '';
  }
}

const n = (x: number) => x.toLocaleString('en-US');

export function statusText(report: StatusReport, now: Date = new Date()): string {
  const lines: string[] = [`Plan ${report.plan} in ${report.database}`];
  if (report.runs.length === 0 && report.states.length === 0) return lines[0] + ': no runs yet. Start one with `biomass run PLAN`.\n';
  if (report.lock && !report.lock.expired) lines.push(`Running now: run ${report.lock.runId}, process ${report.lock.pid} on ${report.lock.host}`);
  lines.push('Last runs:');
  for (const r of report.runs) {
    const git = r.gitCommit ? `  plan at ${r.gitCommit.slice(0, 10)}${r.gitDirty ? ' + uncommitted edits' : ''}` : '';
    lines.push(`  ${r.startedAt.slice(0, 19).replace('T', ' ')}  ${r.status.padEnd(11)} ${r.durationMs === null ? '' : formatDuration(r.durationMs).padEnd(8)} run ${r.runId}${git}`);
  }
  for (const s of report.states) {
    const stages = STAGES.filter((st) => s.stages[st]).map((st) => {
      const counts = s.stages[st]!;
      const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
      const extra = (['running', 'failed', 'skipped'] as const).filter((k) => counts[k]).map((k) => `${counts[k]} ${k === 'skipped' ? 'not run' : k}`);
      return `${st} ${counts.succeeded ?? 0}/${total}${extra.length ? ` (${extra.join(', ')})` : ''}`;
    });
    lines.push(`State ${s.fips} ${s.postal}: ${s.complete ? 'complete' : 'not complete'}; ${stages.join(', ')}`);
    const shown = s.counties.length <= 12 ? s.counties : s.counties.filter((c) => c.status !== 'succeeded');
    for (const c of shown) lines.push(`  county ${c.fips} ${c.name}: ${c.status}, ${n(c.outputs)} parcel outputs`);
  }
  if (report.running.length > 0) {
    lines.push('Running:');
    for (const r of report.running) {
      const ago = r.heartbeatAt ? `, heartbeat ${formatDuration(now.getTime() - Date.parse(r.heartbeatAt))} ago` : '';
      lines.push(`  ${r.node} (attempt ${r.attempt}, ${r.owner ?? 'no owner'}${ago})`);
    }
  }
  if (report.failed.length > 0) {
    lines.push('Failed:');
    for (const f of report.failed) lines.push(`  ${f.node}: ${f.error ?? f.status}${f.failures > 0 ? ` (${f.failures} failed attempts)` : ''}`);
    lines.push(`Retry: ${[...new Set(report.failed.map((f) => f.retry))].join('; ')}`);
  }
  return lines.join('\n') + '\n';
}
