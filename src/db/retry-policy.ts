import type { RetryConfig } from './database-config.js';

/**
 * SQLSTATEs that say "nothing of yours was kept, try again": the server shut down or is
 * starting (57P01/02/03), the transaction lost a serialization or deadlock race, or the
 * server had no connection slot free (53300, refused before anything ran; other processes
 * share the server). Class 08 (connection exception) is matched by prefix.
 */
const RETRYABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '40001', '40P01', '53300']);

/** Socket-level failures: the server is unreachable for now, or the connection was cut. */
const RETRYABLE_ERRNOS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
]);

/**
 * Messages pg uses for a lost or unobtainable connection; these errors carry no code. A pool
 * acquire timeout is here too: nothing was sent, so trying again is safe.
 */
const RETRYABLE_MESSAGES = [
  /^Connection terminated/,
  /not queryable/,
  /timeout exceeded when trying to connect/,
  /^Client was closed and is not queryable/,
  /server closed the connection unexpectedly/,
  // The client-side query timeout (a frozen server, a network partition): the connection is
  // thrown away and the operation, a whole transaction, runs again on a fresh one.
  /^Query read timeout/,
];

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True when running the same operation again cannot do harm and may succeed. */
export function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined) {
    if (code.length === 5 && (code.startsWith('08') || RETRYABLE_SQLSTATES.has(code))) return true;
    if (RETRYABLE_ERRNOS.has(code)) return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isRetryable);
  const message = error instanceof Error ? error.message : '';
  return RETRYABLE_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * True when the connection that raised the error cannot be used again and must be thrown
 * away. Serialization failures and deadlocks leave the connection healthy.
 */
export function breaksConnection(error: unknown): boolean {
  const code = errorCode(error);
  if (code === '40001' || code === '40P01') return false;
  return isRetryable(error);
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): exponential from the initial
 * delay, capped, with "equal jitter" (half fixed, half random) so that many callers that
 * failed together do not come back together, while each still backs off.
 */
export function backoffDelay(attempt: number, retry: RetryConfig, random: () => number = Math.random): number {
  const exponential = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
  return exponential / 2 + random() * (exponential / 2);
}

/**
 * The least and the most time the retry delays of one operation add up to before it gives up
 * (jitter halves each delay at worst), not counting the tries themselves. docs/database.md
 * quotes these for the defaults.
 */
export function retryWindowMs(retry: RetryConfig): { minMs: number; maxMs: number } {
  let maxMs = 0;
  for (let attempt = 1; attempt <= retry.attempts; attempt += 1) {
    maxMs += Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
  }
  return { minMs: maxMs / 2, maxMs };
}

export interface RetryHooks {
  signal?: AbortSignal | undefined;
  /** Called before each wait; `attempt` is the one that failed. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Thrown when the retry budget is spent; `lastError` is the final failure, `attempts` the tries made. */
export class RetryBudgetSpent extends Error {
  /** `waitedMs`: from the first try to giving up, as measured (for the message). */
  constructor(readonly lastError: unknown, readonly attempts: number, readonly waitedMs = 0) {
    super(lastError instanceof Error ? lastError.message : String(lastError), { cause: lastError });
    this.name = 'RetryBudgetSpent';
  }
}

/**
 * Runs `operation` until it succeeds, fails with an error that is not safe to retry (thrown
 * as is), or `retry.attempts` retries after the first try are spent (RetryBudgetSpent).
 */
export async function withRetry<T>(operation: () => Promise<T>, retry: RetryConfig, hooks: RetryHooks = {}): Promise<T> {
  const tries = 1 + Math.max(0, retry.attempts);
  const started = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    hooks.signal?.throwIfAborted();
    try {
      return await operation();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt >= tries) throw new RetryBudgetSpent(error, attempt, Date.now() - started);
      const delay = backoffDelay(attempt, retry);
      hooks.onRetry?.(error, attempt, delay);
      await sleep(delay, hooks.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
