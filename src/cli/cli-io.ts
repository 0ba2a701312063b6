import type { NodeKindName } from '../dag/dag.js';
import type { NodeRunner } from '../exec/node-attempts.js';
import type { RunTimings } from '../exec/run-plan.js';
import type { SignalSource } from '../exec/stop-switch.js';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where SIGINT and SIGTERM come from: the process for the real CLI; without it `run` listens to none. */
  signals?: SignalSource;
  /**
   * Test doubles of node runners by kind, used by `run` instead of the registry's. Only tests
   * set it: for kinds whose runner is not built in this branch, or to inject faults.
   */
  nodeRunners?: Partial<Record<NodeKindName, NodeRunner>>;
  /** Leases and waits of `run`; tests shorten them. */
  runTimings?: Partial<RunTimings>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signals: process };
}
