/**
 * One live run per plan, held in the database (biomass.run_locks) so it holds across
 * machines sharing the database. A second `biomass run` refuses, naming the holder. A holder
 * that was killed is taken over when its lease expires, or at once when it ran on this host
 * and its process is gone; the nodes it held are then given back for this run to take.
 */
import os from 'node:os';
import { BiomassError } from '../biomass-error.js';
import { expireLeasesOfRun } from '../db/node-status-repository.js';
import { finishRun } from '../db/runs-repository.js';
import { acquireRunLock, releaseRunLock, renewRunLock, type RunLockHolder } from '../db/run-locks-repository.js';
import type { Store } from '../db/store.js';

export interface HeldRunLock {
  /** The dead run this one took over, when it did. */
  tookOver?: RunLockHolder;
  /** Aborted when the lock was lost (another run took it over after our lease ran out). */
  lost: AbortSignal;
  release(): Promise<void>;
}

export async function takeRunLock(
  db: Store,
  lock: { planName: string; planFile: string; runId: string; leaseMs: number },
): Promise<HeldRunLock> {
  const me = { planName: lock.planName, runId: lock.runId, host: os.hostname(), pid: process.pid, leaseMs: lock.leaseMs };
  let holder = await acquireRunLock(db, me);
  let tookOver: RunLockHolder | undefined;
  if (holder && holder.host === me.host && !processAlive(holder.pid)) {
    tookOver = holder;
    holder = await acquireRunLock(db, { ...me, replacing: holder.runId });
  }
  if (holder) {
    throw new BiomassError('RUN_LOCKED', `plan ${lock.planName} is being run by process ${holder.pid} on ${holder.host} (run ${holder.runId}, since ${holder.acquiredAt.toISOString()})`, {
      hint: `wait for it, or stop it (kill -INT ${holder.pid} on ${holder.host}); \`biomass status ${lock.planFile}\` shows its progress. A killed run's lock expires by itself`,
    });
  }
  if (tookOver) {
    await expireLeasesOfRun(db, lock.planName, tookOver.runId);
    await finishRun(db, tookOver.runId, 'interrupted', `process ${tookOver.pid} on ${tookOver.host} is gone; taken over by run ${lock.runId}`);
  }
  const lost = new AbortController();
  const timer = setInterval(() => {
    renewRunLock(db, lock)
      .then((held) => { if (!held) lost.abort(new Error(`the run lock of ${lock.planName} was taken over`)); })
      .catch(() => { /* retried at the next renewal; the lease outlives two */ });
  }, Math.max(50, Math.floor(lock.leaseMs / 3)));
  timer.unref();
  return {
    ...(tookOver ? { tookOver } : {}),
    lost: lost.signal,
    async release() {
      clearInterval(timer);
      await releaseRunLock(db, lock);
    },
  };
}

/** True when a process with this id exists here (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
