import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { commitCountyBatch } from '../../src/db/county-batch.js';
import { getCountyCheckpoint, saveCountyCheckpoint } from '../../src/db/county-checkpoints-repository.js';
import { migrate } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import { countOutputs, upsertParcelOutputs } from '../../src/db/parcel-outputs-repository.js';
import type { PostgresStore } from '../../src/db/postgres-store.js';
import type { Store } from '../../src/db/store.js';
import { adminQuery, useFreshDatabase } from '../support/postgres.js';
import { TEST_POOL } from './backends.js';
import { parcelOutputs } from './parcel-fixtures.js';

const db = useFreshDatabase();

async function openMigrated(pool = TEST_POOL): Promise<Store> {
  const store = await openStore(db.url, '', pool);
  await migrate(store, 'state');
  return store;
}

/** Kills the connections our stores hold to this test file's database, and only those. */
async function terminateBiomassBackends(): Promise<number> {
  const rows = await adminQuery<{ killed: boolean }>(
    `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
     WHERE datname = $1 AND application_name = 'biomass' AND pid <> pg_backend_pid()`,
    [db.name],
  );
  return rows.filter((r) => r.killed).length;
}

describe('faults on a real PostgreSQL server', () => {
  it('retries a batch whose connection is killed in the middle, and stores every row once', async () => {
    const store = await openMigrated();
    try {
      const outputs = parcelOutputs(400, '17101');
      const by = { planName: 'kill-one', runId: 'r1', attempt: 1 };
      let bodies = 0;
      await store.transaction(async (tx) => {
        bodies += 1;
        const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await upsertParcelOutputs(tx, by, outputs.slice(0, 200));
        if (bodies === 1) await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
        await upsertParcelOutputs(tx, by, outputs.slice(200));
        await saveCountyCheckpoint(tx, { planName: by.planName, countyFips: '17101', lastBatch: 0, parcelsDone: 400, runId: 'r1', attempt: 1 });
      });
      expect(bodies).toBe(2);
      expect((await countOutputs(store, 'kill-one', '17101')).total).toBe(400);
      const distinct = await store.query<{ n: string }>(
        "SELECT count(DISTINCT parcel_id) AS n FROM biomass.parcel_outputs WHERE plan_name = 'kill-one'",
      );
      expect(Number(distinct.rows[0]!.n)).toBe(400);
      expect(store.figures()).toMatchObject({ retries: 1, discarded: 1 });
    } finally {
      await store.close();
    }
  });

  it('keeps every row exactly once while backends are killed again and again during concurrent batches', async () => {
    const store = await openMigrated({ ...TEST_POOL, retry: { attempts: 30, initialDelayMs: 5, maxDelayMs: 100 } });
    const writers = 8;
    const batches = 20;
    const size = 150;
    let writing = true;
    let killed = 0;
    // Kills again only after some batch committed since the last kill, so the writers progress
    // however slow the machine is (a kill every few milliseconds would starve a slow one).
    let committed = 0;
    const killer = (async () => {
      let seen = 0;
      while (writing) {
        if (committed > seen) {
          seen = committed;
          killed += await terminateBiomassBackends();
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    try {
      try {
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            const county = `17${String(200 + w)}`;
            for (let b = 0; b < batches; b += 1) {
              await commitCountyBatch(store, {
                planName: 'kill-many', runId: 'r1', attempt: 1, countyFips: county, batchIndex: b,
                parcelsDone: (b + 1) * size, outputs: parcelOutputs(size, county, w * 1_000_000 + b * size),
              });
              committed += 1;
            }
          }),
        );
      } finally {
        writing = false;
        await killer;
      }
      expect(killed).toBeGreaterThan(0);
      expect(store.figures().retries).toBeGreaterThan(0);
      expect((await countOutputs(store, 'kill-many')).total).toBe(writers * batches * size);
      for (let w = 0; w < writers; w += 1) {
        expect(await getCountyCheckpoint(store, 'kill-many', `17${String(200 + w)}`)).toMatchObject({ lastBatch: batches - 1 });
      }
    } finally {
      await store.close();
    }
  });

  it('serves 50 concurrent callers on a pool of 25: none fails, at most 25 connections, the rest wait', async () => {
    const store = await openMigrated({ ...TEST_POOL, max: 25 });
    // Every query waits on an advisory lock this test holds, so the first 25 keep their
    // connections and the other 25 keep waiting until the test lets go, however fast or slow
    // the machine is.
    const gate = new pg.Client({ connectionString: db.url });
    await gate.connect();
    try {
      await gate.query('SELECT pg_advisory_lock(8108)');
      const running = Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => store.query<{ i: number }>('SELECT $1::int AS i FROM (SELECT pg_advisory_xact_lock_shared(8108)) AS gate', [i])),
      );
      // Callers count as waiting until a connection is opened for them; 25 get one and block.
      while (store.figures().waiting > 25) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(store.figures()).toMatchObject({ total: 25, waiting: 25 });
      await gate.query('SELECT pg_advisory_unlock(8108)');
      const results = await running;
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value.rows[0]!.i : -1))).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(store.figures()).toMatchObject({ total: 25, retries: 0, errors: 0, waiting: 0 });
    } finally {
      await gate.end();
      await store.close();
    }
  });

  it('bounds the wait for a connection by the connect timeout and its retries', async () => {
    // The holders open their connections under the same short timeout, and may need retries
    // of their own on a slow or loaded machine: so the retries are counted from the moment
    // both hold their connection, and only the query that cannot get one is measured.
    const store = await openMigrated({ ...TEST_POOL, max: 2, connectTimeoutMs: 500, retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 } });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = 0;
    let bothHold!: () => void;
    const bothHolding = new Promise<void>((resolve) => (bothHold = resolve));
    const hold = () => {
      holding += 1;
      if (holding === 2) bothHold();
      return held;
    };
    const holders = [store.transaction(hold), store.transaction(hold)];
    try {
      await Promise.race([bothHolding, Promise.all(holders)]);
      expect(store.figures()).toMatchObject({ total: 2, idle: 0 });
      const before = store.figures().retries;
      const error = await store.query('SELECT 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BiomassError);
      expect(error).toMatchObject({ code: 'DB_UNAVAILABLE', exitCode: 1 });
      expect((error as Error).message).toMatch(/timeout exceeded when trying to connect/);
      // A first try and the 2 retries of the budget, each ended by the connect timeout.
      expect(store.figures().retries - before).toBe(2);
    } finally {
      release();
      await Promise.all(holders);
      await store.close();
    }
  });

  it('does not retry a statement the server cancelled for running past statement_timeout', async () => {
    const store = await openMigrated({ ...TEST_POOL, statementTimeoutMs: 50 });
    try {
      await expect(store.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: 'DB_STATEMENT_TIMEOUT', cause: { code: '57014' } });
      expect(store.figures().retries).toBe(0);
      expect((await store.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await store.close();
    }
  });

  it('drops idle connections the server killed, counts them, and the next callers get healthy ones', async () => {
    const store = (await openMigrated()) as PostgresStore;
    try {
      await Promise.all(Array.from({ length: 5 }, () => store.query('SELECT pg_sleep(0.05)')));
      expect(store.figures().idle).toBe(5);
      expect(await terminateBiomassBackends()).toBe(5);
      await store.checkHealth();
      const results = await Promise.all(Array.from({ length: 5 }, () => store.query<{ one: number }>('SELECT 1 AS one')));
      expect(results.every((r) => r.rows[0]?.one === 1)).toBe(true);
      const figures = store.figures();
      expect(figures.errors).toBeGreaterThanOrEqual(5);
      const health = await store.checkHealth();
      expect(health).toEqual({ checked: figures.idle, replaced: 0 });
    } finally {
      await store.close();
    }
  });

  it('health check discards an idle connection that no longer answers and opens a fresh one in its place', async () => {
    const store = (await openMigrated({ ...TEST_POOL, max: 1 })) as PostgresStore;
    try {
      // With one connection every call reuses it: leave it idle inside a failed transaction,
      // where every statement fails (25P02) although the socket is fine.
      await store.query('BEGIN');
      await expect(store.query('SELECT 1 / 0')).rejects.toMatchObject({ code: '22012' });
      expect(store.figures()).toMatchObject({ total: 1, idle: 1 });
      expect(await store.checkHealth()).toEqual({ checked: 1, replaced: 1 });
      expect(store.figures()).toMatchObject({ total: 1, idle: 1, discarded: 1 });
      expect((await store.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(await store.checkHealth()).toEqual({ checked: 1, replaced: 0 });
    } finally {
      await store.close();
    }
  });

  it('runs that health check by itself every health_check_interval', async () => {
    const store = await openMigrated({ ...TEST_POOL, max: 1, healthCheckIntervalMs: 20 });
    try {
      await store.query('BEGIN');
      await expect(store.query('SELECT 1 / 0')).rejects.toMatchObject({ code: '22012' });
      // However long the timer takes to come round on a loaded machine (the test's timeout bounds it).
      while (store.figures().discarded === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(store.figures()).toMatchObject({ discarded: 1 });
      expect((await store.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await store.close();
    }
  });
});
