/**
 * retryWindowMs: the least and the most time one operation's retry delays add up to, which
 * docs/database.md quotes for the defaults. Checked against backoffDelay itself, summed with the
 * jitter at its two ends, so the window and the delays really taken cannot drift apart.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../../src/db/database-config.js';
import { backoffDelay, retryWindowMs } from '../../src/db/retry-policy.js';

function summed(retry: { attempts: number; initialDelayMs: number; maxDelayMs: number }, random: () => number): number {
  let total = 0;
  for (let attempt = 1; attempt <= retry.attempts; attempt += 1) total += backoffDelay(attempt, retry, random);
  return total;
}

describe('the retry window', () => {
  it('doubles from the first delay and stops growing at the largest: 100+200+400+500+500 ms at most', () => {
    expect(retryWindowMs({ attempts: 5, initialDelayMs: 100, maxDelayMs: 500 })).toEqual({ minMs: 850, maxMs: 1_700 });
  });

  it('is empty when nothing is retried', () => {
    expect(retryWindowMs({ attempts: 0, initialDelayMs: 100, maxDelayMs: 500 })).toEqual({ minMs: 0, maxMs: 0 });
  });

  it('counts exactly one delay per retry: a single retry waits the first delay, halved at worst', () => {
    expect(retryWindowMs({ attempts: 1, initialDelayMs: 300, maxDelayMs: 10_000 })).toEqual({ minMs: 150, maxMs: 300 });
  });

  it.each([
    { attempts: 5, initialDelayMs: 100, maxDelayMs: 500 },
    { attempts: 3, initialDelayMs: 1_000, maxDelayMs: 1_000 },
    DEFAULT_POOL.retry,
  ])('matches the delays backoffDelay takes, with the jitter at its least and its most (%o)', (retry) => {
    const window = retryWindowMs(retry);
    expect(window.minMs).toBe(summed(retry, () => 0));
    expect(window.maxMs).toBe(summed(retry, () => 1));
  });

  it('gives the defaults docs/database.md quotes: 12 retries from 0.5 s, at most 10 s apart', () => {
    // 0.5 + 1 + 2 + 4 + 8 + 7 x 10 s = 85.5 s at most, half of it at least.
    expect(retryWindowMs(DEFAULT_POOL.retry)).toEqual({ minMs: 42_750, maxMs: 85_500 });
  });
});
