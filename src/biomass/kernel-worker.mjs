// Entry of a Piscina worker thread. Plain JavaScript so that a worker can start under any
// loader (the CLI's tsx, vitest, or a compiled bundle): it registers tsx itself before
// loading the TypeScript kernels. gdal-async is never imported here (not thread-safe to load).
import { register } from 'tsx/esm/api';

register();
const { runKernelTask } = await import('./kernel-tasks.ts');

export default function run(task) {
  return runKernelTask(task);
}
