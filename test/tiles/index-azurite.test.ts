// Indexing against Azurite holding generated scenes: the counts equal what was written, a
// rerun after an interruption gives the same result, and failures name the source with
// secrets redacted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { openCatalog } from '../../src/tiles/catalog.js';
import { generateScenes, type GeneratedScene } from '../../src/tiles/scene-generator.js';
import { indexState, type CountyIndex } from '../../src/tiles/state-index.js';
import { openTileStore } from '../../src/tiles/open-tile-store.js';
import { startAzurite, type Azurite } from '../support/azurite.js';

let azurite: Azurite;
let geo: Geography;
let written: GeneratedScene[];
let counties: string[];
const season = { start: '2024-07-01', end: '2024-07-20' }; // 20 days: 4 dates at 5 days
const uri = 'azure://sentinel2-l2/mirror';

beforeAll(async () => {
  azurite = await startAzurite();
  geo = await loadGeography();
  const mclean = new Set(geo.tilesOfCounty('17113'));
  // Illinois counties whose tiles are all among McLean's: their items are all generated.
  counties = geo.countiesOf('17').map((c) => c.fips).filter((f) => geo.tilesOfCounty(f).every((t) => mclean.has(t)));
  const store = openTileStore({ uri, connection: azurite.connectionString, season });
  written = await generateScenes({ geography: geo, counties: ['17113'], season, store, pixelSize: 1830 });
});

afterAll(async () => {
  await azurite?.stop();
});

/** The BiomassError a promise rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<BiomassError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BiomassError);
    return error as BiomassError;
  }
  throw new Error('expected a failure');
}

const source = () => ({ uri, connection: azurite.connectionString, season, layout: 'planetary-computer' as const });

describe('index against Azurite', () => {
  it('finds exactly the generated items, deduplicated across counties', async () => {
    expect(counties.length).toBeGreaterThanOrEqual(2);
    expect(counties).toContain('17113');
    expect(written).toHaveLength(4 * 4);
    const index = await indexState({ geography: geo, catalog: openCatalog(source()), state: '17', counties });
    const key = (i: { tileId: string; date: string }) => `${i.tileId}/${i.date}`;
    expect(index.items.map(key).sort()).toEqual(written.map(key).sort());
    for (const item of index.items) {
      const scene = written.find((w) => key(w) === key(item))!;
      expect(item.bands).toEqual(scene.bands);
      expect(item.product).toBe(scene.product);
      expect(item.bands['B04']).toMatch(/^azure:\/\/sentinel2-l2\/mirror\/16\/T\/[BC][KL]\/2024\/07\//);
      expect(item.usage.counties).toEqual([...item.usage.counties].sort());
    }
    const mcleanIndex = index.counties.find((c) => c.countyFips === '17113')!;
    expect(mcleanIndex.items).toHaveLength(16);
    const uses = index.counties.reduce((n, c) => n + c.items.length, 0);
    expect(uses).toBeGreaterThan(index.items.length); // shared tiles counted once
  });

  it('gives the same result after an interruption when the rerun skips the counties already stored', async () => {
    const full = await indexState({ geography: geo, catalog: openCatalog(source()), state: '17', counties });
    const stored = new Map<string, CountyIndex>();
    const interrupted = indexState({
      geography: geo, catalog: openCatalog(source()), state: '17', counties,
      onCountyIndexed: async (fips, county) => {
        stored.set(fips, county);
        if (stored.size === 1) throw new Error('killed');
      },
    });
    await expect(interrupted).rejects.toThrow('killed');
    expect(stored.size).toBe(1);

    const listed: string[] = [];
    const rerun = await indexState({
      geography: geo, catalog: openCatalog(source()), state: '17', counties,
      skipCounties: new Set(stored.keys()), previous: [...stored.values()],
      onCountyIndexed: (fips) => void listed.push(fips),
    });
    expect(rerun.skipped).toEqual([...stored.keys()]);
    expect(listed).toEqual(counties.filter((c) => !stored.has(c)));
    expect(rerun.items).toEqual(full.items);
    expect(rerun.tiles).toEqual(full.tiles);
  });

  it('says the season is empty when the catalog has nothing in it, naming the source', async () => {
    const catalog = openCatalog({ ...source(), season: { start: '2023-07-01', end: '2023-07-20' } });
    const done: string[] = [];
    await expect(indexState({ geography: geo, catalog, state: '17', counties, onCountyIndexed: (f) => void done.push(f) }))
      .rejects.toThrow(/tile source azure:\/\/sentinel2-l2\/mirror has no items for county 17\d{3} .* between 2023-07-01 and 2023-07-20/);
    expect(done).toEqual([]); // nothing handed over as complete
  });

  it('reports bad credentials with the key redacted', async () => {
    const bad = azurite.connectionString.replace(/AccountKey=[^;]+/, 'AccountKey=d3JvbmcgYnV0IHZhbGlkIGJhc2U2NCBrZXkgZm9yIHRlc3Rpbmc=');
    const catalog = openCatalog({ ...source(), connection: bad });
    const error = await failure(indexState({ geography: geo, catalog, state: '17', counties: ['17113'] }));
    expect(error.code).toBe('CATALOG_AUTH');
    expect(error.message).toMatch(/tile source azure:\/\/sentinel2-l2\/mirror: access denied \(403/);
    expect(`${error.message} ${error.hint}`).not.toMatch(/d3Jvbmc|Eby8vdM02/);
  });

  it('reports an unreachable endpoint and a missing container, naming the source', async () => {
    const dead = azurite.connectionString.replace(`:${azurite.port}/`, ':9/');
    const unreachable = await failure(openCatalog({ ...source(), connection: dead }).listItems('16TCK'));
    expect(unreachable.code).toBe('CATALOG_UNREACHABLE');
    expect(unreachable.message).toMatch(/tile source azure:\/\/sentinel2-l2\/mirror: cannot reach the blob endpoint/);
    expect(unreachable.message).not.toMatch(/Eby8vdM02/);
    const missing = await failure(openCatalog({ ...source(), uri: 'azure://no-such-container' }).listItems('16TCK'));
    expect(missing.code).toBe('CATALOG_NOT_FOUND');
    expect(missing.message).toMatch(/container no-such-container not found/);
  });

  it('asks for credentials when there are none', () => {
    expect(() => openCatalog({ uri, season })).toThrow(/tile source azure:\/\/sentinel2-l2\/mirror needs credentials/);
  });
});
