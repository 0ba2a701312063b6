/**
 * The county step end to end: generated scenes in Azurite (blocks fetched by their exact
 * byte ranges; GDAL's /vsiaz/ reads give the same rows), generated parcels (with the messy geometries real layers hold), a real PostgreSQL. One
 * output row per parcel; a run aborted after a few batches and restarted gives the same
 * rows as an uninterrupted run; a rerun of a finished county writes nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processCounty, type CountySummary } from '../../src/biomass/county-step.js';
import { parseModelFile } from '../../src/biomass/model-file.js';
import { getCountyCheckpoint } from '../../src/db/county-checkpoints-repository.js';
import { upsertForestryModels } from '../../src/db/forestry-models-repository.js';
import { prepareSchema } from '../../src/db/migrations.js';
import { openStores, type Stores } from '../../src/db/open-store.js';
import { listCountyOutputs, type StoredParcelOutput } from '../../src/db/parcel-outputs-repository.js';
import { listMetrics } from '../../src/db/performance-metrics-repository.js';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { generateParcels } from '../../src/parcels/parcel-generator.js';
import { openParcelSource } from '../../src/parcels/parcel-source.js';
import { loadPlanOrThrow } from '../../src/plan/load-plan.js';
import type { Plan } from '../../src/plan/plan.js';
import { defaultBandLocator } from '../../src/tiles/block-reader.js';
import { generateScenes } from '../../src/tiles/scene-generator.js';
import { openTileStore } from '../../src/tiles/open-tile-store.js';
import { indexStateIntoStore } from '../../src/tiles/stored-state-index.js';
import { startAzurite, type Azurite } from '../support/azurite.js';
import { useFreshDatabase } from '../support/postgres.js';

const db = useFreshDatabase();
const MCLEAN = '17113';
const season = { start: '2024-07-01', end: '2024-07-10' }; // two dates at 5 days
let azurite: Azurite;
let dir: string;
let geography: Geography;
let stores: Stores;
let parcelCount: number;

function planYaml(name: string): string {
  return `version: 1
name: ${name}
season: { start: ${season.start}, end: ${season.end} }
sources:
  tiles: { uri: "azure://sentinel2-l2/mirror", connection: "\${AZ}", layout: planetary-computer, bands: [B04, B08, SCL] }
  parcels: { uri: parcels.gpkg, layer: parcels, county_field: county_fips, id_field: parcel_id }
database: { url: "${db.url}" }
processing: { batch_size: 40, parallel_batches: 3, workers: 2 }
rollout: { states: ["17"], counties: ["${MCLEAN}"] }
`;
}

async function planNamed(name: string): Promise<Plan> {
  await writeFile(path.join(dir, `${name}.yaml`), planYaml(name));
  return (await loadPlanOrThrow(`${name}.yaml`, { env: { AZ: azurite.connectionString }, machineChecks: 'skip', cwd: dir })).plan;
}

async function indexed(name: string): Promise<Plan> {
  const plan = await planNamed(name);
  await indexStateIntoStore({ plan, db: stores.state, geography, state: '17' });
  return plan;
}

/** What a row says about its parcel, without who wrote it when. */
function content(rows: StoredParcelOutput[]): unknown[] {
  return rows.map(({ runId: _r, attempt: _a, writtenAt: _w, batchIndex: _b, ...rest }) => rest);
}

beforeAll(async () => {
  azurite = await startAzurite();
  dir = await mkdtemp(path.join(tmpdir(), 'biomass-county-'));
  geography = await loadGeography();
  const store = openTileStore({ uri: 'azure://sentinel2-l2/mirror', connection: azurite.connectionString, season });
  // 122 m pixels: 900 x 900 per 10 m band, 2 x 2 blocks of 512; SCL 450 x 450, one block.
  await generateScenes({ geography, counties: [MCLEAN], season, store, pixelSize: 122 });
  const parcels = await generateParcels({ geography, counties: [MCLEAN], file: path.join(dir, 'parcels.gpkg'), lotSize: 1600, variety: true });
  parcelCount = parcels.counts[MCLEAN]!;
  const first = await planNamed('county-a');
  stores = await openStores(first.database);
  await prepareSchema(stores);
  const models = parseModelFile('demo-illustrative.yaml', await readFile(path.resolve('plans/models/demo-illustrative.yaml'), 'utf8'));
  await upsertForestryModels(stores.forestry, models);
}, 300_000);

afterAll(async () => {
  await stores?.close();
  await azurite?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('county step against Azurite and PostgreSQL', () => {
  /**
   * The uninterrupted run of plan 'county-a' that the other tests compare against: made once,
   * by whichever test asks first, so that each test holds in any order.
   */
  let baselineRun: Promise<{ summary: CountySummary; uninterrupted: StoredParcelOutput[] }> | undefined;
  const baseline = (): Promise<{ summary: CountySummary; uninterrupted: StoredParcelOutput[] }> => {
    baselineRun ??= (async () => {
      const plan = await indexed('county-a');
      const summary = await processCounty({ plan, countyFips: MCLEAN, stores: { db: stores.state, geography } });
      return { summary, uninterrupted: await listCountyOutputs(stores.state, 'county-a', MCLEAN) };
    })();
    return baselineRun;
  };

  it('writes one row per parcel, reading only streamed blocks, each once', async () => {
    const plan = await planNamed('county-a');
    const { summary, uninterrupted } = await baseline();
    const source = openParcelSource(plan.parcels);
    const inSource = source.countCounty(MCLEAN);
    source.close();
    expect(inSource).toBe(parcelCount);
    expect(uninterrupted).toHaveLength(parcelCount);
    expect(new Set(uninterrupted.map((r) => r.parcelId)).size).toBe(parcelCount);
    expect(summary.parcels).toBe(parcelCount);
    expect(summary.byStatus.ok).toBeGreaterThan(parcelCount / 2);
    expect(summary.byStatus.empty_geometry).toBeGreaterThan(0);
    expect(summary.byStatus.invalid_geometry).toBeGreaterThan(0);
    const ok = uninterrupted.filter((r) => r.status === 'ok');
    for (const row of ok.slice(0, 50)) {
      expect(row.modelId).toBe('demo-illustrative-linear');
      expect(row.biomassTotal).toBeCloseTo(row.biomassDensity! * row.areaM2 / 10_000, 6);
      expect(row.tileItems!.length).toBeGreaterThan(0);
      expect(row.stateFips).toBe('17');
      expect(row.clearAcquisitions).toBeGreaterThan(0);
    }
    // All reads were ranged reads of the originals in Azurite, and no block was read twice:
    // 4 tiles x 2 dates x (2 bands x 4 blocks + 1 SCL block) at most.
    expect(summary.reads.byPath.streamed.blocks).toBeGreaterThan(0);
    expect(summary.reads.byPath.local.blocks + summary.reads.byPath.downloaded.blocks).toBe(0);
    expect(summary.streamedOrLocalShare).toBe(1);
    expect(summary.reads.byPath.streamed.blocks).toBeLessThanOrEqual(4 * 2 * 9);
    expect(summary.cache.evictions).toBe(0);
    expect(summary.cache.misses).toBe(summary.reads.byPath.streamed.blocks);
    expect(summary.cache.hits).toBeGreaterThan(summary.reads.byPath.streamed.blocks);
    // Fetched by exact byte ranges, adjacent blocks together; one header read per band file.
    expect(summary.reads.gdalFallbacks).toEqual([]);
    expect(summary.reads.ranged.requests).toBeGreaterThan(0);
    expect(summary.reads.ranged.requests).toBeLessThanOrEqual(summary.reads.byPath.streamed.blocks);
    expect(summary.reads.ranged.headerRequests).toBe(summary.reads.opens);
    const metrics = await listMetrics(stores.state, summary.runId, `county:${MCLEAN}`);
    expect(metrics.find((m) => m.name === 'parcels_written')?.value).toBe(parcelCount);
    expect(metrics.find((m) => m.name === 'blocks_streamed')?.value).toBe(summary.reads.byPath.streamed.blocks);
  });

  it('gives the same rows when aborted after three commits and restarted', async () => {
    const { uninterrupted } = await baseline();
    const plan = await indexed('county-b');
    const controller = new AbortController();
    let commits = 0;
    const aborted = processCounty({
      plan, countyFips: MCLEAN, stores: { db: stores.state, geography }, signal: controller.signal,
      onProgress: () => {
        commits++;
        if (commits === 3) controller.abort(new Error('killed after three commits'));
      },
    });
    await expect(aborted).rejects.toThrow();
    // A commit holds one batch or more (consecutive ready ones go together).
    const checkpoint = await getCountyCheckpoint(stores.state, 'county-b', MCLEAN);
    expect(checkpoint?.lastBatch).toBeGreaterThanOrEqual(2);
    const partial = await listCountyOutputs(stores.state, 'county-b', MCLEAN);
    expect(partial.length).toBe(checkpoint!.parcelsDone);
    expect(partial.length).toBeLessThan(parcelCount);

    const resumed = await processCounty({ plan, countyFips: MCLEAN, stores: { db: stores.state, geography } });
    expect(resumed.resumedBatches).toBe(checkpoint!.lastBatch + 1);
    const rows = await listCountyOutputs(stores.state, 'county-b', MCLEAN);
    expect(rows).toHaveLength(parcelCount);
    expect(content(rows)).toEqual(content(uninterrupted));
  });

  it('fails the county on a commit the server refuses, stores nothing past it, and resumes after', async () => {
    const { uninterrupted } = await baseline();
    const plan = await indexed('county-refused');
    // A real refusal from the server: a trigger that rejects one parcel of a later batch.
    const victim = uninterrupted[Math.floor(uninterrupted.length * 0.6)]!.parcelId;
    await stores.state.query(`CREATE FUNCTION refuse_parcel() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.parcel_id = '${victim}' THEN RAISE EXCEPTION 'parcel % refused by test trigger', NEW.parcel_id USING ERRCODE = '23514'; END IF; RETURN NEW; END $$`);
    await stores.state.query('CREATE TRIGGER refuse_parcel BEFORE INSERT ON biomass.parcel_outputs FOR EACH ROW EXECUTE FUNCTION refuse_parcel()');
    try {
      await expect(processCounty({ plan, countyFips: MCLEAN, stores: { db: stores.state, geography } })).rejects.toThrow(`parcel ${victim} refused by test trigger`);
    } finally {
      await stores.state.query('DROP TRIGGER refuse_parcel ON biomass.parcel_outputs');
      await stores.state.query('DROP FUNCTION refuse_parcel()');
    }
    const checkpoint = await getCountyCheckpoint(stores.state, 'county-refused', MCLEAN);
    const partial = await listCountyOutputs(stores.state, 'county-refused', MCLEAN);
    // Batches after the refused one may have been computed, but none was committed.
    expect(partial.length).toBe(checkpoint?.parcelsDone ?? 0);
    expect(partial.some((r) => r.parcelId === victim)).toBe(false);
    expect(partial.length).toBeLessThan(parcelCount);
    const resumed = await processCounty({ plan, countyFips: MCLEAN, stores: { db: stores.state, geography } });
    expect(resumed.resumedBatches).toBe(checkpoint ? checkpoint.lastBatch + 1 : 0);
    expect(content(await listCountyOutputs(stores.state, 'county-refused', MCLEAN))).toEqual(content(uninterrupted));
  });

  it('gives the same rows when GDAL reads the blocks instead of the ranged reader', async () => {
    const { summary, uninterrupted } = await baseline();
    const plan = await indexed('county-gdal');
    // An injected locator takes the county step off ranged reads: every block through /vsiaz/.
    const viaGdal = await processCounty({ plan, countyFips: MCLEAN, stores: { db: stores.state, geography }, locator: defaultBandLocator });
    expect(viaGdal.reads.ranged.requests).toBe(0);
    expect(viaGdal.reads.byPath.streamed.blocks).toBe(summary.reads.byPath.streamed.blocks);
    expect(content(await listCountyOutputs(stores.state, 'county-gdal', MCLEAN))).toEqual(content(uninterrupted));
  });

  it('changes nothing when a finished county runs again', async () => {
    const { summary, uninterrupted } = await baseline();
    const plan = await planNamed('county-a');
    const again = await processCounty({ plan, countyFips: MCLEAN, stores: { db: stores.state, geography } });
    expect(again.resumedBatches).toBe(summary.batches);
    expect(Object.values(again.byStatus).reduce((a, b) => a + b, 0)).toBe(0);
    const rows = await listCountyOutputs(stores.state, 'county-a', MCLEAN);
    expect(rows.map((r) => [r.parcelId, r.runId, r.writtenAt.getTime()])).toEqual(uninterrupted.map((r) => [r.parcelId, r.runId, r.writtenAt.getTime()]));
  });
});
