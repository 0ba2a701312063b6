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
  return { stdout: droppingWhenClosed(process.stdout), stderr: droppingWhenClosed(process.stderr), env: process.env, cwd: process.cwd(), signals: process };
}

/**
 * A reader that stops early (`biomass plan plans/us.yaml | head -1`) closes the pipe. The
 * next write then fails with EPIPE, emitted as an 'error' event that would end the process
 * with a stack trace. Here, once, at the edge: the rest of that stream's output is dropped
 * and the command finishes its work quietly with its own exit code, as if the reader had
 * taken everything (so `set -o pipefail` scripts do not fail on it). The listener sits on the
 * stream itself, so it also covers writers that bypass CliIo.
 */
function droppingWhenClosed(stream: NodeJS.WriteStream): CliIo['stdout'] {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      closed = true;
      return;
    }
    throw error;
  });
  return {
    write: (chunk: string) => (closed ? true : stream.write(chunk)),
    get isTTY() {
      return stream.isTTY;
    },
  };
}
