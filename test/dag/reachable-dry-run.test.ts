import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readFreeSpace } from '../../src/dag/free-space.js';
import { reachableDryRun } from '../../src/dag/reachable-dry-run.js';
import { planOf } from './builders.js';

describe('free space under storage.dir', () => {
  it('is read from the folder itself, or from its nearest existing parent when it does not exist yet', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'biomass-free-'));
    try {
      const here = await readFreeSpace(dir);
      expect(here).toMatchObject({ path: dir, source: `read from ${dir}` });
      expect(here.bytes).toBeGreaterThan(0);
      const later = await readFreeSpace(path.join(dir, 'not', 'made'));
      expect(later).toMatchObject({ path: dir, source: `read from ${dir} (storage.dir does not exist yet)` });
      expect(later.bytes).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the dry run with what is reachable from here', () => {
  it('falls back to the plan\'s estimates, saying why each input was not read', async () => {
    const plan = planOf({ rollout: '{ states: ["17"], counties: ["17113"] }' });
    plan.parcels.uri = path.join(tmpdir(), 'biomass-no-such-parcels.gpkg');
    const { estimate } = await reachableDryRun(plan);
    expect(estimate.inputs.parcels.source).toMatch(/^estimated .*\(parcel source not read: .+\)$/);
    expect(estimate.inputs.tileItems).toMatchObject({ estimated: true, perTile: 10 });
    expect(Number.isFinite(estimate.totals.totalMs)).toBe(true);
    expect(estimate.states.map((s) => s.fips)).toEqual(['17']);
  });

  it('refuses --catalog for a plan that reads no catalog (estimated:), exit 2', async () => {
    const plan = planOf({ rollout: '{ states: ["17"], counties: ["17113"] }' });
    await expect(reachableDryRun(plan, { catalog: true })).rejects.toMatchObject({
      code: 'NO_CATALOG', exitCode: 2, message: `--catalog: ${plan.file} reads no catalog (sources.tiles.uri is estimated:)`,
      hint: 'name a folder (file://PATH) or a container (azure://CONTAINER) in sources.tiles.uri, or drop --catalog',
    });
  });

  it('with --catalog, counts the items the catalog lists for every tile the rollout needs, and writes nothing', async () => {
    // McLean County (17113) lies on 16TBK, 16TBL, 16TCK and 16TCL. The folder, in the simple
    // layout, holds 3 items of 16TBK, 2 of 16TBL, 1 of 16TCK plus one without its SCL band
    // (not an item), none of 16TCL, and one of 16TDK, which the rollout does not need.
    const dir = await mkdtemp(path.join(tmpdir(), 'biomass-catalog-'));
    try {
      const items: Array<[string, string, string[]]> = [
        ['16TBK', '2024-05-01', ['B04', 'B08', 'SCL']], ['16TBK', '2024-06-01', ['B04', 'B08', 'SCL']], ['16TBK', '2024-07-01', ['B04', 'B08', 'SCL']],
        ['16TBL', '2024-05-01', ['B04', 'B08', 'SCL']], ['16TBL', '2024-08-01', ['B04', 'B08', 'SCL']],
        ['16TCK', '2024-05-01', ['B04', 'B08', 'SCL']], ['16TCK', '2024-06-01', ['B04', 'B08']],
        ['16TDK', '2024-05-01', ['B04', 'B08', 'SCL']],
      ];
      for (const [tile, date, bands] of items) {
        await mkdir(path.join(dir, tile, date), { recursive: true });
        for (const band of bands) await writeFile(path.join(dir, tile, date, `${band}.tif`), '');
      }
      const plan = planOf({
        rollout: '{ states: ["17"], counties: ["17113"] }',
        tiles: `{ uri: "${pathToFileURL(dir).href}", layout: simple, bands: [B04, B08, SCL], preprocess: always }`,
      });
      const { estimate, inputs } = await reachableDryRun(plan, { catalog: true });
      expect(estimate.inputs.tileItems.estimated).toBe(false);
      expect(estimate.inputs.tileItems.source).toBe(`from a listing of the catalog ${pathToFileURL(dir).href} (4 tiles)`);
      expect(['16TBK', '16TBL', '16TCK', '16TCL', '16TDK'].map((t) => inputs.tiles?.itemsOf(t))).toEqual([3, 2, 1, 0, 10]);
      expect(estimate.totals.items).toBe(6);
      expect(estimate.states.map((s) => [s.fips, s.items])).toEqual([['17', 6]]);
      const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
      expect(files).toHaveLength(items.reduce((n, [, , bands]) => n + bands.length, 0));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

