import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBiomass } from '../support/cli.js';
import { useFreshDatabase } from '../support/postgres.js';

const db = useFreshDatabase();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'biomass-process-county-'));
  await writeFile(path.join(dir, 'plan.yaml'), `version: 1
name: pc
season: { start: 2024-07-01, end: 2024-07-10 }
sources:
  tiles: { uri: "file://tiles", layout: simple, bands: [B04, B08, SCL] }
  parcels: { uri: parcels.gpkg, layer: parcels, county_field: county_fips, id_field: parcel_id }
database: { url: "${db.url}" }
rollout: { states: ["17"], counties: ["17113"] }
`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('biomass process-county', () => {
  it('refuses a malformed FIPS or batch size as usage errors', async () => {
    const fips = await runBiomass(['process-county', '--fips', '1711', '--plan', 'plan.yaml'], { cwd: dir });
    expect(fips.code).toBe(2);
    expect(fips.stderr).toContain('--fips 1711 is not a 5-digit county FIPS code');
    const size = await runBiomass(['process-county', '--fips', '17113', '--plan', 'plan.yaml', '--batch-size', '0'], { cwd: dir });
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('--batch-size 0');
  });

  it('refuses a county whose tiles are not indexed, naming the command that indexes them', async () => {
    const result = await runBiomass(['process-county', '--fips', '17113', '--plan', 'plan.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no tile items are indexed for county 17113 (McLean)');
    expect(result.stderr).toContain('biomass index --state-fips 17 --plan');
  });
});
