/**
 * Alerts: free space near storage.min_free, the storage budget near full, and failed nodes.
 * Each goes to the run's log, the terminal (as a run event) and, when the plan names one,
 * the webhook (notify.webhook), as a JSON POST. A threshold alerts once when crossed and
 * again only after it cleared. A webhook that fails is logged, never fails the run.
 */
import { formatBytes } from '../plan/units.js';
import type { RunLog } from '../dag/kinds/node-kind.js';
import type { DiskReading } from './disk-watch.js';
import type { RunEvents } from './run-events.js';

/** Free space within this share above min_free counts as near it. */
export const NEAR_MIN_FREE = 0.2;
/** Budget in use from this share counts as near full. */
export const NEAR_BUDGET = 0.9;
const WEBHOOK_TIMEOUT_MS = 10_000;

export class RunAlerts {
  private readonly active = new Set<string>();
  private readonly posts: Array<Promise<void>> = [];

  constructor(
    private readonly run: { plan: string; runId: string; minFreeBytes: number; budgetBytes: number; webhook: string },
    private readonly events: RunEvents,
    private readonly log: RunLog,
    private readonly post: typeof fetch = fetch,
  ) {}

  disk(reading: DiskReading, inUseBytes: number): void {
    const { minFreeBytes, budgetBytes } = this.run;
    if (reading.freeBytes !== null) {
      this.threshold('FREE_SPACE_LOW', reading.freeBytes < minFreeBytes * (1 + NEAR_MIN_FREE),
        `free space under storage.dir is ${formatBytes(reading.freeBytes)}, near storage.min_free ${formatBytes(minFreeBytes)}: new work waits for space`);
    }
    this.threshold('BUDGET_NEAR_FULL', inUseBytes >= budgetBytes * NEAR_BUDGET,
      `${formatBytes(inUseBytes)} of storage.budget ${formatBytes(budgetBytes)} is in use`);
  }

  failed(nodeId: string, label: string, error: string): void {
    this.send('error', 'NODE_FAILED', `${nodeId} (${label}) failed: ${error}`);
  }

  /** Waits for webhook posts in flight. */
  async flush(): Promise<void> {
    await Promise.all(this.posts);
  }

  private threshold(code: string, crossed: boolean, message: string): void {
    if (!crossed) {
      this.active.delete(code);
      return;
    }
    if (this.active.has(code)) return;
    this.active.add(code);
    this.send('warn', code, message);
  }

  private send(level: 'warn' | 'error', code: string, message: string): void {
    this.log[level]({ alert: code }, message);
    this.events.emit({ type: 'alert', level, code, message });
    if (!this.run.webhook) return;
    const body = JSON.stringify({ text: `biomass ${this.run.plan}: ${message}`, level, code, plan: this.run.plan, run: this.run.runId });
    this.posts.push(
      this.post(this.run.webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) })
        .then((response) => {
          if (!response.ok) this.log.warn({ alert: code, status: response.status }, `notify.webhook answered HTTP ${response.status}`);
        })
        .catch((error: unknown) => this.log.warn({ alert: code }, `notify.webhook unreachable: ${(error as Error).message}`)),
    );
  }
}
