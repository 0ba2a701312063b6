import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBeforeState } from '../../src/db/backup.js';
import { defaultDatabaseConfig, type DatabaseConfig } from '../../src/db/database-config.js';
import { migrate } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import { countOutputs, upsertParcelOutputs } from '../../src/db/parcel-outputs-repository.js';
import { useFreshDatabase } from '../support/postgres.js';
import { TEST_POOL } from './backends.js';
import { parcelOutputs } from './parcel-fixtures.js';

const run = promisify(execFile);
const source = useFreshDatabase();
const target = useFreshDatabase();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'biomass-backup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Each test names its own backup folder: a test that lists it must not see another's file. */
function config(url: string, beforeState = true, backups = 'backups'): DatabaseConfig {
  const base = defaultDatabaseConfig(dir, url);
  return { ...base, pool: TEST_POOL, embeddedDir: path.join(dir, 'embedded'), backup: { beforeState, dir: path.join(dir, backups) } };
}

describe('backup before a state', () => {
  it('does nothing unless the plan asks for it', async () => {
    const store = await openStore(source.url, '', TEST_POOL);
    try {
      expect(await backupBeforeState(config(source.url, false), store, { planName: 'p', stateFips: '17' })).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('dumps the project tables of PostgreSQL with pg_dump, and pg_restore brings them back', async () => {
    const store = await openStore(source.url, '', TEST_POOL);
    let file: string | undefined;
    try {
      await migrate(store, 'state');
      await upsertParcelOutputs(store, { planName: 'bk', runId: 'r1', attempt: 1 }, parcelOutputs(300));
      // A table outside the project's schema is not the project's to back up.
      await store.query('CREATE TABLE public.not_ours (id int)');
      file = await backupBeforeState(config(source.url, true, 'backups-pg'), store, { planName: 'illinois 2024', stateFips: '17' }, { now: new Date('2026-01-02T03:04:05Z') });
    } finally {
      await store.close();
    }
    expect(path.basename(file!)).toBe('illinois_2024-state-17-2026-01-02T03-04-05-000Z.dump');
    expect(await readdir(path.dirname(file!))).toEqual([path.basename(file!)]);

    await run('pg_restore', ['--no-owner', `--dbname=${target.url}`, file!]);
    const restored = await openStore(target.url, '', TEST_POOL);
    try {
      expect((await countOutputs(restored, 'bk')).total).toBe(300);
      const notOurs = await restored.query<{ present: boolean }>("SELECT to_regclass('public.not_ours') IS NOT NULL AS present");
      expect(notOurs.rows[0]?.present).toBe(false);
      // The restored database is at the same schema version: migrate has nothing to do.
      expect(await migrate(restored, 'state')).toEqual([]);
    } finally {
      await restored.close();
    }
  });

  it('archives the embedded database, and extracting the archive restores it', async () => {
    const cfg = config('', true, 'backups-embedded');
    const store = await openStore('', cfg.embeddedDir, TEST_POOL);
    let file: string | undefined;
    try {
      await migrate(store, 'state');
      await upsertParcelOutputs(store, { planName: 'bk', runId: 'r1', attempt: 1 }, parcelOutputs(120));
      file = await backupBeforeState(cfg, store, { planName: 'demo', stateFips: '17' });
    } finally {
      await store.close();
    }
    expect(file).toMatch(/demo-state-17-.*\.tar\.gz$/);
    const restoredDir = path.join(dir, 'restored');
    await mkdir(restoredDir);
    await run('tar', ['-xzf', file!, '-C', restoredDir]);
    const restored = await openStore('', restoredDir, TEST_POOL);
    try {
      expect((await countOutputs(restored, 'bk')).total).toBe(120);
    } finally {
      await restored.close();
    }
  });
});
