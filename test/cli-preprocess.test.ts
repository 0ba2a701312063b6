// `biomass preprocess` and `biomass cleanup` end to end, in-process, on generated scenes that
// mix COGs with stripped GeoTIFF and JPEG2000 dates (as the demo's do), with the embedded
// database (PGlite): exactly the non-streamable items are converted, a second run converts
// nothing and says so, cleanup removes them and reports the space, and a storage.dir of `/`
// is refused with exit 2.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeography } from '../src/geo/geography.js';
import { generateScenes, sceneFormatOf } from '../src/tiles/scene-generator.js';
import { openTileStore } from '../src/tiles/open-tile-store.js';
import { runBiomass } from './support/cli.js';

let dir: string;
const season = { start: '2024-06-01', end: '2024-06-30' }; // 6 dates: 4 COG, 1 stripped GeoTIFF, 1 JPEG2000

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cli-preprocess-'));
  const store = openTileStore({ uri: `file://${path.join(dir, 'tiles')}`, season });
  await generateScenes({ geography: await loadGeography(), tiles: ['16TCK', '16TBK', '16TCL', '16TBL'], season, store, format: 'mixed', pixelSize: 915, layout: 'simple' });
  const plan = (await readFile('plans/demo.yaml', 'utf8'))
    .replace('season: { start: 2024-06-01, end: 2024-07-15 }', `season: { start: ${season.start}, end: ${season.end} }`)
    .replace('uri: file://../.biomass/demo/tiles', `uri: file://${path.join(dir, 'tiles')}`)
    .replace('uri: ../.biomass/demo/parcels.gpkg', `uri: ${path.join(dir, 'parcels.gpkg')}`)
    .replace('embedded_dir: ../.biomass/demo/db', `embedded_dir: ${path.join(dir, 'db')}`)
    .replace('dir: ../.biomass/demo/preprocessing', `dir: ${path.join(dir, 'preprocessing')}`);
  await writeFile(path.join(dir, 'demo.yaml'), plan);
  await writeFile(path.join(dir, 'root.yaml'), plan.replace(`dir: ${path.join(dir, 'preprocessing')}`, 'dir: /'));
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('biomass preprocess and cleanup', () => {
  it('converts exactly the non-streamable items, then nothing; cleanup removes them and reports the space', async () => {
    const nonStreamable = [0, 1, 2, 3, 4, 5].filter((k) => sceneFormatOf('mixed', k) !== 'cog').length * 4; // items: 4 tiles
    const first = await runBiomass(['preprocess', '--state-fips', '17', '--plan', 'demo.yaml', '--parallel-jobs', '2'], { cwd: dir });
    expect(first.stderr).toMatch(/not indexed yet: indexing first/);
    expect(first.stderr).toMatch(/preprocess IL: 24\/24 items .*\/s/);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`converted ${nonStreamable * 3} band files of ${nonStreamable} items, skipped ${(24 - nonStreamable) * 3} as streamable, 0 already done, 0 failed`);
    const converted = path.join(dir, 'preprocessing', '17');
    const files = (await readdir(converted, { recursive: true })).filter((f) => f.endsWith('.tif'));
    expect(files).toHaveLength(nonStreamable * 3);

    const second = await runBiomass(['preprocess', '--state-fips', '17', '--plan', 'demo.yaml'], { cwd: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`nothing to convert: ${nonStreamable * 3} band files already converted and hash-valid, ${(24 - nonStreamable) * 3} streamable in place`);

    const kept = await runBiomass(['cleanup', '--state-fips', '17', '--plan', 'demo.yaml'], { cwd: dir });
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain(`nothing deleted`);
    expect(kept.stderr).toContain('county 17113: incomplete (not started)');

    const cleaned = await runBiomass(['cleanup', '--state-fips', '17', '--plan', 'demo.yaml', '--verify-completion', '--force'], { cwd: dir });
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toMatch(new RegExp(`deleted ${nonStreamable * 3} files of ${nonStreamable} items .*recorded in the database, .* removed; free space .* reclaimed, measured`));
    expect(existsSync(converted)).toBe(false);
    // The originals are all still there.
    expect((await readdir(path.join(dir, 'tiles'), { recursive: true })).filter((f) => /\.(tif|jp2)$/.test(f))).toHaveLength(24 * 3);
  }, 240_000); // four commands with an embedded database: slow on a loaded machine, not a timing check

  it('refuses storage.dir: / with exit 2, before touching anything', async () => {
    const cleanup = await runBiomass(['cleanup', '--state-fips', '17', '--plan', 'root.yaml', '--force'], { cwd: dir });
    expect(cleanup.code).toBe(2);
    expect(cleanup.stderr).toMatch(/storage\.dir \/ is the root folder/);
    const preprocess = await runBiomass(['preprocess', '--state-fips', '17', '--plan', 'root.yaml'], { cwd: dir });
    expect(preprocess.code).toBe(2);
    expect(preprocess.stderr).toMatch(/storage\.dir \/ is the root folder/);
  });
});
