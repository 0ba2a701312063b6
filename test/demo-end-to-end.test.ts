/**
 * The demo plan end to end, as `npm run demo` runs it (`biomass demo`, then `biomass run`), on
 * the embedded defaults: generated scenes in a folder (some of them not streamable), a
 * GeoPackage of parcels, PGlite. Real GDAL, real preprocessing, the real county step.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../src/db/database-config.js';
import { openStore } from '../src/db/open-store.js';
import { runBiomass } from './support/cli.js';

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

async function hashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of await filesUnder(dir)) out.set(file, createHash('sha256').update(await readFile(file)).digest('hex'));
  return out;
}

describe('the demo plan end to end', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives every parcel exactly one output, leaves temporary storage empty and the originals untouched; a second run does nothing', async () => {
    // The shipped demo plan over three acquisition dates (12 items, the third not streamable), so the test stays short.
    dir = await mkdtemp(path.join(tmpdir(), 'biomass-e2e-'));
    await mkdir(path.join(dir, 'plans'));
    const demo = (await readFile('plans/demo.yaml', 'utf8')).replace('season: { start: 2024-06-01, end: 2024-07-15 }', 'season: { start: 2024-06-01, end: 2024-06-17 }');
    expect(demo).toContain('end: 2024-06-17');
    await writeFile(path.join(dir, 'plans', 'demo.yaml'), demo);

    const made = await runBiomass(['demo', '--plan', 'plans/demo.yaml'], { cwd: dir });
    expect(made.code, made.stderr).toBe(0);
    const demoDir = path.join(dir, '.biomass', 'demo');
    const originals = await hashes(path.join(demoDir, 'tiles'));
    expect(originals.size).toBeGreaterThan(0);

    const run = await runBiomass(['run', 'plans/demo.yaml'], { cwd: dir });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    // Not a terminal: the simple renderer, no escape codes, one summary.
    expect(run.stdout).not.toMatch(/\x1b\[/);
    expect(run.stdout.match(/^Done: /gm)).toHaveLength(1);

    const parcels = gdal.open(path.join(demoDir, 'parcels.gpkg'));
    const parcelCount = parcels.layers.get('parcels').features.count();
    parcels.close();
    const store = await openStore('', path.join(demoDir, 'db'), DEFAULT_POOL);
    try {
      const rows = await store.query<{ n: string; distinct_parcels: string; converted: string; not_streamable: string }>(
        `SELECT count(*) AS n, count(DISTINCT parcel_id) AS distinct_parcels,
                (SELECT count(*) FROM biomass.preprocessed_tiles WHERE plan_name = 'demo-mclean' AND kind <> 'download') AS converted,
                (SELECT count(*) FROM biomass.tile_probes WHERE plan_name = 'demo-mclean' AND NOT streamable) AS not_streamable
           FROM biomass.parcel_outputs WHERE plan_name = 'demo-mclean'`,
      );
      // Some originals are not streamable (stripped GeoTIFF or JPEG2000): the probe said so.
      expect(Number(rows.rows[0]!.not_streamable)).toBeGreaterThan(0);
      expect(Number(rows.rows[0]!.n)).toBe(parcelCount);
      expect(Number(rows.rows[0]!.distinct_parcels)).toBe(parcelCount);
      // Something was converted (the non-streamable originals), and cleanup deleted it all.
      expect(Number(rows.rows[0]!.converted)).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
    expect(await filesUnder(path.join(demoDir, 'preprocessing'))).toEqual([]);
    expect(await hashes(path.join(demoDir, 'tiles'))).toEqual(originals);

    const again = await runBiomass(['run', 'plans/demo.yaml'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to do/m);

    const status = await runBiomass(['status', 'plans/demo.yaml'], { cwd: dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/State 17 IL: complete/);
    expect(status.stdout).toMatch(new RegExp(`county 17113 McLean: succeeded, ${parcelCount.toLocaleString('en-US')} parcel outputs`));
  });
});
