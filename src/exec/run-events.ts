/**
 * What a run tells its watchers (the Listr view, the `--json` stream, the metrics endpoint,
 * the log) as it goes. One stream of plain objects, so every watcher sees the same run.
 */
import type { DagNode } from '../dag/dag.js';
import type { Figures } from './run-figures.js';

/** How a node ended in this run. `done-before`: a previous run completed it (skipped now). */
export type NodeEnd = 'succeeded' | 'failed' | 'skipped' | 'done-before' | 'interrupted';

export type RunEvent =
  | { type: 'run-start'; runId: string; plan: string; nodes: number; doneBefore: number; logFile: string; metricsPort?: number }
  | { type: 'node-start'; node: DagNode; attempt: number }
  | { type: 'node-progress'; node: DagNode; done: number; total: number }
  | { type: 'node-retry'; node: DagNode; error: string; failures: number; delayMs: number; counted: boolean }
  | { type: 'node-end'; node: DagNode; end: NodeEnd; error?: string; durationMs?: number; figures?: Figures }
  | { type: 'backup'; state: string; file: string }
  | { type: 'alert'; level: 'warn' | 'error'; code: string; message: string }
  | { type: 'stopping'; signal: string; inFlight: number }
  | { type: 'run-end'; status: 'succeeded' | 'failed' | 'interrupted' };

export type RunEventListener = (event: RunEvent) => void;

/** A small fan-out: listeners are called in order; one that throws does not stop the others. */
export class RunEvents {
  private readonly listeners: RunEventListener[] = [];

  on(listener: RunEventListener): void {
    this.listeners.push(listener);
  }

  emit(event: RunEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken watcher (a closed pipe) must not stop the run; the log still has the event.
      }
    }
  }
}
