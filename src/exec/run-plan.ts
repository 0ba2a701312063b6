/**
 * `biomass run`: compile the plan as `biomass plan` does, take the plan's run lock, record
 * the run, drive the DAG (executor.ts) with the terminal view or the JSON stream, and end
 * with the summary, the run record and the lock given back, in reverse order of taking.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { BiomassError } from '../biomass-error.js';
import type { NodeKindName } from '../dag/dag.js';
import { countyBatches } from '../dag/kinds/county-kind.js';
import { reachableDryRun } from '../dag/reachable-dry-run.js';
import { backupBeforeState } from '../db/backup.js';
import { prepareSchema } from '../db/migrations.js';
import { ensureNodes, listNodeStatus } from '../db/node-status-repository.js';
import { openStores } from '../db/open-store.js';
import { databaseOf } from '../db/plan-database.js';
import { recordMetrics, THROUGHPUT_METRICS } from '../db/performance-metrics-repository.js';
import { finishRun, recordEvent, recordRunSource, recordRunSummary, startRun } from '../db/runs-repository.js';
import { loadGeography } from '../geo/geography.js';
import { findState } from '../geo/states.js';
import type { Plan } from '../plan/plan.js';
import { formatBytes } from '../plan/units.js';
import { redact } from '../secrets.js';
import { RunAlerts } from './alerts.js';
import { readDisk, type DiskReading } from './disk-watch.js';
import { executeDag } from './executor.js';
import { eventFields, jsonEventLine } from './json-events.js';
import { startListrView, type RunView, type ViewOutput } from './listr-view.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import type { NodeRunner } from './node-attempts.js';
import { readPlanSource } from './plan-source.js';
import { prometheusText } from './prometheus-text.js';
import { RunEvents } from './run-events.js';
import { emptyFigures } from './run-figures.js';
import { takeRunLock } from './run-lock.js';
import { openRunLog } from './run-log.js';
import { RunProgress } from './run-progress.js';
import { summarize, summaryText, type RunSummary } from './run-summary.js';
import { StopSwitch, type SignalSource } from './stop-switch.js';

/** Timings of leases and waits; tests shorten them. */
export interface RunTimings {
  /** Node and run-lock leases; renewed every third of it. */
  leaseMs: number;
  /** How long in-flight nodes may take to stop after the first SIGINT. */
  graceMs: number;
  diskIntervalMs: number;
}

export const DEFAULT_TIMINGS: RunTimings = { leaseMs: 60_000, graceMs: 30_000, diskIntervalMs: 5_000 };

export interface RunPlanOptions {
  plan: Plan;
  /** The plan path as the user wrote it, for the commands printed. */
  planArg: string;
  /** --state-fips values: run only these states of the plan. */
  states: string[];
  out: { stdout: ViewOutput; stderr: ViewOutput; env: NodeJS.ProcessEnv; cwd: string };
  json: boolean;
  metricsPort?: number;
  signals?: SignalSource;
  timings?: Partial<RunTimings>;
  /** Test doubles that inject faults or hold a county mid-way (see executor.ts). */
  runners?: Partial<Record<NodeKindName, NodeRunner>>;
  readDisk?: typeof readDisk;
}

export type RunOutcome = { nothingToDo: true; steps: number } | ({ nothingToDo: false } & RunSummary);

export async function runPlan(options: RunPlanOptions): Promise<RunOutcome> {
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const plan = onlyStates(options.plan, options.states);
  const say = (text: string) => { if (!options.json) options.out.stdout.write(redact(text)); };
  const dry = await reachableDryRun(plan);
  if (dry.estimate.refused) {
    throw new BiomassError('STORAGE_BUDGET', dry.estimate.refused.message, { hint: dry.estimate.refused.hint, exitCode: 2 });
  }
  const { dag } = dry;
  const [geography, stores] = await Promise.all([loadGeography(), openStores(databaseOf(plan))]);
  const cleanups: Array<() => Promise<void>> = [() => stores.close()];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    await prepareSchema(stores);
    const db = stores.state;
    const runId = randomUUID();
    const lock = await takeRunLock(db, { planName: plan.name, planFile: options.planArg, runId, leaseMs: timings.leaseMs });
    cleanups.push(() => lock.release());
    await ensureNodes(db, plan.name, dag.nodes.map((n) => ({ nodeId: n.id, kind: n.kind, stateFips: n.state, ...(n.kind === 'county' ? { countyFips: n.fips } : {}) })));
    const known = new Map((await listNodeStatus(db, plan.name)).map((r) => [r.nodeId, r]));
    const doneBefore = new Set(dag.nodes.filter((n) => known.get(n.id)?.status === 'succeeded').map((n) => n.id));
    if (doneBefore.size === dag.nodes.length) {
      say(`Nothing to do: all ${dag.nodes.length} steps of plan ${plan.name} are done. \`biomass status ${options.planArg}\` shows them.\n`);
      if (options.json) options.out.stdout.write(JSON.stringify({ type: 'nothing-to-do', plan: plan.name, steps: dag.nodes.length }) + '\n');
      return { nothingToDo: true, steps: dag.nodes.length };
    }

    const source = await readPlanSource(path.resolve(options.out.cwd, plan.file));
    await startRun(db, { planName: plan.name, planHash: source.planHash, runId });
    await recordRunSource(db, runId, source);
    const runLog = await openRunLog(plan.storage.dir, runId, redact);
    cleanups.push(() => runLog.close());
    const log = runLog.log;
    log.info({ plan: plan.name, file: plan.file, gitCommit: source.gitCommit, gitDirty: source.gitDirty, tookOver: lock.tookOver?.runId }, 'run started');
    if (lock.tookOver) log.warn({ previous: lock.tookOver }, `took over from run ${lock.tookOver.runId} (process ${lock.tookOver.pid} is gone)`);

    const events = new RunEvents();
    const progress = new RunProgress(dag);
    const figures = emptyFigures();
    const started = Date.now();
    events.on((event) => progress.apply(event));
    events.on((event) => {
      if (event.type === 'node-progress') return;
      const level = event.type === 'alert' ? event.level : event.type === 'node-end' && event.end === 'failed' ? 'error' : 'info';
      log[level](eventFields(event), event.type);
    });
    // The run's important events also go to run_events, for `biomass status` on another machine.
    const pending: Array<Promise<unknown>> = [];
    events.on((event) => {
      if (event.type === 'node-end' && (event.end === 'failed' || event.end === 'skipped')) {
        pending.push(recordEvent(db, { runId, level: event.end === 'failed' ? 'error' : 'warn', nodeId: event.node.id, code: event.end, message: redact(event.error ?? event.end) }).catch(() => undefined));
      } else if (event.type === 'node-retry') {
        pending.push(recordEvent(db, { runId, level: 'warn', nodeId: event.node.id, code: 'retry', message: redact(event.error), details: { failures: event.failures, delayMs: event.delayMs, counted: event.counted } }).catch(() => undefined));
      } else if (event.type === 'alert') {
        pending.push(recordEvent(db, { runId, level: event.level, code: event.code, message: redact(event.message) }).catch(() => undefined));
      }
    });
    // Parcels per second per batch, measured on counties run whole here: the figure later dry runs use.
    const measured = { parcels: 0, batchSeconds: 0 };
    events.on((event) => {
      if (event.type !== 'node-end' || event.end !== 'succeeded' || event.node.kind !== 'county' || !event.figures || !event.durationMs) return;
      measured.parcels += event.figures.parcels;
      measured.batchSeconds += (event.durationMs / 1000) * countyBatches(event.node, plan);
    });
    const alerts = new RunAlerts({ plan: plan.name, runId, minFreeBytes: plan.storage.minFreeBytes, budgetBytes: plan.storage.budgetBytes, webhook: plan.notify.webhook }, events, log);
    events.on((event) => { if (event.type === 'node-end' && event.end === 'failed') alerts.failed(event.node.id, event.node.label, event.error ?? ''); });

    let disk: { reading: DiskReading | null; inUse: number } = { reading: null, inUse: 0 };
    const pool = (await import('./worker-pool.js')).sharedWorkerPool(plan.processing.workers);
    cleanups.push(() => pool.close());
    let metrics: MetricsServer | undefined;
    if (options.metricsPort !== undefined) {
      metrics = await startMetricsServer(options.metricsPort, () => prometheusText({
        progress, figures, startedMs: started, nowMs: Date.now(), workerPool: pool.figures(), dbPool: db.figures(),
        freeBytes: disk.reading?.freeBytes ?? null, diskInUseBytes: disk.inUse,
      }));
      cleanups.push(() => metrics!.close());
      log.info({ port: metrics.port }, 'metrics served');
    }

    say(`Run ${runId} of plan ${plan.name}: ${dag.nodes.length} steps, ${doneBefore.size} done before.` +
      `${source.gitDirty ? ` ${plan.file} has uncommitted edits.` : ''}${metrics ? ` Metrics: http://127.0.0.1:${metrics.port}/metrics` : ''}\n`);
    let view: RunView | undefined;
    if (options.json) events.on((event) => options.out.stdout.write(redact(jsonEventLine(event))));
    else {
      view = await startListrView(dag, progress, options.out);
      events.on((event) => view!.event(event));
    }
    events.emit({ type: 'run-start', runId, plan: plan.name, nodes: dag.nodes.length, doneBefore: doneBefore.size, logFile: runLog.file, ...(metrics ? { metricsPort: metrics.port } : {}) });

    const stop = new StopSwitch();
    const inFlight = () => [...progress.stages.values()].reduce((a, s) => a + s.running.size, 0);
    stop.onFirst(() => events.emit({ type: 'stopping', signal: stop.reason ?? 'SIGINT', inFlight: inFlight() }));
    if (options.signals) {
      const unlisten = stop.listen(options.signals);
      cleanups.push(async () => unlisten());
    }
    lock.lost.addEventListener('abort', () => {
      log.error({}, 'the run lock was taken over by another run: stopping');
      stop.request('SIGTERM');
    });

    let result: Awaited<ReturnType<typeof executeDag>>;
    try {
      // Free space under storage.min_free during the run: free completed states' tiles, oldest
      // first (`biomass cleanup --emergency`), one pass at a time, and say what was freed.
      const emergency = emergencyPass(async () => {
        const { emergencyCleanup } = await import('../tiles/state-cleanup.js');
        const report = await emergencyCleanup({ plan, db });
        const freed = report.freedStates.length > 0 ? `freed the tiles of ${report.freedStates.join(', ')} (${formatBytes(report.bytesRemoved)})` : 'no completed state had tiles to free';
        events.emit({ type: 'alert', level: report.enough ? 'warn' : 'error', code: 'EMERGENCY_CLEANUP',
          message: `free space under storage.dir fell below storage.min_free: ${freed}; ${report.enough ? 'enough space is back' : 'still below storage.min_free: new work waits for space'}` });
      }, (error) => events.emit({ type: 'alert', level: 'error', code: 'EMERGENCY_CLEANUP', message: `emergency cleanup failed: ${redact((error as Error).message)}` }));
      result = await executeDag({
        dag, plan, db, doneBefore, stop, events, log, runFigures: figures,
        context: { plan, stores: { db, geography, ...(stores.forestry !== db ? { forestry: stores.forestry } : {}) }, runId, workerPool: () => pool.get(), log },
        attempts: { planName: plan.name, runId, owner: `${os.hostname()}:${process.pid}:${runId}`, leaseMs: timings.leaseMs, retry: plan.processing.retry, unavailableRetries: 10 },
        graceMs: timings.graceMs, diskIntervalMs: timings.diskIntervalMs,
        ...(options.runners ? { runners: options.runners } : {}),
        ...(options.readDisk ? { readDisk: options.readDisk } : {}),
        beforeState: async (state) => {
          if (!plan.database.backup.beforeState) return;
          const file = await backupBeforeState(plan.database, db, { planName: plan.name, stateFips: state });
          if (file) events.emit({ type: 'backup', state, file });
        },
        onDisk: (reading, inUse) => {
          disk = { reading, inUse };
          alerts.disk(reading, inUse);
          if (reading.freeBytes !== null && reading.freeBytes < plan.storage.minFreeBytes) emergency.start();
        },
      });
      await emergency.idle();
    } catch (error) {
      // The run could not go on (its database went away past the retry budget): say so in its record when possible.
      await finishRun(db, runId, 'failed', redact((error as Error).message)).catch(() => undefined);
      throw error;
    }
    if (result.stalled) {
      const waiting = result.stalled.slice(0, 5).map((s) => `${s.node.id} waits for ${s.resources.join(', ')}`).join('; ');
      events.emit({ type: 'alert', level: 'error', code: 'STALLED', message: `nothing can start: ${waiting}; free space under storage.dir (less storage.min_free) or storage.budget is too small for the next step` });
    }
    const summary = summarize({
      plan, planArg: options.planArg, stateArgs: options.states, dag, result, runId, durationMs: Date.now() - started, figures,
      logFile: runLog.file, database: { kind: db.kind, description: db.description },
    });
    events.emit({ type: 'run-end', status: summary.status });
    await view?.close(summary.status);
    await alerts.flush();
    await Promise.all(pending);
    await recordRunSummary(db, runId, summary as unknown as Record<string, unknown>);
    await recordMetrics(db, runId, [
      { scope: 'run', name: 'parcels', value: figures.parcels, unit: 'parcels' },
      { scope: 'run', name: 'duration_ms', value: summary.durationMs, unit: 'ms' },
      ...Object.entries(figures.bytesByPath).map(([p, bytes]) => ({ scope: 'run', name: `read_bytes.${p}`, value: bytes, unit: 'bytes' })),
      ...(measured.parcels > 0 && measured.batchSeconds > 0
        ? [{ scope: THROUGHPUT_METRICS.scope, name: THROUGHPUT_METRICS.parcelRate, value: measured.parcels / measured.batchSeconds, unit: 'parcels/s' }]
        : []),
    ]);
    await finishRun(db, runId, summary.status, summary.failed.length > 0 ? `${summary.failed.length} failed: ${summary.failed.map((f) => f.node).join(', ')}` : undefined);
    log.info({ summary: { ...summary, figures: undefined } }, `run ${summary.status}`);
    if (options.json) options.out.stdout.write(redact(JSON.stringify({ type: 'summary', ...summary }) + '\n'));
    else say(summaryText(summary, (file) => path.relative(options.out.cwd, file) || file));
    return { nothingToDo: false, ...summary };
  } finally {
    await closeAll();
  }
}

/** The plan restricted to the states named by --state-fips, each of which must be in the plan. */
function onlyStates(plan: Plan, given: string[]): Plan {
  if (given.length === 0) return plan;
  const fips = given.map((code) => {
    const found = findState(code)?.fips;
    if (!found || !plan.rollout.states.includes(found)) {
      throw new BiomassError('STATE_NOT_IN_PLAN', `--state-fips ${code}: ${found ? `state ${found} is not in` : 'not a US state, nor in'} ${plan.file} (rollout.states: ${plan.rollout.states.join(', ')})`, {
        hint: 'add the state to rollout.states, or name one of those', exitCode: 2,
      });
    }
    return found;
  });
  return { ...plan, rollout: { ...plan.rollout, states: plan.rollout.states.filter((s) => fips.includes(s)) } };
}

/** One emergency cleanup at a time: a start while one runs is dropped (the next disk reading asks again). */
function emergencyPass(pass: () => Promise<void>, failed: (error: unknown) => void): { start(): void; idle(): Promise<void> } {
  let running: Promise<void> | undefined;
  return {
    start() {
      running ??= pass().catch(failed).finally(() => { running = undefined; });
    },
    /** Resolves when no pass is running (the run waits for it before it closes its stores). */
    idle: async () => {
      while (running) await running;
    },
  };
}
