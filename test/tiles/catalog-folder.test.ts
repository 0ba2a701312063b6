// The catalog over a local folder in both layouts, and estimated mode.
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { openCatalog } from '../../src/tiles/catalog.js';
import { generateScenes } from '../../src/tiles/scene-generator.js';
import { indexState } from '../../src/tiles/state-index.js';
import { openTileStore } from '../../src/tiles/open-tile-store.js';

let geo: Geography;
let dir: string;
beforeAll(async () => {
  geo = await loadGeography();
  dir = await mkdtemp(join(tmpdir(), 'catalog-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('catalog over a folder', () => {
  for (const layout of ['planetary-computer', 'simple'] as const) {
    it(`lists exactly the generated items in the ${layout} layout, within the season`, async () => {
      const root = join(dir, layout);
      const season = { start: '2024-07-28', end: '2024-08-10' }; // 14 days: 2 dates at 5 days
      const store = openTileStore({ uri: `file://${root}`, season });
      const written = await generateScenes({ geography: geo, tiles: ['16TCK', '15TYE'], season, store, layout, pixelSize: 915 });
      expect(written).toHaveLength(4);
      if (layout === 'planetary-computer') {
        expect(fileURLToPath(written[0]!.bands['B04']!)).toMatch(
          /\/15\/T\/YE\/2024\/07\/28\/S2[AB]_MSIL2A_20240728T\d{6}_N0510_R\d{3}_T15TYE_\d{8}T\d{6}\.SAFE\/GRANULE\/L2A_T15TYE_A\d{6}_20240728T\d{6}\/IMG_DATA\/R10m\/T15TYE_20240728T\d{6}_B04_10m\.tif$/,
        );
        expect(written[0]!.bands['SCL']).toMatch(/\/IMG_DATA\/R20m\/T15TYE_20240728T\d{6}_SCL_20m\.tif$/);
      }
      const catalog = openCatalog({ uri: `file://${root}`, layout, season });
      const items = await catalog.listItems('16TCK');
      expect(items.map((i) => i.date)).toEqual(['2024-07-28', '2024-08-02']);
      expect(items).toEqual(written.filter((w) => w.tileId === '16TCK').map(({ cloudy: _c, ...item }) => item));
      // A narrower season leaves the second date out; another tile's files never leak in.
      const narrow = openCatalog({ uri: `file://${root}`, layout, season: { start: '2024-07-28', end: '2024-07-31' } });
      expect((await narrow.listItems('16TCK')).map((i) => i.date)).toEqual(['2024-07-28']);
      expect(await catalog.listItems('16TDK')).toEqual([]);
    });
  }

  it('skips an item missing a band and says so', async () => {
    const root = join(dir, 'missing');
    const season = { start: '2024-07-01', end: '2024-07-06' };
    const store = openTileStore({ uri: `file://${root}`, season });
    const [scene] = await generateScenes({ geography: geo, tiles: ['16TCK'], season, store, layout: 'simple', pixelSize: 915 });
    await unlink(fileURLToPath(scene!.bands['B08']!));
    const catalog = openCatalog({ uri: `file://${root}`, layout: 'simple', season });
    expect(await catalog.listItems('16TCK')).toEqual([]);
    expect(catalog.incomplete).toEqual(['16TCK/2024-07-01 16TCK_2024-07-01: missing B08']);
  });

  it('names the folder when it does not exist, and refuses an empty season', async () => {
    const season = { start: '2024-07-01', end: '2024-07-06' };
    const catalog = openCatalog({ uri: `file://${join(dir, 'nowhere')}`, season });
    await expect(catalog.listItems('16TCK')).rejects.toThrow(/folder .*nowhere does not exist/);
    expect(() => openCatalog({ uri: 'estimated:', season: { start: '2024-07-06', end: '2024-07-01' } })).toThrow(/season 2024-07-06..2024-07-01 is empty/);
    expect(() => openCatalog({ uri: 's3://bucket', season })).toThrow(/not azure:\/\/CONTAINER/);
  });
});

describe('estimated mode', () => {
  it('gives season length / revisit acquisitions per tile: 36 for April-September at 5 days, so McLean has 144', async () => {
    const catalog = openCatalog({ uri: 'estimated:', season: { start: '2024-04-01', end: '2024-09-30' } });
    const items = await catalog.listItems('16TCK');
    expect(items).toHaveLength(36); // 183 days / 5 = 36.6 -> 36
    expect(items[0]!.date).toBe('2024-04-01');
    expect(items[35]!.date).toBe('2024-09-23'); // 2024-04-01 + 35 x 5 days
    const mclean = await indexState({ geography: geo, catalog, state: 'IL', counties: ['17113'] });
    expect(mclean.items).toHaveLength(144);
    const illinois = await indexState({ geography: geo, catalog, state: '17' });
    expect(illinois.tiles).toHaveLength(34);
    expect(illinois.items).toHaveLength(34 * 36);
    const keys = new Set(illinois.items.map((i) => `${i.tileId}/${i.date}`));
    for (const item of mclean.items) expect(keys.has(`${item.tileId}/${item.date}`)).toBe(true);
    // Usage: the McLean items are used by McLean among others.
    const used = illinois.items.find((i) => i.tileId === '16TCK')!;
    expect(used.usage.counties).toContain('17113');
    expect(used.usage.count).toBe(used.usage.counties.length);
  });

  it('refuses a county outside the state', async () => {
    const catalog = openCatalog({ uri: 'estimated:', season: { start: '2024-04-01', end: '2024-09-30' } });
    await expect(indexState({ geography: geo, catalog, state: '17', counties: ['18001'] })).rejects.toThrow(/county 18001 \(Adams\) is not in Illinois/);
  });
});
