// Entry of a Piscina worker thread: the kernels on the pixel arrays handed to it. gdal-async is
// never imported here (it cannot be loaded in a worker thread; see ../shared/FACTS.md). From the
// TypeScript sources the pool starts its threads with tsx's loader; scripts/build.js bundles
// this file as dist/cli/kernel-worker.js beside the CLI.
import { runKernelTask } from './kernel-tasks.js';
import type { KernelTask } from './kernel-tasks.js';

export default function run(task: KernelTask): Float64Array {
  return runKernelTask(task);
}
