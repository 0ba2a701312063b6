import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { BiomassError } from '../biomass-error.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { Queryable, Store } from './store.js';

/**
 * The families of migrations: `state` (runs, status, tile index, outputs, metrics) goes to
 * the state database, `forestry` (model coefficients) to the forestry database, which is
 * the same database unless the plan names another.
 */
export type MigrationSet = 'state' | 'forestry';

export interface Migration {
  set: MigrationSet;
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  set: MigrationSet;
  /** Highest version applied; 0 for an empty database. */
  current: number;
  /** Highest version this program knows. */
  latest: number;
  pending: Migration[];
}

/** Any constant works, as long as every biomass process uses the same one. */
const MIGRATION_LOCK_KEY = 7_202_611_003;

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Where the `.sql` files of a set ship: src/db/migrations/<set>/ under the package root. */
function migrationsDir(set: MigrationSet): URL {
  return new URL(`src/db/migrations/${set}/`, PACKAGE_ROOT);
}

/**
 * The `.sql` files of a set, in version order. `dir` (a folder URL ending in /) is for tests
 * that must edit a migration file without touching the shipped ones.
 */
export async function loadMigrations(set: MigrationSet, dir: URL = migrationsDir(set)): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const match = FILE_NAME.exec(file);
    if (!match) continue;
    const sql = await readFile(new URL(file, dir), 'utf8');
    migrations.push({
      set,
      version: Number(match[1]),
      name: match[2] ?? file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  return migrations;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

async function appliedMigrations(db: Queryable, set: MigrationSet): Promise<AppliedRow[]> {
  const exists = await db.query<{ present: boolean }>(
    "SELECT to_regclass('biomass.schema_migrations') IS NOT NULL AS present",
  );
  if (!exists.rows[0]?.present) return [];
  const result = await db.query<AppliedRow>(
    'SELECT version, name, checksum FROM biomass.schema_migrations WHERE migration_set = $1 ORDER BY version',
    [set],
  );
  return result.rows.map((row) => ({ ...row, version: Number(row.version) }));
}

/**
 * Compares what the database has with what this program knows. A database migrated by a
 * newer biomass, or whose applied migration differs from the file of the same version, is
 * refused: running against it could write rows in a shape the schema no longer means.
 */
function compare(set: MigrationSet, known: Migration[], applied: AppliedRow[], where: string): MigrationStatus {
  const latest = known.at(-1)?.version ?? 0;
  const current = applied.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new BiomassError(
      'DB_SCHEMA_NEWER',
      `the ${set} schema of ${where} is at version ${current}, newer than this biomass knows (${latest})`,
      { hint: 'upgrade biomass to the version that migrated this database, or point it at another database', exitCode: 2 },
    );
  }
  for (const row of applied) {
    const file = known.find((m) => m.version === row.version);
    if (file && file.checksum !== row.checksum) {
      throw new BiomassError(
        'DB_MIGRATION_CHANGED',
        `${set} migration ${row.version} (${row.name}) applied to ${where} differs from src/db/migrations/${set}/${String(row.version).padStart(4, '0')}_${file.name}.sql`,
        { hint: 'never edit an applied migration: restore the file and add a new migration for the change', exitCode: 2 },
      );
    }
  }
  const done = new Set(applied.map((row) => row.version));
  return { set, current, latest, pending: known.filter((m) => !done.has(m.version)) };
}

/** What is applied and what is pending, without changing anything. */
export async function migrationStatus(store: Store, set: MigrationSet, dir?: URL): Promise<MigrationStatus> {
  return compare(set, await loadMigrations(set, dir), await appliedMigrations(store, set), store.description);
}

/**
 * Applies the pending migrations of a set in one transaction, under an advisory lock, so
 * two processes migrating at once apply each migration exactly once (the second waits and
 * then finds nothing to do). Returns the migrations it applied.
 */
export async function migrate(store: Store, set: MigrationSet, dir?: URL): Promise<Migration[]> {
  const known = await loadMigrations(set, dir);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await migrateOnce(store, set, known);
    } catch (error) {
      if (attempt >= CATALOG_RACE_ATTEMPTS || !isCatalogRace(error)) throw error;
    }
  }
}

const CATALOG_RACE_ATTEMPTS = 3;

/**
 * A duplicate key in one of PostgreSQL's own catalogs (pg_namespace, pg_class, pg_type): an
 * object another process created while this transaction waited for the lock. PostgreSQL
 * caches catalog lookups per connection, "missing" too, and waiting for an advisory lock does
 * not refresh that cache, so CREATE ... IF NOT EXISTS can miss an object committed meanwhile.
 * A new transaction starts with the cache refreshed: the retry finds the object there.
 */
function isCatalogRace(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && typeof constraint === 'string' && constraint.startsWith('pg_');
}

async function migrateOnce(store: Store, set: MigrationSet, known: Migration[]): Promise<Migration[]> {
  return store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`
      CREATE SCHEMA IF NOT EXISTS biomass;
      CREATE TABLE IF NOT EXISTS biomass.schema_migrations (
        migration_set text NOT NULL,
        version       integer NOT NULL,
        name          text NOT NULL,
        checksum      text NOT NULL,
        applied_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (migration_set, version)
      );`);
    const status = compare(set, known, await appliedMigrations(tx, set), store.description);
    for (const migration of status.pending) {
      await tx.exec(migration.sql);
      await tx.query(
        'INSERT INTO biomass.schema_migrations (migration_set, version, name, checksum) VALUES ($1, $2, $3, $4)',
        [set, migration.version, migration.name, migration.checksum],
      );
    }
    return status.pending;
  });
}

/**
 * What a run does before any work: brings the state schema (and the forestry schema, in its
 * own database when that differs) up to date. Refuses a newer schema (exit 2).
 */
export async function prepareSchema(stores: { state: Store; forestry: Store }): Promise<void> {
  await migrate(stores.state, 'state');
  await migrate(stores.forestry, 'forestry');
}
