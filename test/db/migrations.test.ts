import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { loadMigrations, migrate, migrationStatus } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import type { Store } from '../../src/db/store.js';
import { useFreshDatabase } from '../support/postgres.js';
import { TEST_POOL } from './backends.js';

const db = useFreshDatabase();

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
    expect(known.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 7]);
    const before = await migrationStatus(store, 'state');
    expect(before).toMatchObject({ current: 0, latest: 7 });
    expect(before.pending.map((m) => m.name)).toEqual(['runs_and_status', 'tile_index', 'outputs_and_metrics', 'tile_item_product', 'index_fingerprint', 'parcel_output_columns']);
    expect((await migrate(store, 'state')).map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 7]);
    expect(await migrate(store, 'state')).toEqual([]);
    expect((await migrate(store, 'forestry')).map((m) => m.name)).toEqual(['forestry_models', 'model_states']);
    expect(await migrationStatus(store, 'state')).toMatchObject({ current: 7, latest: 7, pending: [] });
    const rows = await store.query<{ migration_set: string; version: number }>(
      'SELECT migration_set, version FROM biomass.schema_migrations ORDER BY migration_set, version',
    );
    expect(rows.rows.map((r) => `${r.migration_set}:${r.version}`)).toEqual(['forestry:1', 'forestry:2', 'state:1', 'state:2', 'state:3', 'state:4', 'state:5', 'state:7']);
  });

  it('refuses a database migrated by a newer biomass', async () => {
    await migrate(store, 'state');
    await store.query("INSERT INTO biomass.schema_migrations (migration_set, version, name, checksum) VALUES ('state', 99, 'future', 'x')");
    const error = await migrate(store, 'state').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BiomassError);
    expect(error).toMatchObject({ code: 'DB_SCHEMA_NEWER', exitCode: 2 });
    expect((error as Error).message).toMatch(/version 99, newer than this biomass knows \(7\)/);
    await expect(migrationStatus(store, 'state')).rejects.toMatchObject({ code: 'DB_SCHEMA_NEWER' });
  });

  it('refuses an applied migration whose file was edited since', async () => {
    await migrate(store, 'state');
    await store.query("UPDATE biomass.schema_migrations SET checksum = 'edited' WHERE migration_set = 'state' AND version = 2");
    await expect(migrate(store, 'state')).rejects.toMatchObject({ code: 'DB_MIGRATION_CHANGED', exitCode: 2 });
  });
});

describe('concurrent migrations on postgres', () => {
  it('two pools migrating at once apply each migration exactly once', async () => {
    const stores = await Promise.all([openStore(db.url, '', TEST_POOL), openStore(db.url, '', TEST_POOL)]);
    try {
      await stores[0]!.exec('DROP SCHEMA IF EXISTS biomass CASCADE');
      const applied = await Promise.all(stores.map((s) => migrate(s, 'state')));
      expect(applied.map((a) => a.length).sort()).toEqual([0, 6]);
      const rows = await stores[0]!.query<{ n: string }>("SELECT count(*) AS n FROM biomass.schema_migrations WHERE migration_set = 'state'");
      expect(Number(rows.rows[0]!.n)).toBe(6);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
