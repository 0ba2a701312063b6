/**
 * Drives a compiled DAG with the Scheduler the dry run simulates, now with real completions:
 * ready nodes are admitted as their claims fit (disk from the budget and live free space),
 * each runs through its kind's runner (the registry), and each end frees its claims and
 * readies its dependents. Nodes a previous run completed are passed through without running.
 * A node whose dependency failed is skipped, except verify and cleanup, which always run:
 * verify reports what is missing, cleanup keeps what failed counties still need.
 */
import { RESOURCE, type Dag, type DagNode, type NodeKindName } from '../dag/dag.js';
import { kindOf } from '../dag/kinds/node-kinds.js';
import type { RunContext, RunLog } from '../dag/kinds/node-kind.js';
import { Scheduler } from '../dag/scheduler.js';
import { markSkipped, reopenNode } from '../db/node-status-repository.js';
import type { Store } from '../db/store.js';
import type { Plan } from '../plan/plan.js';
import { readDisk, type DiskReading } from './disk-watch.js';
import { errorText, runAttempts, type AttemptSettings, type NodeRunner } from './node-attempts.js';
import type { NodeEnd, RunEvents } from './run-events.js';
import type { Figures } from './run-figures.js';
import type { StopSwitch } from './stop-switch.js';

/** Kinds that run even when a dependency failed. */
const ALWAYS_RUN: ReadonlySet<NodeKindName> = new Set(['verify', 'cleanup']);

export interface ExecuteOptions {
  dag: Dag;
  plan: Plan;
  db: Store;
  /** Everything a runner gets besides its signal, attempt, metrics and progress. */
  context: Omit<RunContext, 'signal' | 'attempt' | 'metrics' | 'onProgress'>;
  attempts: AttemptSettings;
  /** Node ids a previous run completed. */
  doneBefore: ReadonlySet<string>;
  stop: StopSwitch;
  events: RunEvents;
  log: RunLog;
  runFigures: Figures;
  /** How long in-flight nodes may take to stop after the first signal. */
  graceMs: number;
  /** How often live free space is read while nothing else happens. */
  diskIntervalMs: number;
  /** Runs before the first node of each state (database.backup.before_state). */
  beforeState?: (state: string) => Promise<void>;
  /**
   * Runners by kind, in place of the registry's. Only tests use it: to inject failures on
   * demand and to hold a county mid-way for an interruption (test/exec/test-runners.ts).
   */
  runners?: Partial<Record<NodeKindName, NodeRunner>>;
  /** Reads the disk; tests may shrink it. */
  readDisk?: typeof readDisk;
  onDisk?: (reading: DiskReading, inUseBytes: number) => void;
}

export interface ExecuteResult {
  ends: Map<string, { end: NodeEnd; error?: string }>;
  interrupted: boolean;
  /** Nodes still in flight when the run stopped waiting for them. */
  abandoned: string[];
  /** Present when nothing could run: what waited and for which resources. */
  stalled?: Array<{ node: DagNode; resources: string[] }>;
  peaks: Record<string, number>;
}

export async function executeDag(options: ExecuteOptions): Promise<ExecuteResult> {
  const { dag, plan, stop, events } = options;
  const scheduler = new Scheduler(dag, { ...dag.capacities });
  const ends = new Map<string, { end: NodeEnd; error?: string }>();
  const bad = new Set<string>();
  const inFlight = new Map<string, Promise<void>>();
  const statesStarted = new Map<string, Promise<void>>();
  const read = options.readDisk ?? readDisk;
  let lastDiskRead = 0;
  let lastReading: DiskReading | undefined;
  // Set when the run stopped waiting: work still in flight (a second Ctrl-C) ends unrecorded.
  let closed = false;

  const refreshDisk = async () => {
    const reading = await read(plan.storage);
    lastDiskRead = Date.now();
    lastReading = reading;
    // Never below what is handed out already: claims in use are not taken back.
    scheduler.setCapacity(RESOURCE.disk, Math.max(reading.capacityBytes, scheduler.inUse(RESOURCE.disk)));
    options.onDisk?.(reading, scheduler.inUse(RESOURCE.disk));
  };

  const end = (node: DagNode, how: NodeEnd, error?: string, durationMs?: number, figures?: Figures) => {
    if (closed) return;
    ends.set(node.id, error === undefined ? { end: how } : { end: how, error });
    if (how === 'failed' || how === 'skipped') bad.add(node.id);
    events.emit({
      type: 'node-end', node, end: how, ...(error !== undefined ? { error } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}), ...(figures ? { figures } : {}),
    });
    options.log[how === 'failed' ? 'error' : 'info']({ node: node.id, end: how, error, durationMs }, `${node.id} ${how}`);
    scheduler.finish(node.id);
  };

  const start = (node: DagNode) => {
    const run = async () => {
      // Every node of a state waits for the state's backup, which the first of them starts.
      if (!statesStarted.has(node.state)) statesStarted.set(node.state, options.beforeState?.(node.state) ?? Promise.resolve());
      await statesStarted.get(node.state);
      const runner = options.runners?.[node.kind] ?? ((n: DagNode, c: RunContext) => kindOf(n).run(n, c));
      const outcome = await runAttempts(node, options.db, options.attempts, options.context, runner, {
        stop: stop.signal, events, runFigures: options.runFigures,
      });
      if (closed) return;
      if (outcome.end === 'interrupted') {
        ends.set(node.id, { end: 'interrupted' });
        events.emit({ type: 'node-end', node, end: 'interrupted' });
        return;
      }
      if (outcome.end === 'taken') {
        end(node, 'failed', `held by ${outcome.by}: another run is working on it`);
        return;
      }
      if (outcome.end === 'succeeded') end(node, 'succeeded', undefined, outcome.durationMs, outcome.figures);
      else end(node, 'failed', outcome.error, outcome.durationMs);
    };
    inFlight.set(node.id, run().catch((error: unknown) => {
      // Bookkeeping failed (the database went away past its retry budget): the node ends failed here.
      end(node, 'failed', errorText(error));
    }).finally(() => inFlight.delete(node.id)));
  };

  await refreshDisk();
  let stalled: ExecuteResult['stalled'];
  let lastChance = false;
  while (!scheduler.done && !stop.signal.aborted) {
    let progressed = false;
    for (const node of scheduler.admit()) {
      progressed = true;
      lastChance = false;
      const failedDep = node.deps.find((d) => bad.has(d));
      // Verify and cleanup run again after anything they follow ran again: a county finished
      // now must be verified, and the tiles kept for it when it failed must now be deleted.
      const again = ALWAYS_RUN.has(node.kind) && node.deps.some((d) => ends.get(d)?.end !== 'done-before');
      if (options.doneBefore.has(node.id) && !again) end(node, 'done-before');
      else if (options.doneBefore.has(node.id)) {
        await reopenNode(options.db, plan.name, node.id);
        start(node);
      }
      else if (failedDep && !ALWAYS_RUN.has(node.kind)) {
        const reason = `not run: ${failedDep} did not succeed`;
        await markSkipped(options.db, plan.name, node.id, reason);
        end(node, 'skipped', reason);
      } else start(node);
    }
    // Claims are taken at admission: the moment the budget is most used is right after it.
    if (progressed && lastReading) options.onDisk?.(lastReading, scheduler.inUse(RESOURCE.disk));
    if (scheduler.done) break;
    if (inFlight.size === 0) {
      // Nodes passed through above may have readied others: admit again before calling it a stall.
      if (progressed) continue;
      // One more pass with the disk read afresh (space may have come back); then it is a stall.
      if (!lastChance) {
        lastChance = true;
        await refreshDisk();
        continue;
      }
      stalled = scheduler.blockedOn();
      break;
    }
    const tick = Math.max(0, options.diskIntervalMs - (Date.now() - lastDiskRead));
    await race([...inFlight.values()], tick, stop.signal);
    await refreshDisk();
  }

  let abandoned: string[] = [];
  if (stop.signal.aborted && inFlight.size > 0) {
    const settled = await race([Promise.all(inFlight.values()).then(() => undefined)], options.graceMs, stop.immediate);
    if (!settled) abandoned = [...inFlight.keys()];
  }
  closed = true;
  return { ends, interrupted: stop.signal.aborted, abandoned, ...(stalled ? { stalled } : {}), peaks: scheduler.peaks() };
}

/** Resolves true when one of the promises settles, false after `ms` or when `signal` aborts. */
function race(promises: Array<Promise<void>>, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => finish(false), ms);
    const onAbort = () => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    let done = false;
    function finish(value: boolean): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    }
    for (const p of promises) void p.then(() => finish(true), () => finish(true));
  });
}
