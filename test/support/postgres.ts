import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** The shared test server; any database there will do for creating and dropping others. */
export const ADMIN_URL = process.env.BIOMASS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface FreshDatabase {
  /** postgres:// URL of the database made for this test file. */
  readonly url: string;
  readonly name: string;
}

/** Runs one statement as the admin user on its own short-lived connection. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function openConnections(database: string): Promise<Array<{ pid: number; application_name: string; state: string }>> {
  return adminQuery(
    'SELECT pid, application_name, state FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  );
}

/**
 * Gives the calling test file a database of its own on the shared server, named at random,
 * created before its tests and dropped after them. The file fails when connections to it are
 * still open at the end: a store that was not closed (a leaked pool) would hold them.
 */
export function useFreshDatabase(): FreshDatabase {
  const name = `biomass_test_${randomBytes(6).toString('hex')}`;
  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${name}`);
  });
  afterAll(async () => {
    // pool.end() resolves when the sockets close; the server may need a moment to notice, a
    // long one on a loaded machine: only a leak waits out these 30 s.
    let open = await openConnections(name);
    for (let tries = 0; open.length > 0 && tries < 300; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      open = await openConnections(name);
    }
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    if (open.length > 0) {
      throw new Error(
        `leaked pool: ${open.length} connection(s) to ${name} still open after the tests ` +
          `(${open.map((c) => `${c.application_name || '?'}:${c.state}`).join(', ')}); close every store you open`,
      );
    }
  });
  return { url: urlFor(name), name };
}
