/**
 * Findings 9, 10 and 13: a server that stops answering (frozen with SIGSTOP, as a network
 * partition looks to the client) ends in a clear, retryable DB_UNAVAILABLE within a bounded
 * wait instead of hanging; a statement timeout names the setting and the fix; the default
 * retry budget rides through a 30 s outage of a real server. Outcomes only, no timings.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { DEFAULT_POOL, type PoolConfig } from '../../src/db/database-config.js';
import { openStore } from '../../src/db/open-store.js';
import { retryWindowMs } from '../../src/db/retry-policy.js';
import { TEST_POOL } from '../db/backends.js';
import { PrivateServer } from '../db/private-server.js';
import { useFreshDatabase } from '../support/postgres.js';

const run = promisify(execFile);
const shared = useFreshDatabase();

/** Short timeouts so a frozen server is given up on quickly; retries enough to prove they happen. */
const FROZEN_POOL: PoolConfig = {
  ...TEST_POOL, connectTimeoutMs: 1_000, statementTimeoutMs: 1_000, healthCheckIntervalMs: 0,
  retry: { attempts: 2, initialDelayMs: 50, maxDelayMs: 100 },
};

let server: PrivateServer;
beforeAll(async () => {
  server = await PrivateServer.create();
}, 300_000);
afterAll(async () => {
  await thaw().catch(() => undefined);
  await server?.destroy();
});

/** The postmaster and every backend of the private server. */
async function serverPids(): Promise<string[]> {
  const postmaster = (await readFile(path.join(server.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]!.trim();
  const children = await run('pgrep', ['-P', postmaster]).then((r) => r.stdout.split('\n').filter(Boolean), () => []);
  return [postmaster, ...children];
}
async function freeze(): Promise<void> {
  await run('kill', ['-STOP', ...(await serverPids())]);
}
async function thaw(): Promise<void> {
  await run('kill', ['-CONT', ...(await serverPids())]);
}

describe('a server that stops answering', () => {
  it('a query to a frozen server ends in DB_UNAVAILABLE (exit 1, resumable) instead of hanging', async () => {
    const store = await openStore(server.url(), '', FROZEN_POOL);
    try {
      expect((await store.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await freeze();
      const error = await store.query('SELECT 2').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BiomassError);
      expect(error).toMatchObject({ code: 'DB_UNAVAILABLE', exitCode: 1 });
      expect((error as BiomassError).message).toContain(`127.0.0.1:${server.port}/postgres`);
      expect((error as BiomassError).message).toMatch(/after 3 attempts/);
      expect((error as BiomassError).message).toMatch(/answer within/);
      expect(store.figures().retries).toBe(2);
      await thaw();
      // Once it answers again the same store works: the stuck connections were thrown away.
      expect((await store.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await thaw();
      await store.close();
    }
  }, 300_000);

  it('opening a store on a frozen server says it did not answer, not that it is not running', async () => {
    await freeze();
    try {
      const error = await openStore(server.url(), '', FROZEN_POOL).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DB_CONNECT', exitCode: 2 });
      expect((error as BiomassError).message).toMatch(/did not answer within 1s/);
      expect((error as BiomassError).hint).toContain('database.pool.connect_timeout');
      expect((error as BiomassError).hint).not.toMatch(/check that PostgreSQL is running/);
    } finally {
      await thaw();
    }
  }, 300_000);
});

describe('statement timeouts', () => {
  it('name the database, database.pool.statement_timeout and the fix (not an unexpected error)', async () => {
    const store = await openStore(shared.url, '', { ...TEST_POOL, statementTimeoutMs: 100 });
    try {
      const error = await store.query('SELECT pg_sleep(5)').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BiomassError);
      expect(error).toMatchObject({ code: 'DB_STATEMENT_TIMEOUT', exitCode: 1 });
      expect((error as BiomassError).message).toContain(shared.name);
      expect((error as BiomassError).message).toContain('database.pool.statement_timeout (100ms)');
      expect((error as BiomassError).hint).toMatch(/raise database\.pool\.statement_timeout/);
    } finally {
      await store.close();
    }
  });
});

describe('the default retry budget', () => {
  it('waits at least 30 s in all before giving up, and says the most it waits', () => {
    const window = retryWindowMs(DEFAULT_POOL.retry);
    expect(window.minMs).toBeGreaterThanOrEqual(30_000);
    expect(window.maxMs).toBeGreaterThanOrEqual(window.minMs);
  });

  it('rides through a 30 s outage of a real server with the default pool settings', async () => {
    const store = await openStore(server.url(), '', { ...DEFAULT_POOL, max: 2, healthCheckIntervalMs: 0 });
    let restarted: Promise<void> | undefined;
    try {
      await store.query('CREATE TABLE IF NOT EXISTS outage_probe (n int)');
      await server.stop();
      restarted = new Promise((resolve, reject) => setTimeout(() => server.start().then(resolve, reject), 30_000));
      await store.query('INSERT INTO outage_probe VALUES (1)');
      await restarted;
      expect((await store.query<{ n: number }>('SELECT n FROM outage_probe')).rows).toEqual([{ n: 1 }]);
      expect(store.figures().retries).toBeGreaterThan(0);
    } finally {
      await restarted?.catch(() => undefined);
      await store.close();
    }
  }, 300_000);
});
