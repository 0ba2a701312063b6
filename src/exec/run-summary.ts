/**
 * The end of a run in a few lines: the outcome, what was done, what failed with the command
 * that reruns it, where the outputs are and how to query them, and where the log is.
 */
import type { Dag } from '../dag/dag.js';
import type { Plan } from '../plan/plan.js';
import { formatBytes, formatDuration } from '../plan/units.js';
import type { ExecuteResult } from './executor.js';
import { streamedShare, cacheHitRatio, type Figures } from './run-figures.js';

export interface RunSummary {
  runId: string;
  status: 'succeeded' | 'failed' | 'interrupted';
  durationMs: number;
  nodes: { total: number; succeeded: number; doneBefore: number; failed: number; skipped: number; interrupted: number };
  counties: { total: number; done: number };
  parcels: { total: number; thisRun: number };
  failed: Array<{ node: string; label: string; error: string }>;
  rerun: string;
  /** When nothing could start: what waited, for which resources. */
  stalled: string[];
  figures: Figures;
  logFile: string;
  outputs: { table: string; database: string; query: string };
}

export function summarize(input: {
  plan: Plan; planArg: string; stateArgs: string[]; dag: Dag; result: ExecuteResult; runId: string; durationMs: number;
  figures: Figures; logFile: string; database: { kind: 'postgres' | 'pglite'; description: string };
}): RunSummary {
  const { dag, result } = input;
  const count = (end: string) => [...result.ends.values()].filter((e) => e.end === end).length;
  const counties = dag.nodes.filter((n) => n.kind === 'county');
  const done = counties.filter((c) => ['succeeded', 'done-before'].includes(result.ends.get(c.id)?.end ?? ''));
  const failed = dag.nodes
    .filter((n) => ['failed', 'skipped'].includes(result.ends.get(n.id)?.end ?? ''))
    .map((n) => ({ node: n.id, label: n.label, error: result.ends.get(n.id)?.error ?? '' }));
  const status = result.interrupted ? 'interrupted' : failed.length > 0 || result.stalled ? 'failed' : 'succeeded';
  const states = input.stateArgs.map((s) => ` --state-fips ${s}`).join('');
  const sql = `SELECT county_fips, count(*) AS parcels, sum(biomass_total) AS biomass FROM biomass.parcel_outputs WHERE plan_name = '${input.plan.name}' GROUP BY county_fips`;
  return {
    runId: input.runId, status, durationMs: input.durationMs,
    nodes: { total: dag.nodes.length, succeeded: count('succeeded'), doneBefore: count('done-before'), failed: count('failed'), skipped: count('skipped'), interrupted: count('interrupted') + result.abandoned.length },
    counties: { total: counties.length, done: done.length },
    parcels: { total: counties.reduce((a, c) => a + c.parcels, 0), thisRun: input.figures.parcels },
    failed,
    rerun: `biomass run ${input.planArg}${states}`,
    stalled: (result.stalled ?? []).map((s) => `${s.node.id} waits for ${s.resources.join(', ') || 'its turn'}`),
    figures: input.figures,
    logFile: input.logFile,
    outputs: {
      table: 'biomass.parcel_outputs',
      database: input.database.description,
      query: input.database.kind === 'postgres'
        ? `psql "$DATABASE_URL" -c "${sql}"`
        : `biomass status ${input.planArg} --outputs > outputs.csv (the embedded database opens in one process at a time)`,
    },
  };
}

const n = (x: number) => x.toLocaleString('en-US');

export function summaryText(s: RunSummary, relative: (file: string) => string): string {
  const lines: string[] = [];
  const head = s.status === 'succeeded' ? 'Done' : s.status === 'interrupted' ? 'Stopped' : 'Failed';
  lines.push(`${head}: ${n(s.counties.done)}/${n(s.counties.total)} counties, ${n(s.parcels.total)} parcels in the plan, ${n(s.parcels.thisRun)} processed in this run; ` +
    `${s.nodes.succeeded} ${s.nodes.succeeded === 1 ? 'step' : 'steps'} run, ${s.nodes.doneBefore} done before, ${s.nodes.failed} failed, ${s.nodes.skipped} not run; ${formatDuration(s.durationMs)} (run ${s.runId}).`);
  const read = Object.entries(s.figures.bytesByPath);
  if (read.length > 0) {
    const streamed = streamedShare(s.figures);
    const hits = cacheHitRatio(s.figures);
    lines.push(`Read ${read.map(([path, bytes]) => `${formatBytes(bytes)} ${path}`).join(', ')}` +
      `${streamed !== null ? ` (${(streamed * 100).toFixed(1)} % streamed)` : ''}${hits !== null ? `; cache hit ratio ${(hits * 100).toFixed(1)} %` : ''}.`);
  }
  if (s.failed.length > 0) {
    lines.push('What failed:');
    for (const f of s.failed) lines.push(`  ${f.node} (${f.label}): ${f.error}`);
    lines.push(`Rerun what failed (completed steps are skipped): ${s.rerun}`);
  }
  if (s.stalled.length > 0) {
    lines.push(`Nothing more could start: ${s.stalled.slice(0, 5).join('; ')}${s.stalled.length > 5 ? `, and ${s.stalled.length - 5} more` : ''}.`);
    lines.push(`Free disk under storage.dir (beyond storage.min_free) or raise storage.budget, then: ${s.rerun}`);
  }
  if (s.status === 'interrupted') {
    lines.push(`${s.nodes.interrupted} in progress were checkpointed. Resume with: ${s.rerun}`);
  }
  if (s.counties.done > 0) {
    lines.push(`Outputs: ${s.outputs.table} in ${s.outputs.database}. Query: ${s.outputs.query}`);
  }
  lines.push(`Log: ${relative(s.logFile)}`);
  return lines.join('\n') + '\n';
}
