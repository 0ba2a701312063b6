import { describe, expect, it } from 'vitest';
import { backoffDelay, breaksConnection, isRetryable, RetryBudgetSpent, withRetry } from '../../src/db/retry-policy.js';

function pgError(code: string, message = 'x'): Error {
  return Object.assign(new Error(message), { code });
}

describe('which errors are retried', () => {
  it.each(['08000', '08001', '08003', '08006', '08P01', '57P01', '57P02', '57P03', '40001', '40P01', '53300'])('SQLSTATE %s is retried', (code) => {
    expect(isRetryable(pgError(code))).toBe(true);
  });

  it.each(['23505', '23514', '42P01', '57014', '28P01', '3D000', '22012'])('SQLSTATE %s is not', (code) => {
    expect(isRetryable(pgError(code))).toBe(false);
  });

  it('retries lost and refused sockets, pg connection messages and pool timeouts, not a missing host', () => {
    expect(isRetryable(pgError('ECONNREFUSED'))).toBe(true);
    expect(isRetryable(pgError('ECONNRESET'))).toBe(true);
    expect(isRetryable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isRetryable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isRetryable(new AggregateError([pgError('ECONNREFUSED')]))).toBe(true);
    expect(isRetryable(pgError('ENOTFOUND'))).toBe(false);
    expect(isRetryable(new Error('syntax error'))).toBe(false);
  });

  it('keeps a connection after a serialization failure or deadlock, drops it after a lost connection', () => {
    expect(breaksConnection(pgError('40001'))).toBe(false);
    expect(breaksConnection(pgError('40P01'))).toBe(false);
    expect(breaksConnection(pgError('57P01'))).toBe(true);
    expect(breaksConnection(pgError('23505'))).toBe(false);
  });
});

describe('backoff', () => {
  const retry = { attempts: 4, initialDelayMs: 500, maxDelayMs: 30_000 };

  it('doubles from the initial delay, with half of it random, up to the cap', () => {
    expect([1, 2, 3].map((a) => backoffDelay(a, retry, () => 0))).toEqual([250, 500, 1000]);
    expect([1, 2, 3].map((a) => backoffDelay(a, retry, () => 1))).toEqual([500, 1000, 2000]);
    expect(backoffDelay(20, retry, () => 1)).toBe(30_000);
    expect(backoffDelay(20, retry, () => 0)).toBe(15_000);
  });

  it('tries once and then `attempts` more times, then reports the last error', async () => {
    let calls = 0;
    const error = await withRetry(async () => {
      calls += 1;
      throw pgError('57P01', `down ${calls}`);
    }, { attempts: 3, initialDelayMs: 1, maxDelayMs: 1 }).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(error).toBeInstanceOf(RetryBudgetSpent);
    expect(error).toMatchObject({ attempts: 4, lastError: { message: 'down 4' } });
  });

  it('does not retry an error that is not safe to retry', async () => {
    let calls = 0;
    await expect(withRetry(async () => {
      calls += 1;
      throw pgError('23505');
    }, retry)).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = withRetry(async () => {
      throw pgError('08006');
    }, { attempts: 10, initialDelayMs: 60_000, maxDelayMs: 60_000 }, { signal: controller.signal });
    controller.abort(new Error('SIGINT'));
    await expect(pending).rejects.toThrow('SIGINT');
  });
});
