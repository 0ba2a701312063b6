import { createHash } from 'node:crypto';
import { appendFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { loadMigrations, migrate, migrationStatus, prepareSchema } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import type { Store } from '../../src/db/store.js';
import { useFreshDatabase } from '../support/postgres.js';
import { TEST_POOL } from './backends.js';

const db = useFreshDatabase();
/** The shipped state migrations' versions: these tests follow the files rather than a count. */
const STATE_VERSIONS = (await loadMigrations('state')).map((m) => m.version);

describe.each([
  { name: 'postgres', url: () => db.url },
  { name: 'pglite', url: () => '' },
])('migrations on $name', ({ url }) => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore(url(), '', TEST_POOL);
    await store.exec('DROP SCHEMA IF EXISTS biomass CASCADE');
  });
  afterEach(async () => {
    await store.close();
  });

  it('applies the files in order once, and records them', async () => {
    const known = await loadMigrations('state');
    expect(known.map((m) => m.version)).toEqual(STATE_VERSIONS);
    // Versions are numbered without gaps, from 1.
    expect(STATE_VERSIONS).toEqual(STATE_VERSIONS.map((_, i) => i + 1));
    const before = await migrationStatus(store, 'state');
    expect(before).toMatchObject({ current: 0, latest: STATE_VERSIONS.at(-1) });
    expect(before.pending.map((m) => m.name)).toEqual(known.map((m) => m.name));
    expect((await migrate(store, 'state')).map((m) => m.version)).toEqual(STATE_VERSIONS);
    expect(await migrate(store, 'state')).toEqual([]);
    expect((await migrate(store, 'forestry')).map((m) => m.version)).toEqual((await loadMigrations('forestry')).map((m) => m.version));
    expect(await migrationStatus(store, 'state')).toMatchObject({ current: STATE_VERSIONS.at(-1), latest: STATE_VERSIONS.at(-1), pending: [] });
    const rows = await store.query<{ migration_set: string; version: number }>(
      "SELECT migration_set, version FROM biomass.schema_migrations WHERE migration_set = 'state' ORDER BY version",
    );
    expect(rows.rows.map((r) => r.version)).toEqual(STATE_VERSIONS);
  });

  it('refuses a database migrated by a newer biomass', async () => {
    await migrate(store, 'state');
    await store.query("INSERT INTO biomass.schema_migrations (migration_set, version, name, checksum) VALUES ('state', 99, 'future', 'x')");
    const error = await migrate(store, 'state').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BiomassError);
    expect(error).toMatchObject({ code: 'DB_SCHEMA_NEWER', exitCode: 2, hint: expect.stringMatching(/^upgrade biomass to the version that migrated this database/) });
    expect((error as Error).message).toContain(`version 99, newer than this biomass knows (${STATE_VERSIONS.at(-1)})`);
    await expect(migrationStatus(store, 'state')).rejects.toMatchObject({ code: 'DB_SCHEMA_NEWER' });
  });

  it('refuses an applied migration whose file was edited since', async () => {
    await migrate(store, 'state');
    await store.query("UPDATE biomass.schema_migrations SET checksum = 'edited' WHERE migration_set = 'state' AND version = 2");
    await expect(migrate(store, 'state')).rejects.toMatchObject({ code: 'DB_MIGRATION_CHANGED', exitCode: 2 });
  });
});

describe('prepareSchema', () => {
  it('brings the state and the forestry schema up to date, each in its own store', async () => {
    const [state, forestry] = [await openStore('', '', TEST_POOL), await openStore('', '', TEST_POOL)];
    try {
      await prepareSchema({ state, forestry });
      const [stateFiles, forestryFiles] = [await loadMigrations('state'), await loadMigrations('forestry')];
      expect(await migrationStatus(state, 'state')).toMatchObject({ current: stateFiles.at(-1)!.version, pending: [] });
      expect(await migrationStatus(state, 'forestry')).toMatchObject({ current: 0 });
      expect(await migrationStatus(forestry, 'forestry')).toMatchObject({ current: forestryFiles.at(-1)!.version, pending: [] });
      expect(await migrationStatus(forestry, 'state')).toMatchObject({ current: 0 });
    } finally {
      await Promise.all([state.close(), forestry.close()]);
    }
  });
});

describe('concurrent migrations on postgres', () => {
  it('two pools migrating at once apply each migration exactly once', async () => {
    const stores = await Promise.all([openStore(db.url, '', TEST_POOL), openStore(db.url, '', TEST_POOL)]);
    try {
      await stores[0]!.exec('DROP SCHEMA IF EXISTS biomass CASCADE');
      const applied = await Promise.all(stores.map((s) => migrate(s, 'state')));
      expect(applied.map((a) => a.length).sort()).toEqual([0, STATE_VERSIONS.length]);
      const rows = await stores[0]!.query<{ n: string }>("SELECT count(*) AS n FROM biomass.schema_migrations WHERE migration_set = 'state'");
      expect(Number(rows.rows[0]!.n)).toBe(STATE_VERSIONS.length);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('a process that waited for the lock sees the schema the first one created, whatever its connection had cached', async () => {
    // PostgreSQL keeps a per-connection catalog cache, "missing" entries too, and waiting for
    // an advisory lock does not refresh it: a connection that had looked for the schema (here
    // by dropping it) before the other process committed it still believed it missing, and
    // its CREATE SCHEMA IF NOT EXISTS failed with a duplicate key. Two processes starting on
    // a fresh database did this about one time in three. The test orders them with locks.
    const { dir, url } = await copiedMigrations();
    // A sixth migration waits for the test's gate, so the first process holds the migration
    // lock, with the schema created and not yet committed, for as long as the test needs.
    await writeFile(path.join(dir, '0006_wait_for_the_gate.sql'), 'SELECT pg_advisory_xact_lock(4242);');
    const gate = new pg.Client({ connectionString: db.url });
    await gate.connect();
    const onePool = { ...TEST_POOL, max: 1 };
    const [first, second] = [await openStore(db.url, '', onePool), await openStore(db.url, '', onePool)];
    const waiting = async (count: number): Promise<void> => {
      for (;;) {
        const rows = await gate.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()",
        );
        if (Number(rows.rows[0]!.n) === count) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      // The second store's only connection drops the schema, so it remembers it missing.
      await second.exec('DROP SCHEMA IF EXISTS biomass CASCADE');
      await gate.query('SELECT pg_advisory_lock(4242)');
      const firstRun = migrate(first, 'state', url);
      await waiting(1);
      const secondRun = migrate(second, 'state', url);
      await waiting(2);
      await gate.query('SELECT pg_advisory_unlock(4242)');
      expect((await firstRun).map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await secondRun).toEqual([]);
      const rows = await first.query<{ n: string }>("SELECT count(*) AS n FROM biomass.schema_migrations WHERE migration_set = 'state'");
      expect(Number(rows.rows[0]!.n)).toBe(6);
    } finally {
      await Promise.all([first.close(), second.close(), gate.end()]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs a migration that fails on a duplicate key of its own once, and reports it', async () => {
    // Only a duplicate in PostgreSQL's own catalogs is the race above; any other is the
    // migration's error. A sequence counts the tries: nextval survives a rollback.
    const { dir, url } = await copiedMigrations();
    await writeFile(path.join(dir, '0006_duplicate_row.sql'),
      "SELECT nextval('public.migration_tries'); CREATE TABLE biomass.dup (x int PRIMARY KEY); INSERT INTO biomass.dup VALUES (1), (1);");
    const store = await openStore(db.url, '', TEST_POOL);
    try {
      await store.exec('DROP SCHEMA IF EXISTS biomass CASCADE; DROP SEQUENCE IF EXISTS public.migration_tries; CREATE SEQUENCE public.migration_tries');
      await expect(migrate(store, 'state', url)).rejects.toMatchObject({ code: '23505', constraint: 'dup_pkey' });
      expect((await store.query<{ n: string }>('SELECT last_value AS n FROM public.migration_tries')).rows[0]!.n).toBe('1');
      // Nothing of the failed transaction stayed.
      expect((await store.query<{ present: boolean }>("SELECT to_regnamespace('biomass') IS NOT NULL AS present")).rows[0]!.present).toBe(false);
    } finally {
      await store.exec('DROP SEQUENCE IF EXISTS public.migration_tries');
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A copy of the shipped state migrations in a temp folder, which a test may edit. */
/**
 * A copy of the first five shipped state migrations (0001-0005), so that these tests do not
 * change as later migrations ship.
 */
async function copiedMigrations(): Promise<{ dir: string; url: URL }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'biomass-migrations-'));
  await cp(new URL('../../src/db/migrations/state/', import.meta.url), dir, {
    recursive: true,
    filter: (source) => !/\/\d{4}_[^/]*\.sql$/.test(source) || Number(/(\d{4})_[^/]*\.sql$/.exec(source)![1]) <= 5,
  });
  return { dir, url: pathToFileURL(`${dir}/`) };
}

describe('migration files', () => {
  it('loads the NNNN_name.sql files in version order, each with the sha256 of its content', async () => {
    const { dir, url } = await copiedMigrations();
    try {
      await writeFile(path.join(dir, 'README.md'), 'not a migration');
      await writeFile(path.join(dir, '0007_Bad-Name.sql'), 'SELECT 1;');
      await writeFile(path.join(dir, '6_short.sql'), 'SELECT 1;');
      await writeFile(path.join(dir, '0006_later_one.sql'), 'SELECT 6;');
      await writeFile(path.join(dir, 'v0008_prefixed.sql'), 'SELECT 8;');
      await writeFile(path.join(dir, '0009_suffixed.sql.orig'), 'SELECT 9;');
      const loaded = await loadMigrations('state', url);
      expect(loaded.map((m) => [m.version, m.name])).toEqual([
        [1, 'runs_and_status'], [2, 'tile_index'], [3, 'outputs_and_metrics'], [4, 'tile_item_product'], [5, 'index_fingerprint'], [6, 'later_one'],
      ]);
      for (const m of loaded) {
        const file = (await readdir(dir)).find((f) => f.startsWith(String(m.version).padStart(4, '0')))!;
        const text = await readFile(path.join(dir, file), 'utf8');
        expect(m).toMatchObject({ set: 'state', sql: text, checksum: createHash('sha256').update(text).digest('hex') });
      }
      // The shipped files load the same as their copies.
      expect((await loadMigrations('state')).slice(0, 5).map((m) => m.checksum)).toEqual(loaded.slice(0, 5).map((m) => m.checksum));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.each([
  { name: 'postgres', url: () => db.url },
  { name: 'pglite', url: () => '' },
])('edited and added migration files on $name', ({ url }) => {
  let store: Store;
  let files: { dir: string; url: URL };
  beforeEach(async () => {
    store = await openStore(url(), '', TEST_POOL);
    await store.exec('DROP SCHEMA IF EXISTS biomass CASCADE');
    files = await copiedMigrations();
  });
  afterEach(async () => {
    await store.close();
    await rm(files.dir, { recursive: true, force: true });
  });

  it('refuses an applied migration whose FILE was edited since (the checksum is over the content)', async () => {
    expect(await migrate(store, 'state', files.url)).toHaveLength(5);
    await appendFile(path.join(files.dir, '0002_tile_index.sql'), '\n-- an edit after the migration was applied\n');
    const error = await migrate(store, 'state', files.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BiomassError);
    expect(error).toMatchObject({ code: 'DB_MIGRATION_CHANGED', exitCode: 2, hint: expect.stringMatching(/never edit an applied migration/) });
    expect((error as Error).message).toMatch(/^state migration 2 \(tile_index\) applied to .+ differs from src\/db\/migrations\/state\/0002_tile_index\.sql$/);
    await expect(migrationStatus(store, 'state', files.url)).rejects.toMatchObject({ code: 'DB_MIGRATION_CHANGED' });
    // The unedited shipped files still match what was applied.
    expect(await migrationStatus(store, 'state')).toMatchObject({ current: 5 });
  });

  it('applies only a migration file added after the others', async () => {
    await migrate(store, 'state', files.url);
    await writeFile(path.join(files.dir, '0099_extra_table.sql'), 'CREATE TABLE biomass.extra_table (id integer);');
    const status = await migrationStatus(store, 'state', files.url);
    expect(status).toMatchObject({ current: 5, latest: 99 });
    expect(status.pending.map((m) => m.version)).toEqual([99]);
    expect((await migrate(store, 'state', files.url)).map((m) => m.name)).toEqual(['extra_table']);
    expect(await migrationStatus(store, 'state', files.url)).toMatchObject({ current: 99, latest: 99, pending: [] });
    // To this biomass, which knows fewer, the database is now newer.
    await expect(migrate(store, 'state')).rejects.toMatchObject({ code: 'DB_SCHEMA_NEWER' });
  });

  it('sees an empty folder as version 0 of 0 on an empty database', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'biomass-migrations-'));
    try {
      expect(await migrationStatus(store, 'state', pathToFileURL(`${empty}/`))).toEqual({ set: 'state', current: 0, latest: 0, pending: [] });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
