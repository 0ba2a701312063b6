import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/db/open-store.js';
import { getStateIndex } from '../src/db/tile-index-repository.js';
import { DEFAULT_POOL } from '../src/db/database-config.js';
import { runBiomass } from './support/cli.js';

describe('biomass demo', () => {
  it('makes the demo data, validates, indexes into the embedded database and dry-runs; a second run reuses it all', async () => {
    // The shipped demo plan, over a short season so the test writes 4 items, not 36.
    const dir = await mkdtemp(path.join(tmpdir(), 'biomass-demo-'));
    await mkdir(path.join(dir, 'plans'));
    const demo = (await readFile('plans/demo.yaml', 'utf8')).replace('season: { start: 2024-06-01, end: 2024-07-15 }', 'season: { start: 2024-06-01, end: 2024-06-03 }');
    expect(demo).toContain('end: 2024-06-03');
    await writeFile(path.join(dir, 'plans', 'demo.yaml'), demo);

    const first = await runBiomass(['demo', '--plan', 'plans/demo.yaml'], { cwd: dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/scenes: 4 items in .*\.biomass\/demo\/tiles/);
    expect(first.stdout).toMatch(/parcels: [\d,]+ in .*parcels\.gpkg/);
    expect(first.stdout).toContain('plans/demo.yaml: valid');
    expect(first.stdout).toMatch(/17: 4 items of 4 MGRS tiles for 1 county, in pglite /);
    expect(first.stdout).toMatch(/Plan demo-mclean: 1 state, 1 county, 4 MGRS tiles, 4 distinct tile items, 4 downloaded \(listed/);

    const tiles = path.join(dir, '.biomass', 'demo', 'tiles');
    const tileDirs = (await readdir(tiles)).filter((d) => /^\d\d[A-Z]{3}$/.test(d)).sort();
    expect(tileDirs).toEqual(['16TBK', '16TBL', '16TCK', '16TCL']);
    expect(existsSync(path.join(dir, '.biomass', 'demo', 'parcels.gpkg'))).toBe(true);
    const store = await openStore('', path.join(dir, '.biomass', 'demo', 'db'), DEFAULT_POOL);
    try {
      expect(await getStateIndex(store, 'demo-mclean', '17')).toMatchObject({ itemCount: 4, countyCount: 1 });
    } finally {
      await store.close();
    }

    const second = await runBiomass(['demo', '--plan', 'plans/demo.yaml'], { cwd: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/scenes: already in/);
    expect(second.stdout).toMatch(/parcels: already in/);
    expect(second.stdout).toMatch(/17: 4 items of 4 MGRS tiles for 1 county \(1 already stored\)/);
  });
});
