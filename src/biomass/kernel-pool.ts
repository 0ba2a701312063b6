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

/** Running from the TypeScript sources (tsx, vitest), worker threads need tsx's loader too. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The worker entry beside this module: kernel-worker.ts in src/, kernel-worker.js in the bundle. */
export const KERNEL_WORKER = new URL(FROM_SOURCE ? './kernel-worker.ts' : './kernel-worker.js', import.meta.url).href;

/**
 * Options for a Piscina pool whose threads can load TypeScript worker files: from the sources,
 * tsx's loader by its resolved URL (a bare `--import tsx` would be looked up from the working
 * folder, which need not be this project's).
 */
export function workerThreadOptions(): { execArgv?: string[] } {
  return FROM_SOURCE ? { execArgv: [...process.execArgv, '--import', import.meta.resolve('tsx')] } : {};
}

export async function openKernelPool(workers = 0): Promise<KernelPool> {
  const { Piscina: PiscinaClass } = await import('piscina');
  const threads = workers > 0 ? workers : Math.max(1, os.availableParallelism());
  const pool: Piscina = new PiscinaClass({
    filename: KERNEL_WORKER,
    minThreads: threads,
    maxThreads: threads,
    ...workerThreadOptions(),
    // Unbounded queue: callers bound what they submit (the county step keeps
    // processing.parallel_batches batches in flight; zonal submits small chunks of WKB).
  });
  const kernels = kernelPoolOn(pool, threads);
  return { ...kernels, close: () => pool.destroy() };
}

/**
 * The kernels on a pool someone else owns (`biomass run`'s one pool for every county): each
 * task names the worker file; closing the pool stays with its owner.
 */
export function kernelPoolOn(pool: Piscina, threads: number): KernelPool {
  return {
    threads,
    run: (task, transfer, signal) =>
      pool.run(task, { filename: KERNEL_WORKER, transferList: transfer.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer) as never, signal }) as Promise<Float64Array>,
    close: async () => {},
  };
}
