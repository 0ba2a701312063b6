/**
 * The one Piscina pool of processing.workers threads every county shares, started on first
 * use (a run whose counties are all done never starts a thread). Runners name their worker
 * file per task: `pool.run(task, { filename, signal, transferList })`.
 */
import os from 'node:os';
import type { Piscina } from 'piscina';

export interface SharedWorkerPool {
  get(): Promise<Piscina>;
  /** Threads and queued tasks now; zeros before the pool starts. */
  figures(): { threads: number; queued: number; utilization: number };
  close(): Promise<void>;
}

export function sharedWorkerPool(workers: number): SharedWorkerPool {
  let pool: Promise<Piscina> | undefined;
  let started: Piscina | undefined;
  return {
    get() {
      pool ??= (async () => {
        const [{ Piscina }, { workerThreadOptions }] = await Promise.all([import('piscina'), import('../biomass/kernel-pool.js')]);
        const maxThreads = workers > 0 ? workers : os.availableParallelism();
        // Run from TypeScript sources (tsx), worker files are .ts too: threads need the same loader.
        started = new Piscina({ maxThreads, minThreads: 0, ...workerThreadOptions() });
        return started;
      })();
      return pool;
    },
    figures() {
      if (!started) return { threads: 0, queued: 0, utilization: 0 };
      return { threads: started.threads.length, queued: started.queueSize, utilization: started.utilization };
    },
    async close() {
      if (pool) await (await pool).destroy();
    },
  };
}
