/**
 * One node run to its end: claimed in node_status (a lease with an attempt number, the
 * fencing token), kept alive by heartbeats, retried with backoff as processing.retry says,
 * then ended as succeeded, failed, or given back when the run stops. An error of an
 * unavailable database is retried without counting as one of the node's failures: the
 * county did nothing wrong.
 */
import { BiomassError } from '../biomass-error.js';
import type { DagNode } from '../dag/dag.js';
import type { RunContext } from '../dag/kinds/node-kind.js';
import { claimNode, finishNode, heartbeat, listNodeStatus, recordNodeFigures, releaseNode } from '../db/node-status-repository.js';
import { backoffDelay, isRetryable, RetryBudgetSpent } from '../db/retry-policy.js';
import type { Store } from '../db/store.js';
import type { RetryPolicy } from '../plan/plan.js';
import type { RunEvents } from './run-events.js';
import { emptyFigures, nodeMetrics, type Figures } from './run-figures.js';

export type NodeRunner = (node: DagNode, context: RunContext) => Promise<void>;

/** How an attempt loop ended. `taken`: another live run holds the node; `lost`: our lease was taken over. */
export type AttemptOutcome =
  | { end: 'succeeded'; durationMs: number; figures?: Figures }
  | { end: 'failed'; error: string; durationMs: number }
  | { end: 'interrupted' }
  | { end: 'taken'; by: string };

export interface AttemptSettings {
  planName: string;
  runId: string;
  /** Lease owner: host, pid and run. */
  owner: string;
  leaseMs: number;
  retry: RetryPolicy;
  /** Retries of "database unavailable" errors before the node fails anyway. */
  unavailableRetries: number;
}

/** Times a node held by another lease is waited for before it is reported as taken. */
const LEASE_WAITS = 3;

/** Errors that the same input would raise again: retrying them only delays the report. */
const NOT_RETRIED = new Set(['NOT_BUILT', 'VERIFY_MISMATCH', 'VERIFY_UNREADABLE']);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof RetryBudgetSpent || isRetryable(e)) return true;
    if (e instanceof BiomassError && e.code.startsWith('DB_UNAVAILABLE')) return true;
  }
  return false;
}

export function errorText(error: unknown): string {
  if (error instanceof BiomassError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export async function runAttempts(
  node: DagNode,
  db: Store,
  settings: AttemptSettings,
  base: Omit<RunContext, 'signal' | 'attempt' | 'metrics' | 'onProgress'>,
  runner: NodeRunner,
  watch: { stop: AbortSignal; events: RunEvents; runFigures: Figures },
): Promise<AttemptOutcome> {
  let failures = 0;
  let unavailable = 0;
  let waits = 0;
  for (;;) {
    if (watch.stop.aborted) return { end: 'interrupted' };
    const attempt = await claimNode(db, { planName: settings.planName, nodeId: node.id, owner: settings.owner, runId: settings.runId, leaseMs: settings.leaseMs });
    if (attempt === undefined) {
      const [row] = (await listNodeStatus(db, settings.planName)).filter((r) => r.nodeId === node.id);
      if (row?.status === 'succeeded') return { end: 'succeeded', durationMs: 0 };
      // Held under a lease that has not run out (a run killed on another machine): wait it out.
      if (waits < LEASE_WAITS && row?.leaseExpiresAt) {
        waits += 1;
        await sleep(Math.max(100, Math.min(settings.leaseMs, row.leaseExpiresAt.getTime() - Date.now() + 100)), watch.stop);
        continue;
      }
      return { end: 'taken', by: row?.leaseOwner ?? 'another run' };
    }
    watch.events.emit({ type: 'node-start', node, attempt });
    const figures = emptyFigures();
    const lost = new AbortController();
    const signal = AbortSignal.any([watch.stop, lost.signal]);
    const beat = setInterval(() => {
      heartbeat(db, { planName: settings.planName, nodeId: node.id, owner: settings.owner, attempt, leaseMs: settings.leaseMs })
        .then((held) => { if (!held) lost.abort(new Error(`the lease of ${node.id} was taken over`)); })
        .catch(() => { /* a missed heartbeat is retried at the next beat; the lease outlives two */ });
    }, Math.max(50, Math.floor(settings.leaseMs / 3)));
    const started = Date.now();
    let failure: unknown;
    try {
      await runner(node, {
        ...base, signal, attempt, metrics: nodeMetrics(figures, watch.runFigures),
        onProgress: (done, total) => watch.events.emit({ type: 'node-progress', node, done, total }),
      });
    } catch (error) {
      failure = error;
    } finally {
      clearInterval(beat);
    }
    const durationMs = Date.now() - started;
    const key = { planName: settings.planName, nodeId: node.id, attempt };
    if (failure === undefined && !lost.signal.aborted) {
      await recordNodeFigures(db, { ...key, figures: { durationMs, ...figures }, failures });
      await finishNode(db, { ...key, status: 'succeeded' });
      return { end: 'succeeded', durationMs, figures };
    }
    if (lost.signal.aborted) return { end: 'taken', by: 'a newer attempt' };
    if (watch.stop.aborted) {
      // Stopped, not failed: give the node back so the next run claims it at once.
      await releaseNode(db, key);
      return { end: 'interrupted' };
    }
    const counted = !isDatabaseUnavailable(failure);
    if (counted) failures += 1;
    else unavailable += 1;
    const error = errorText(failure);
    await recordNodeFigures(db, { ...key, figures: { durationMs, ...figures }, failures });
    await finishNode(db, { ...key, status: 'failed', error });
    const retriable = !(failure instanceof BiomassError && NOT_RETRIED.has(failure.code));
    if (!retriable || failures > settings.retry.attempts || unavailable > settings.unavailableRetries) {
      return { end: 'failed', error, durationMs };
    }
    const delayMs = backoffDelay(counted ? failures : unavailable, { attempts: settings.retry.attempts, initialDelayMs: settings.retry.initialDelayMs, maxDelayMs: settings.retry.maxDelayMs });
    watch.events.emit({ type: 'node-retry', node, error, failures, delayMs, counted });
    await sleep(delayMs, watch.stop);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
