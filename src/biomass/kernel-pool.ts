/**
 * The Piscina pool the kernels run in (processing.workers threads; 0 = one per core).
 * Piscina is imported lazily: the CLI must start without it.
 */
import os from 'node:os';
import type { Piscina } from 'piscina';
import type { KernelTask } from './kernel-tasks.js';

export interface KernelPool {
  run(task: KernelTask, transfer: ArrayBufferLike[], signal?: AbortSignal): Promise<Float64Array>;
  close(): Promise<void>;
  readonly threads: number;
}

export async function openKernelPool(workers = 0): Promise<KernelPool> {
  const { Piscina: PiscinaClass } = await import('piscina');
  const threads = workers > 0 ? workers : Math.max(1, os.availableParallelism());
  const pool: Piscina = new PiscinaClass({
    filename: new URL('./kernel-worker.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // Unbounded queue: callers bound what they submit (the county step keeps
    // processing.parallel_batches batches in flight; zonal submits small chunks of WKB).
  });
  return {
    threads,
    run: (task, transfer, signal) =>
      pool.run(task, { transferList: transfer.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer) as never, signal }) as Promise<Float64Array>,
    close: () => pool.destroy(),
  };
}
