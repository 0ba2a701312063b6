import { afterEach, describe, expect, it, vi } from 'vitest';
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

  // Class 08 is matched by its prefix; no other class starting with 0 is a lost connection:
  // warnings, no data, feature not supported, invalid transaction initiation, ...
  it.each(['01000', '02000', '03000', '09000', '0A000', '0B000', '0F000', '0L000', '0P000', '0Z000', '07000', '00000'])('SQLSTATE %s (class 0x, not 08) is not', (code) => {
    expect(isRetryable(pgError(code))).toBe(false);
    expect(breaksConnection(pgError(code))).toBe(false);
  });

  it('takes only a whole 5-character SQLSTATE: an 08 prefix of another length is no connection exception', () => {
    expect(isRetryable(pgError('08'))).toBe(false);
    expect(isRetryable(pgError('0800'))).toBe(false);
    expect(isRetryable(pgError('080000'))).toBe(false);
    expect(isRetryable(pgError('57P0'))).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])('socket error %s is retried and breaks the connection', (code) => {
    expect(isRetryable(pgError(code))).toBe(true);
    expect(breaksConnection(pgError(code))).toBe(true);
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'Client has encountered a connection error and is not queryable',
    'timeout exceeded when trying to connect',
    'Client was closed and is not queryable',
    'server closed the connection unexpectedly',
  ])('pg message "%s" (no code) is retried', (message) => {
    expect(isRetryable(new Error(message))).toBe(true);
  });

  it('matches "Connection terminated" only at the start of the message, and ignores what is not an Error', () => {
    expect(isRetryable(new Error('the Connection terminated message quoted'))).toBe(false);
    expect(isRetryable('Connection terminated')).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
    expect(isRetryable(null)).toBe(false);
    expect(isRetryable({ code: 40001 })).toBe(false);
    expect(isRetryable({ code: '40001' })).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { code: null }))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { code: { length: 5 } }))).toBe(false);
  });

  it('retries an AggregateError when any of its errors is retryable, not otherwise', () => {
    expect(isRetryable(new AggregateError([pgError('ENOTFOUND'), pgError('ECONNREFUSED')]))).toBe(true);
    expect(isRetryable(new AggregateError([pgError('ENOTFOUND'), new Error('nope')]))).toBe(false);
    expect(isRetryable(new AggregateError([]))).toBe(false);
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

  it('returns the first success, telling onRetry each failed attempt and the delay before the next', async () => {
    const seen: Array<[string, number, number]> = [];
    let calls = 0;
    const value = await withRetry(async () => {
      calls += 1;
      if (calls < 3) throw pgError('40001', `race ${calls}`);
      return 'done';
    }, { attempts: 5, initialDelayMs: 4, maxDelayMs: 6 }, { onRetry: (e, attempt, delay) => seen.push([(e as Error).message, attempt, delay]) });
    expect(value).toBe('done');
    expect(calls).toBe(3);
    expect(seen.map(([m, a]) => [m, a])).toEqual([['race 1', 1], ['race 2', 2]]);
    // Attempt 1 waits between 2 and 4 ms (half of 4 fixed), attempt 2 between 3 and 6 (capped at 6).
    expect(seen[0]![2]).toBeGreaterThanOrEqual(2);
    expect(seen[0]![2]).toBeLessThanOrEqual(4);
    expect(seen[1]![2]).toBeGreaterThanOrEqual(3);
    expect(seen[1]![2]).toBeLessThanOrEqual(6);
  });

  it('with no retries (or a negative count) tries exactly once', async () => {
    for (const attempts of [0, -2]) {
      let calls = 0;
      const error = await withRetry(async () => {
        calls += 1;
        throw pgError('57P01');
      }, { attempts, initialDelayMs: 1, maxDelayMs: 1 }).catch((e: unknown) => e);
      expect(calls).toBe(1);
      expect(error).toMatchObject({ name: 'RetryBudgetSpent', attempts: 1, message: 'x' });
      expect((error as RetryBudgetSpent).cause).toBe((error as RetryBudgetSpent).lastError);
    }
  });

  it('reports a last error that is not an Error by its text', () => {
    expect(new RetryBudgetSpent('plain words', 2).message).toBe('plain words');
  });

  it('does not start when the signal is already aborted', async () => {
    let calls = 0;
    const pending = withRetry(async () => {
      calls += 1;
      return 1;
    }, retry, { signal: AbortSignal.abort(new Error('stopped before')) });
    await expect(pending).rejects.toThrow('stopped before');
    expect(calls).toBe(0);
  });

  // Fake timers: the test steps the clock instead of waiting, and never measures real time.
  describe('on a stepped clock', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('waits the backoff delay before trying again', async () => {
      vi.useFakeTimers();
      let calls = 0;
      const pending = withRetry(async () => {
        calls += 1;
        if (calls === 1) throw pgError('57P01');
        return 'again';
      }, { attempts: 2, initialDelayMs: 1000, maxDelayMs: 1000 });
      // The delay of the first retry lies between 500 and 1000 ms (half of it random).
      await vi.advanceTimersByTimeAsync(499);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(501);
      expect(calls).toBe(2);
      await expect(pending).resolves.toBe('again');
    });

    it('stops at once when aborted during the wait, and when aborted before the wait began', async () => {
      vi.useFakeTimers();
      const during = new AbortController();
      let settled = false;
      const waiting = withRetry(async () => {
        throw pgError('08006');
      }, { attempts: 10, initialDelayMs: 60_000, maxDelayMs: 60_000 }, { signal: during.signal }).catch((e: unknown) => e).finally(() => (settled = true));
      await vi.advanceTimersByTimeAsync(1000);
      expect(settled).toBe(false);
      during.abort(new Error('SIGINT during'));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(true);
      expect(await waiting).toMatchObject({ message: 'SIGINT during' });

      const before = new AbortController();
      let calls = 0;
      let done = false;
      const refused = withRetry(async () => {
        calls += 1;
        before.abort(new Error('SIGINT before'));
        throw pgError('08006');
      }, { attempts: 10, initialDelayMs: 60_000, maxDelayMs: 60_000 }, { signal: before.signal }).catch((e: unknown) => e).finally(() => (done = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(done).toBe(true);
      expect(calls).toBe(1);
      expect(await refused).toMatchObject({ message: 'SIGINT before' });
    });
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
