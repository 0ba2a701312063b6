import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { openStore } from '../../src/db/open-store.js';
import { breaksConnection, isRetryable } from '../../src/db/retry-policy.js';
import type { Queryable, Store } from '../../src/db/store.js';
import { adminQuery, urlFor, useFreshDatabase } from '../support/postgres.js';
import { TEST_POOL } from './backends.js';

/**
 * Every SQLSTATE the retry policy names, produced by the real PostgreSQL server (not a made-up
 * error object): first on a bare pg client, to see the code the server sends and how
 * src/db/retry-policy.ts classifies it; then through the Store, to see what it does with it.
 */
const db = useFreshDatabase();

async function client(url = db.url): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  // A server-side FATAL (57P01) also arrives as an 'error' event; the query reports it.
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** The error a promise rejects with (it must reject). */
async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const outcome = await promise.then(() => undefined, (e: unknown) => e as Error & { code?: string });
  if (!outcome) throw new Error('expected the server to refuse, and it did not');
  return outcome;
}

/** Resolves once both callers arrived: two transactions meet at a point of their first attempt. */
function meetingPoint(): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const both = new Promise<void>((resolve) => (open = resolve));
  return async () => {
    arrived += 1;
    if (arrived === 2) open();
    await both;
  };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 600; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

let store: Store;
beforeAll(async () => {
  store = await openStore(db.url, '', TEST_POOL);
  await store.exec('CREATE TABLE accounts (id integer PRIMARY KEY, balance integer NOT NULL); CREATE TABLE doctors (id integer PRIMARY KEY, on_call boolean NOT NULL)');
});
afterAll(async () => {
  await store?.close();
});

describe('53300: a role over its CONNECTION LIMIT', () => {
  const role = `biomass_limited_${randomBytes(4).toString('hex')}`;
  const roleUrl = () => {
    const url = new URL(urlFor(db.name));
    url.username = role;
    return url.toString();
  };
  beforeAll(async () => {
    // Not a superuser: superusers are not held to a connection limit.
    await adminQuery(`CREATE ROLE ${role} LOGIN NOSUPERUSER CONNECTION LIMIT 1`);
  });
  afterAll(async () => {
    await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
    await waitFor(async () => ((await adminQuery('SELECT 1 FROM pg_stat_activity WHERE usename = $1', [role])).length === 0 ? true : undefined), 'the role\'s connections to end');
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
  });

  it('is refused by the server, retryable, and a Store that gets no slot through all its retries refuses to open (DB_CONNECT, exit 2)', async () => {
    const holder = await client(roleUrl());
    try {
      const refused = await failure(client(roleUrl()));
      expect(refused.code).toBe('53300');
      expect(refused.message).toMatch(/too many connections for role/);
      expect(isRetryable(refused)).toBe(true);
      expect(breaksConnection(refused)).toBe(true);

      const limited = await openStore(roleUrl(), '', { ...TEST_POOL, retry: { attempts: 8, initialDelayMs: 50, maxDelayMs: 200 } }).catch((e: unknown) => e);
      // openStore's own first query is refused too, through every retry: the slot is held.
      expect(limited).toBeInstanceOf(BiomassError);
      expect(limited).toMatchObject({ code: 'DB_CONNECT', exitCode: 2, cause: { code: '53300' } });
    } finally {
      await holder.end();
    }
  });

  it('a Store that opened runs its query once a slot frees during its retries', async () => {
    const limited = await openStore(roleUrl(), '', { ...TEST_POOL, max: 2, retry: { attempts: 20, initialDelayMs: 50, maxDelayMs: 200 } });
    try {
      // The store holds the role's one connection (idle in its pool); a second caller at once
      // needs a second connection, which the server refuses with 53300 until the first is free.
      const first = limited.transaction(async (tx) => {
        await tx.query('SELECT pg_sleep(0.5)');
        return 'first';
      });
      const second = limited.query<{ one: number }>('SELECT 1 AS one');
      expect(await Promise.all([first, second.then((r) => r.rows)])).toEqual(['first', [{ one: 1 }]]);
      expect(limited.figures().retries).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('40001: two concurrent serializable transactions', () => {
  /** Write skew: each sees two doctors on call and takes one off; serialized, one must stay. */
  async function goOffCall(tx: Queryable, id: number, meet?: () => Promise<void>): Promise<void> {
    await tx.query('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
    const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM doctors WHERE on_call');
    await meet?.();
    if (Number(rows[0]!.n) >= 2) await tx.query('UPDATE doctors SET on_call = false WHERE id = $1', [id]);
  }

  it('fails one with 40001 (retryable, keeps the connection), and the Store runs that transaction again whole', async () => {
    await store.exec('DELETE FROM doctors; INSERT INTO doctors VALUES (1, true), (2, true)');
    const [a, b] = [await client(), await client()];
    try {
      const meet = meetingPoint();
      const run = async (c: pg.Client, id: number) => {
        await c.query('BEGIN');
        try {
          await goOffCall({ query: async (sql, params) => ({ rows: (await c.query(sql, params as unknown[])).rows, rowCount: 0 }), exec: async (s) => void (await c.query(s)) }, id, meet);
          await c.query('COMMIT');
        } catch (error) {
          await c.query('ROLLBACK');
          throw error;
        }
      };
      const outcomes = await Promise.allSettled([run(a, 1), run(b, 2)]);
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as Error & { code?: string });
      expect(refused.map((e) => e.code)).toEqual(['40001']);
      expect(isRetryable(refused[0])).toBe(true);
      expect(breaksConnection(refused[0])).toBe(false);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }

    await store.exec('UPDATE doctors SET on_call = true');
    const before = store.figures();
    const meet = meetingPoint();
    let bodies = 0;
    await Promise.all([1, 2].map((id) => store.transaction(async (tx) => {
      bodies += 1;
      // Only the first attempts meet; the retried one runs alone and sees the other's commit.
      await goOffCall(tx, id, bodies <= 2 ? meet : undefined);
    })));
    expect(bodies).toBe(3);
    expect(store.figures().retries - before.retries).toBe(1);
    expect(store.figures().discarded).toBe(before.discarded);
    // Run again whole, the retried transaction saw one doctor left and kept them on call.
    const { rows } = await store.query<{ n: string }>('SELECT count(*) AS n FROM doctors WHERE on_call');
    expect(Number(rows[0]!.n)).toBe(1);
  });
});

describe('40P01: two transactions locking in opposite order', () => {
  async function transfer(tx: Queryable, from: number, to: number, meet?: () => Promise<void>): Promise<void> {
    // Detect the deadlock quickly (default 1 s); a superuser setting, for this transaction only.
    await tx.query("SET LOCAL deadlock_timeout = '100ms'");
    await tx.query('UPDATE accounts SET balance = balance - 10 WHERE id = $1', [from]);
    await meet?.();
    await tx.query('UPDATE accounts SET balance = balance + 10 WHERE id = $1', [to]);
  }

  it('fails one with 40P01 (retryable, keeps the connection), and the Store runs it again whole: no transfer lost or doubled', async () => {
    await store.exec('DELETE FROM accounts; INSERT INTO accounts VALUES (1, 100), (2, 100)');
    const [a, b] = [await client(), await client()];
    try {
      const meet = meetingPoint();
      const run = async (c: pg.Client, from: number, to: number) => {
        await c.query('BEGIN');
        try {
          await transfer({ query: async (sql, params) => ({ rows: (await c.query(sql, params as unknown[])).rows, rowCount: 0 }), exec: async (s) => void (await c.query(s)) }, from, to, meet);
          await c.query('ROLLBACK');
        } catch (error) {
          await c.query('ROLLBACK');
          throw error;
        }
      };
      const outcomes = await Promise.allSettled([run(a, 1, 2), run(b, 2, 1)]);
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as Error & { code?: string });
      expect(refused.map((e) => e.code)).toEqual(['40P01']);
      expect(refused[0]!.message).toMatch(/deadlock detected/);
      expect(isRetryable(refused[0])).toBe(true);
      expect(breaksConnection(refused[0])).toBe(false);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }

    const before = store.figures();
    const meet = meetingPoint();
    let bodies = 0;
    await Promise.all([[1, 2], [2, 1]].map(([from, to]) => store.transaction(async (tx) => {
      bodies += 1;
      await transfer(tx, from!, to!, bodies <= 2 ? meet : undefined);
    })));
    expect(bodies).toBe(3);
    expect(store.figures().retries - before.retries).toBe(1);
    expect(store.figures().discarded).toBe(before.discarded);
    const { rows } = await store.query<{ id: number; balance: number }>('SELECT id, balance FROM accounts ORDER BY id');
    expect(rows).toEqual([{ id: 1, balance: 100 }, { id: 2, balance: 100 }]);
  });
});

describe('57P01: pg_terminate_backend', () => {
  const sleeperPid = (tag: string) => waitFor(async () => {
    const rows = await adminQuery<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE $2 AND pid <> pg_backend_pid()",
      [db.name, `%${tag}%`],
    );
    return rows[0]?.pid;
  }, `the statement tagged ${tag}`);

  it('ends the session with 57P01 (retryable, breaks the connection), and the Store retries on a fresh connection', async () => {
    const c = await client();
    try {
      const sleeping = failure(c.query("SELECT pg_sleep(30) -- bare-57p01"));
      await adminQuery('SELECT pg_terminate_backend($1)', [await sleeperPid('bare-57p01')]);
      const ended = await sleeping;
      expect(ended.code).toBe('57P01');
      expect(ended.message).toMatch(/terminating connection due to administrator command/);
      expect(isRetryable(ended)).toBe(true);
      expect(breaksConnection(ended)).toBe(true);
    } finally {
      await c.end().catch(() => undefined);
    }

    const before = store.figures();
    let bodies = 0;
    const done = store.transaction(async (tx) => {
      bodies += 1;
      // The first attempt sleeps until it is killed; the retry does not.
      await tx.query(bodies === 1 ? 'SELECT pg_sleep(30) -- store-57p01' : 'SELECT 1');
      return bodies;
    });
    await adminQuery('SELECT pg_terminate_backend($1)', [await sleeperPid('store-57p01')]);
    expect(await done).toBe(2);
    expect(store.figures().retries - before.retries).toBe(1);
    // The killed connection was thrown away, not given back to the pool.
    expect(store.figures().discarded - before.discarded).toBe(1);
  });
});

describe('57014: a statement timeout', () => {
  it('cancels the statement with 57014, which is not retried: the Store reports a statement timeout naming the setting and keeps the connection', async () => {
    const c = await client();
    try {
      await c.query("SET statement_timeout = '50ms'");
      const cancelled = await failure(c.query('SELECT pg_sleep(5)'));
      expect(cancelled.code).toBe('57014');
      expect(cancelled.message).toMatch(/canceling statement due to statement timeout/);
      expect(isRetryable(cancelled)).toBe(false);
      expect(breaksConnection(cancelled)).toBe(false);
      // The session survives a cancelled statement.
      expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await c.end();
    }

    const timed = await openStore(db.url, '', { ...TEST_POOL, statementTimeoutMs: 50 });
    try {
      let bodies = 0;
      const error = await failure(timed.transaction(async (tx) => {
        bodies += 1;
        await tx.query('SELECT pg_sleep(5)');
      }));
      // Not retried: reported as a statement timeout naming the setting (#12), the server's 57014 as its cause.
      expect(error).toBeInstanceOf(BiomassError);
      expect(error).toMatchObject({ code: 'DB_STATEMENT_TIMEOUT', message: expect.stringContaining('database.pool.statement_timeout') });
      expect(((error as unknown as { cause?: { code?: string } }).cause)?.code).toBe('57014');
      expect(bodies).toBe(1);
      expect(timed.figures()).toMatchObject({ retries: 0, discarded: 0 });
      expect((await timed.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await timed.close();
    }
  });
});
