import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
    });
  });
});
