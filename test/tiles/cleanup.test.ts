// Cleanup on a real PostgreSQL database and real files: it refuses `/`, the home folder,
// system folders and a storage.dir reached through a symbolic link; keeps a failed county's
// tiles unless forced; keeps a tile another state still needs until its last user is done;
// never follows a link out of storage.dir; and reports what it removed beside the records.
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrations.js';
import { ensureNodes } from '../../src/db/node-status-repository.js';
import { openStore } from '../../src/db/open-store.js';
import { listPreprocessedTiles, recordPreprocessedTile } from '../../src/db/preprocessed-tiles-repository.js';
import type { Store } from '../../src/db/store.js';
import { upsertCountyItems } from '../../src/db/tile-index-repository.js';
import type { Plan } from '../../src/plan/plan.js';
import { cleanupState, emergencyCleanup } from '../../src/tiles/state-cleanup.js';
import { checkStorageDir } from '../../src/tiles/storage-dir-guard.js';
import { TEST_POOL } from '../db/backends.js';
import { useFreshDatabase } from '../support/postgres.js';
import { writePlan } from './tile-fixtures.js';

const database = useFreshDatabase();
let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cleanup-test-'));
  store = await openStore(database.url, '', TEST_POOL);
  await migrate(store, 'state');
});

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('storage.dir guard', () => {
  it('refuses the root, the home folder, system folders and a path through a symbolic link, with exit 2', async () => {
    for (const bad of ['/', homedir(), '/etc', '/usr/lib/x', '/var', '/home']) {
      await expect(checkStorageDir(bad)).rejects.toMatchObject({ code: 'UNSAFE_STORAGE_DIR', exitCode: 2 });
    }
    await expect(checkStorageDir(join(dir, 'x'), { HOME: join(dir, 'x') })).rejects.toMatchObject({ code: 'UNSAFE_STORAGE_DIR' });
    const real = join(dir, 'real');
    await mkdir(real, { recursive: true });
    await symlink(real, join(dir, 'link'));
    await expect(checkStorageDir(join(dir, 'link', 'storage'))).rejects.toThrow(/symbolic link/);
    expect(await checkStorageDir(join(real, 'storage'))).toBe(join(real, 'storage'));
  });
});

/** A plan whose state 17 (county 17113) and state 18 (county 18001) share item B. */
async function scenario(name: string): Promise<{ plan: Plan; files: Record<string, string> }> {
  const { plan } = await writePlan(dir, {
    name, tiles: '{ uri: "estimated:" }', storageDir: join(dir, name, 'storage'), databaseUrl: database.url,
    states: ['17', '18'], counties: ['17113', '18001'],
  });
  const item = (id: string) => ({ itemId: id, mgrsTile: id.split('/')[0]!, acquiredOn: id.split('/')[1]!, bandUris: { B04: `file:///originals/${id}/B04.jp2` }, priority: 1 });
  await upsertCountyItems(store, { planName: name, stateFips: '17', countyFips: '17113' }, [item('16TCK/2024-06-01'), item('16TDK/2024-06-01')]);
  await upsertCountyItems(store, { planName: name, stateFips: '18', countyFips: '18001' }, [item('16TDK/2024-06-01')]);
  await ensureNodes(store, name, [
    { nodeId: 'county:17113', kind: 'county', stateFips: '17', countyFips: '17113' },
    { nodeId: 'county:18001', kind: 'county', stateFips: '18', countyFips: '18001' },
  ]);
  const files: Record<string, string> = {};
  for (const [id, bytes] of [['16TCK/2024-06-01', 1000], ['16TDK/2024-06-01', 3000]] as const) {
    const path = join(plan.storage.dir, '17', id, 'B04.tif');
    await mkdir(join(plan.storage.dir, '17', id), { recursive: true });
    await writeFile(path, Buffer.alloc(bytes, 1));
    await recordPreprocessedTile(store, name, { itemId: id, band: 'B04', path, bytes, sha256: 'x', status: 'ready', stateFips: '17' });
    files[id] = path;
  }
  return { plan, files };
}

async function setCounty(plan: Plan, fips: string, status: string): Promise<void> {
  await store.query('UPDATE biomass.node_status SET status = $3 WHERE plan_name = $1 AND node_id = $2', [plan.name, `county:${fips}`, status]);
}

const exists = (path: string) => stat(path).then(() => true, () => false);

describe('cleanup', () => {
  it("keeps a failed county's tiles unless --force, and a tile another state needs until its last user is done", async () => {
    const { plan, files } = await scenario('failed-county');
    await setCounty(plan, '17113', 'failed');
    const kept = await cleanupState({ plan, db: store, state: '17' });
    expect(kept.deleted).toEqual([]);
    expect(kept.kept.map((k) => k.reason)).toContain('county 17113 failed (--force deletes)');
    expect(await exists(files['16TCK/2024-06-01']!)).toBe(true);

    const forced = await cleanupState({ plan, db: store, state: '17', force: true });
    expect(forced.deleted.map((d) => d.itemId)).toEqual(['16TCK/2024-06-01']);
    expect(forced.kept).toEqual([{ itemId: '16TDK/2024-06-01', reason: 'state 18 still needs it' }]);
    expect(forced.bytesRecorded).toBe(1000);
    expect(forced.bytesRemoved).toBe(1000);
    expect(await exists(files['16TCK/2024-06-01']!)).toBe(false);
    expect(await exists(files['16TDK/2024-06-01']!)).toBe(true);

    // Once state 18's county is done, the shared tile goes too.
    await setCounty(plan, '18001', 'succeeded');
    await setCounty(plan, '17113', 'succeeded');
    const last = await cleanupState({ plan, db: store, state: '17' });
    expect(last.deleted.map((d) => d.itemId)).toEqual(['16TDK/2024-06-01']);
    expect(await exists(files['16TDK/2024-06-01']!)).toBe(false);
    expect((await listPreprocessedTiles(store, plan.name)).map((t) => t.status)).toEqual(['deleted', 'deleted']);
    // Nothing of the state's folder is left, and a second cleanup has nothing to do.
    expect(await exists(join(plan.storage.dir, '17'))).toBe(false);
    expect((await cleanupState({ plan, db: store, state: '17' })).deleted).toEqual([]);
  });

  it('does not follow a symbolic link out of storage.dir, nor delete a recorded path outside it', async () => {
    const { plan, files } = await scenario('links');
    await setCounty(plan, '17113', 'succeeded');
    await setCounty(plan, '18001', 'succeeded');
    const outside = join(dir, 'links-outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'B04.tif'), 'precious');
    // Replace the item's folder by a link to a folder outside storage.dir.
    const folder = join(plan.storage.dir, '17', '16TCK', '2024-06-01');
    await rm(folder, { recursive: true });
    await symlink(outside, folder);
    await recordPreprocessedTile(store, plan.name, { itemId: '16TDK/2024-06-01', band: 'B04', path: join(outside, 'B04.tif'), bytes: 8, sha256: 'x', status: 'ready', stateFips: '17' });
    const report = await cleanupState({ plan, db: store, state: '17' });
    expect(report.deleted).toEqual([]);
    expect(report.refused.join('\n')).toMatch(/symbolic link: not followed/);
    expect(report.refused.join('\n')).toMatch(/outside storage\.dir/);
    expect(await exists(join(outside, 'B04.tif'))).toBe(true);
    expect(files).toBeDefined();
  });

  it('--emergency frees completed states first, oldest first, until min_free is met', async () => {
    const { plan, files } = await scenario('emergency');
    // State 17's county is complete; 18's is not, so the tile 18 shares stays even now.
    await setCounty(plan, '17113', 'succeeded');
    plan.storage.minFreeBytes = Number.MAX_SAFE_INTEGER; // never enough: frees all it may
    const report = await emergencyCleanup({ plan, db: store });
    expect(report.freedStates).toEqual(['17']);
    expect(report.deleted.map((d) => d.itemId)).toEqual(['16TCK/2024-06-01']);
    expect(report.enough).toBe(false);
    expect(await exists(files['16TCK/2024-06-01']!)).toBe(false);
    expect(await exists(files['16TDK/2024-06-01']!)).toBe(true);
  });
});
