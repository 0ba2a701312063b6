import { describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { openStore, openStores } from '../../src/db/open-store.js';
import { defaultDatabaseConfig } from '../../src/db/database-config.js';
import { ADMIN_URL, urlFor, useFreshDatabase } from '../support/postgres.js';
import { TEST_POOL } from './backends.js';

const db = useFreshDatabase();
const QUICK = { ...TEST_POOL, retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 } };
const SECRET = 's3cret-pass-word';

async function failure(url: string): Promise<BiomassError> {
  const error = await openStore(url, '', QUICK).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BiomassError);
  const text = `${(error as BiomassError).message} ${(error as BiomassError).hint}`;
  expect(text).not.toContain(SECRET);
  return error as BiomassError;
}

describe('a database that cannot be reached is one clear error, exit 2, before any work', () => {
  it('refused connection: names host, port and database, says to check the server', async () => {
    const error = await failure(`postgres://me:${SECRET}@127.0.0.1:1/biomass`);
    expect(error).toMatchObject({ code: 'DB_CONNECT', exitCode: 2 });
    expect(error.message).toContain('state database 127.0.0.1:1/biomass');
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.hint).toMatch(/pg_isready -h 127.0.0.1 -p 1/);
  });

  it('missing database: says how to create it', async () => {
    const url = new URL(urlFor('biomass_no_such_db'));
    url.username = 'postgres';
    url.password = SECRET;
    const error = await failure(url.toString());
    expect(error).toMatchObject({ code: 'DB_CONNECT', exitCode: 2 });
    expect(error.message).toMatch(/biomass_no_such_db/);
    expect(error.message).toMatch(/does not exist/);
    expect(error.hint).toMatch(/createdb .*biomass_no_such_db/);
  });

  it('unknown host: says to check the host name', async () => {
    const error = await failure(`postgres://me:${SECRET}@no-such-host.invalid:5432/biomass`);
    expect(error).toMatchObject({ code: 'DB_CONNECT', exitCode: 2 });
    expect(error.hint).toMatch(/host name "no-such-host.invalid"/);
  });

  it('not a postgres URL: says what form to use, without echoing the password', async () => {
    expect(await failure(`mysql://me:${SECRET}@localhost/x`)).toMatchObject({ code: 'DB_URL', exitCode: 2 });
    // A password the secrets registry has never seen, in a URL that does not parse.
    const unseen = 'never-registered-pw-77';
    const error = await openStore(`postgres://me:${unseen}@[bad/x`, '', QUICK).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DB_URL', exitCode: 2 });
    expect(`${(error as Error).message} ${(error as BiomassError).hint}`).not.toContain(unseen);
  });

  it('a forestry database that fails closes the state pool it opened first', async () => {
    const config = { ...defaultDatabaseConfig('/tmp', db.url), pool: QUICK, forestryUrl: 'postgres://x@127.0.0.1:1/forestry' };
    const error = await openStores(config).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DB_CONNECT', exitCode: 2 });
    expect((error as Error).message).toContain('forestry database 127.0.0.1:1/forestry');
    // useFreshDatabase fails the file if the state pool leaked a connection.
  });

  it('opens a separate pool for a forestry database with another URL, and one pool when they are the same', async () => {
    const same = await openStores({ ...defaultDatabaseConfig('/tmp', db.url), pool: QUICK });
    try {
      expect(same.forestry).toBe(same.state);
    } finally {
      await same.close();
    }
    const separate = await openStores({ ...defaultDatabaseConfig('/tmp', db.url), pool: QUICK, forestryUrl: ADMIN_URL });
    try {
      expect(separate.forestry).not.toBe(separate.state);
      expect(separate.forestry.description).toMatch(/\/postgres$/);
      expect((await separate.forestry.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await separate.close();
    }
  });
});
