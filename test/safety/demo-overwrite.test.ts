/**
 * Finding 2: `biomass demo --plan P` writes scenes and parcels only where it made the files
 * itself (its marker files), and otherwise refuses, naming --force, before writing anything.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBiomass } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'biomass-demo-overwrite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The shipped demo plan over a 3-day season (4 items), with its data under `name/`. */
async function demoPlan(name: string): Promise<string> {
  const text = (await readFile('plans/demo.yaml', 'utf8'))
    .replace('season: { start: 2024-06-01, end: 2024-07-15 }', 'season: { start: 2024-06-01, end: 2024-06-03 }')
    .replaceAll('../.biomass/demo/', `${name}/`);
  expect(text).toContain(`uri: ${name}/parcels.gpkg`);
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, text);
  await mkdir(path.join(dir, name), { recursive: true });
  return file;
}

describe('biomass demo and files it did not make', () => {
  it('refuses to replace a parcel file it did not make, naming --force, and writes nothing', async () => {
    const plan = await demoPlan('foreign-parcels');
    const parcels = path.join(dir, 'foreign-parcels', 'parcels.gpkg');
    await writeFile(parcels, 'ORIGINAL');
    const result = await runBiomass(['demo', '--plan', plan], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${parcels} exists and was not made by biomass demo`);
    expect(result.stderr).toContain('--force');
    expect(readFileSync(parcels, 'utf8')).toBe('ORIGINAL');
    expect(readdirSync(path.join(dir, 'foreign-parcels'))).toEqual(['parcels.gpkg']);
  });

  it('refuses to write scenes into a folder holding files it did not make', async () => {
    const plan = await demoPlan('foreign-tiles');
    const tiles = path.join(dir, 'foreign-tiles', 'tiles');
    await mkdir(path.join(tiles, '16TBK'), { recursive: true });
    await writeFile(path.join(tiles, '16TBK', 'B04.tif'), 'ORIGINAL');
    const result = await runBiomass(['demo', '--plan', plan], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${tiles} holds files that biomass demo did not make`);
    expect(result.stderr).toContain('--force');
    expect(readFileSync(path.join(tiles, '16TBK', 'B04.tif'), 'utf8')).toBe('ORIGINAL');
    expect(readdirSync(tiles)).toEqual(['16TBK']);
    expect(existsSync(path.join(dir, 'foreign-tiles', 'parcels.gpkg'))).toBe(false);
  });

  it('--force replaces them and marks them as the demo\'s, so the next run needs no --force', async () => {
    const plan = await demoPlan('forced');
    const parcels = path.join(dir, 'forced', 'parcels.gpkg');
    await writeFile(parcels, 'ORIGINAL');
    const forced = await runBiomass(['demo', '--plan', plan, '--force'], { cwd: dir });
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(readFileSync(parcels).subarray(0, 15).toString()).toBe('SQLite format 3');
    const again = await runBiomass(['demo', '--plan', plan], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/parcels: already in/);
  });
});
