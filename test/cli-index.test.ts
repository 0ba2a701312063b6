import { existsSync } from 'node:fs';
// `biomass index` called as a function through main(argv, io), in estimated mode and
// against Azurite holding generated scenes.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { loadGeography } from '../src/geo/geography.js';
import { generateScenes, type GeneratedScene } from '../src/tiles/scene-generator.js';
import { openTileStore } from '../src/tiles/open-tile-store.js';
import { startAzurite, type Azurite } from './support/azurite.js';

async function biomass(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

interface IndexJson {
  state: { fips: string };
  estimated: boolean;
  tiles: Array<{ tileId: string; epsg: number; counties: string[]; items: number; priority: number }>;
  uniqueItems: number;
  countyItemUses: number;
  counties: Array<{ fips: string; items: number }>;
  items: Array<{ tileId: string; date: string; bands: Record<string, string>; usage: { count: number; counties: string[] } }>;
}

describe('biomass index, estimated mode', () => {
  it('--state-fips 17 --json reports the MGRS tiles and the unique item count; McLean is a subset', async () => {
    const all = await biomass(['index', '--state-fips', '17', '--json']);
    expect(all.code).toBe(0);
    expect(all.stderr).toBe('');
    const state = JSON.parse(all.stdout) as IndexJson;
    expect(state.estimated).toBe(true);
    expect(state.counties).toHaveLength(102);
    expect(state.tiles).toHaveLength(34);
    expect(new Set(state.tiles.map((t) => t.epsg))).toEqual(new Set([32615, 32616]));
    expect(state.uniqueItems).toBe(34 * 36);

    const one = await biomass(['index', '--state-fips', 'IL', '--county', '17113', '--json']);
    const mclean = JSON.parse(one.stdout) as IndexJson;
    expect(mclean.uniqueItems).toBe(144);
    expect(mclean.tiles.map((t) => t.tileId).sort()).toEqual(['16TBK', '16TBL', '16TCK', '16TCL']);
    const keys = new Set(state.items.map((i) => `${i.tileId}/${i.date}`));
    for (const item of mclean.items) expect(keys.has(`${item.tileId}/${item.date}`)).toBe(true);
  });

  it('prints a table and progress on stderr by default', async () => {
    const run = await biomass(['index', '--state-fips', 'IL', '--county', '17113', '--county', '17039']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Illinois \(17\): 2 counties, \d+ MGRS tiles, \d+ unique tile items/);
    expect(run.stdout).toMatch(/^16TCK\s+32616\s+2\s+36\s+[\d.]+$/m);
    expect(run.stderr).toMatch(/index IL: 2\/2 counties \(100%\)/);
  });

  it('refuses unknown codes with the nearest valid ones, exit 2', async () => {
    const state = await biomass(['index', '--state-fips', 'IK']);
    expect(state.code).toBe(2);
    expect(state.stderr).toMatch(/unknown state "IK"/);
    expect(state.stderr).toMatch(/did you mean .*17 \(IL, Illinois\)/);
    const county = await biomass(['index', '--state-fips', '17', '--county', '17114']);
    expect(county.code).toBe(2);
    expect(county.stderr).toMatch(/unknown county FIPS code "17114"[\s\S]*17113 \(McLean\)/);
    const season = await biomass(['index', '--state-fips', '17', '--season-start', '2024-10-01']);
    expect(season.code).toBe(2);
    expect(season.stderr).toMatch(/season 2024-10-01..2024-09-30 is empty/);
  });

  it.each([
    [['--season-start', '2024-13-01'], /--season-start "2024-13-01" is not a date of the form YYYY-MM-DD\n   write a calendar date/],
    [['--revisit-days', 'five'], /--revisit-days five is not a whole number of days from 1 to 30/],
    [['--bands', ' , '], /--bands names no band\n   list bands separated by commas/],
    [['--layout', 'flat'], /--layout flat is not a layout\n   use planetary-computer or simple/],
  ])('refuses the bad flag %j by its name, exit 2', async (flags, message) => {
    const result = await biomass(['index', '--state-fips', '17', ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('biomass index against Azurite', () => {
  let azurite: Azurite;
  let written: GeneratedScene[];
  const season = { start: '2024-08-01', end: '2024-08-10' };

  beforeAll(async () => {
    azurite = await startAzurite();
    const store = openTileStore({ uri: 'azure://scenes', connection: azurite.connectionString, season });
    written = await generateScenes({ geography: await loadGeography(), counties: ['17113'], season, store, pixelSize: 1830, layout: 'simple' });
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  const args = ['index', '--state-fips', '17', '--county', '17113', '--source', 'azure://scenes', '--layout', 'simple',
    '--season-start', season.start, '--season-end', season.end, '--json'];

  it('lists exactly the generated items', async () => {
    const run = await biomass(args, { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString });
    expect(run.code).toBe(0);
    const index = JSON.parse(run.stdout) as IndexJson;
    expect(index.estimated).toBe(false);
    expect(index.uniqueItems).toBe(written.length);
    expect(index.items.map((i) => `${i.tileId}/${i.date}`).sort()).toEqual(written.map((w) => `${w.tileId}/${w.date}`).sort());
    expect(index.items[0]!.bands['SCL']).toMatch(/^azure:\/\/scenes\/16T[BC][KL]\/2024-08-0[16]\/SCL\.tif$/);
  });

  it('names the source and hides the key when the credentials are wrong', async () => {
    const bad = azurite.connectionString.replace(/AccountKey=[^;]+/, 'AccountKey=d3JvbmcgYnV0IHZhbGlkIGJhc2U2NCBrZXkgZm9yIHRlc3Rpbmc=');
    const run = await biomass(args, { AZURE_STORAGE_CONNECTION_STRING: bad });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/tile source azure:\/\/scenes: access denied/);
    expect(run.stderr).not.toMatch(/d3Jvbmc|Eby8vdM02/);
  });

  it('asks for the connection string when it is not set', async () => {
    const run = await biomass(args, {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs credentials[\s\S]*AZURE_STORAGE_CONNECTION_STRING/);
  });
});

describe('biomass index --plan', () => {
  it('refuses a plan whose forestry database URL comes from an unset variable, rather than using the state database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'index-forestry-'));
    try {
      const plan = (await readFile('plans/demo.yaml', 'utf8')).replace('  parcels:', '  forestry: { url: "${FORESTRY_DATABASE_URL}" }\n  parcels:');
      await mkdir(join(dir, 'plans'));
      await writeFile(join(dir, 'plans', 'p.yaml'), plan);
      const run = await biomass(['index', '--state-fips', '17', '--plan', join(dir, 'plans', 'p.yaml')]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/sources\.forestry\.url comes from \$\{FORESTRY_DATABASE_URL\}, which is not set/);
      expect(existsSync(join(dir, '.biomass'))).toBe(false); // the embedded database was not opened either
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes the source, layout, bands and season from the plan (a folder, relative to the plan file)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'index-plan-'));
    try {
      const season = { start: '2024-06-01', end: '2024-06-10' };
      const store = openTileStore({ uri: `file://${join(dir, 'tiles')}`, season });
      const written = await generateScenes({ geography: await loadGeography(), counties: ['17113'], season, store, pixelSize: 1830, layout: 'simple' });
      const demo = await readFile('plans/demo.yaml', 'utf8');
      await mkdir(join(dir, 'plans'));
      await writeFile(join(dir, 'plans', 'p.yaml'), demo
        .replace('uri: file://../.biomass/demo/tiles', 'uri: file://../tiles')
        .replace('season: { start: 2024-06-01, end: 2024-07-15 }', 'season: { start: 2024-06-01, end: 2024-06-10 }'));
      const run = await biomass(['index', '--state-fips', '17', '--county', '17113', '--plan', join(dir, 'plans', 'p.yaml'), '--json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const index = JSON.parse(run.stdout) as IndexJson;
      expect(index.uniqueItems).toBe(written.length);
      expect(written).toHaveLength(4 * 2);
      // Stored in the plan's embedded database (relative to the plan file), complete.
      const stored = (index as unknown as { stored: { where: string; resumed: string[]; complete: boolean } }).stored;
      expect(stored).toMatchObject({ resumed: [], complete: true });
      expect(stored.where).toBe(`pglite ${join(dir, '.biomass', 'demo', 'db')}`);

      // A second run finds the county stored, lists nothing again and reports the same items:
      // the tiles are gone, so the items can only come from the stored index.
      await rm(join(dir, 'tiles'), { recursive: true });
      const again = await biomass(['index', '--state-fips', '17', '--plan', join(dir, 'plans', 'p.yaml'), '--json']);
      expect(again.code).toBe(0);
      const second = JSON.parse(again.stdout) as IndexJson & { stored: { resumed: string[] } };
      expect(second.stored.resumed).toEqual(['17113']);
      expect(second.items).toEqual(index.items);
      expect(second.counties).toEqual(index.counties);
      expect(second.countyItemUses).toBe(index.countyItemUses);
      expect(second.items.length).toBe(written.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
