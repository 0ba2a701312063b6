import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitCountyBatch } from '../../src/db/county-batch.js';
import { clearCountyCheckpoint, getCountyCheckpoint } from '../../src/db/county-checkpoints-repository.js';
import { findForestryModel, listForestryModels, modelsTable, upsertForestryModels, type ForestryModel } from '../../src/db/forestry-models-repository.js';
import { claimNode, ensureNodes, finishNode, heartbeat, listNodeStatus } from '../../src/db/node-status-repository.js';
import { countOutputs, listCountyOutputs, upsertParcelOutputs } from '../../src/db/parcel-outputs-repository.js';
import { listMetrics, poolMetrics, recordMetrics } from '../../src/db/performance-metrics-repository.js';
import { listPreprocessedTiles, markTilesDeleted, readyBytes, recordPreprocessedTile } from '../../src/db/preprocessed-tiles-repository.js';
import { finishRun, getRun, listEvents, listRuns, recordEvent, startRun } from '../../src/db/runs-repository.js';
import type { Store } from '../../src/db/store.js';
import { getStateIndex, listIndexedCounties, listStateItems, markStateIndexComplete, upsertCountyItems, type TileItemInput } from '../../src/db/tile-index-repository.js';
import { useFreshDatabase } from '../support/postgres.js';
import { backends } from './backends.js';
import { parcelOutputs } from './parcel-fixtures.js';

const db = useFreshDatabase();

function item(id: string, priority = 1): TileItemInput {
  return {
    itemId: id,
    mgrsTile: id.slice(0, 5),
    acquiredOn: '2024-06-01',
    bandUris: { B04: `azure://c/${id}/B04.tif`, B08: `azure://c/${id}/B08.tif` },
    priority,
  };
}

describe.each(backends(db))('repositories on $name', (backend) => {
  let store: Store;
  // Each backend gets its own plan name, so the two never see each other's rows.
  const plan = `plan-${backend.name}`;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store.close();
  });

  it('records runs and their events, and a retried event is stored once', async () => {
    const run = await startRun(store, { planName: plan, planHash: 'h1' });
    expect(run.status).toBe('running');
    const again = await startRun(store, { planName: plan, planHash: 'h1', runId: run.runId });
    expect(again.runId).toBe(run.runId);
    const eventId = await recordEvent(store, { runId: run.runId, level: 'error', message: 'tile failed', nodeId: 'preprocess:17', code: 'E1', details: { tries: 3 } });
    await recordEvent(store, { runId: run.runId, level: 'error', message: 'tile failed', eventId });
    await recordEvent(store, { runId: run.runId, level: 'info', message: 'started' });
    expect(await listEvents(store, run.runId, 'error')).toMatchObject([{ eventId, code: 'E1', details: { tries: 3 }, nodeId: 'preprocess:17' }]);
    expect(await listEvents(store, run.runId)).toHaveLength(2);
    await finishRun(store, run.runId, 'failed', 'boom');
    expect(await getRun(store, run.runId)).toMatchObject({ status: 'failed', error: 'boom' });
    expect((await listRuns(store, plan)).map((r) => r.runId)).toContain(run.runId);
  });

  it('claims nodes with leases and fences out an older attempt', async () => {
    await ensureNodes(store, plan, [
      { nodeId: 'state:17', kind: 'state', stateFips: '17' },
      { nodeId: 'county:17113', kind: 'county', stateFips: '17', countyFips: '17113' },
    ]);
    await ensureNodes(store, plan, [{ nodeId: 'state:17', kind: 'state', stateFips: '17' }]);
    const first = await claimNode(store, { planName: plan, nodeId: 'county:17113', owner: 'w1', runId: 'r1', leaseMs: 60_000 });
    expect(first).toBe(1);
    // The same owner claiming again (a retried claim) keeps its attempt; another owner is refused.
    expect(await claimNode(store, { planName: plan, nodeId: 'county:17113', owner: 'w1', runId: 'r1', leaseMs: 60_000 })).toBe(1);
    expect(await claimNode(store, { planName: plan, nodeId: 'county:17113', owner: 'w2', runId: 'r1', leaseMs: 60_000 })).toBeUndefined();
    expect(await heartbeat(store, { planName: plan, nodeId: 'county:17113', owner: 'w1', attempt: 1, leaseMs: 60_000 })).toBe(true);
    // w1's lease runs out: w2 takes over with attempt 2 and w1 can no longer write.
    await heartbeat(store, { planName: plan, nodeId: 'county:17113', owner: 'w1', attempt: 1, leaseMs: -1000 });
    expect(await claimNode(store, { planName: plan, nodeId: 'county:17113', owner: 'w2', runId: 'r2', leaseMs: 60_000 })).toBe(2);
    expect(await heartbeat(store, { planName: plan, nodeId: 'county:17113', owner: 'w1', attempt: 1, leaseMs: 60_000 })).toBe(false);
    expect(await finishNode(store, { planName: plan, nodeId: 'county:17113', attempt: 1, status: 'succeeded' })).toBe(false);
    expect(await finishNode(store, { planName: plan, nodeId: 'county:17113', attempt: 2, status: 'succeeded' })).toBe(true);
    expect(await finishNode(store, { planName: plan, nodeId: 'county:17113', attempt: 2, status: 'succeeded' })).toBe(true);
    expect(await claimNode(store, { planName: plan, nodeId: 'county:17113', owner: 'w3', runId: 'r3', leaseMs: 60_000 })).toBeUndefined();
    const counties = await listNodeStatus(store, plan, { kind: 'county', stateFips: '17' });
    expect(counties).toMatchObject([{ nodeId: 'county:17113', status: 'succeeded', attempt: 2, runId: 'r2', countyFips: '17113' }]);
    expect(counties[0]?.startedAt).toBeInstanceOf(Date);
    expect(counties[0]?.finishedAt).toBeInstanceOf(Date);
    expect((await listNodeStatus(store, plan)).map((n) => n.nodeId)).toEqual(['county:17113', 'state:17']);
  });

  it('gives a node to exactly one of many workers claiming it at once', async () => {
    // A plan name of its own: its node must not show in the other test's list of nodes.
    const racePlan = `${plan}-race`;
    await ensureNodes(store, racePlan, [{ nodeId: 'county:17031', kind: 'county', stateFips: '17', countyFips: '17031' }]);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, w) => claimNode(store, { planName: racePlan, nodeId: 'county:17031', owner: `w${w}`, runId: 'r1', leaseMs: 60_000 })),
    );
    expect(claims.filter((attempt) => attempt !== undefined)).toEqual([1]);
  });

  it('indexes a state county by county, merging counties into shared items', async () => {
    const key = { planName: plan, stateFips: '17' };
    await upsertCountyItems(store, { ...key, countyFips: '17113' }, [item('16TCK-1', 1), item('16TDK-1', 1), item('16TCK-1', 1)]);
    await upsertCountyItems(store, { ...key, countyFips: '17019' }, [item('16TDK-1', 5), item('16TDL-1', 2)]);
    // Indexing a county again (a resumed run) changes nothing.
    await upsertCountyItems(store, { ...key, countyFips: '17113' }, [item('16TCK-1', 1), item('16TDK-1', 1)]);
    const items = await listStateItems(store, plan, '17');
    expect(items.map((i) => [i.itemId, i.counties, i.usageCount, i.priority])).toEqual([
      ['16TDK-1', ['17019', '17113'], 2, 5],
      ['16TDL-1', ['17019'], 1, 2],
      ['16TCK-1', ['17113'], 1, 1],
    ]);
    expect(items[0]).toMatchObject({ mgrsTile: '16TDK', acquiredOn: '2024-06-01', bandUris: { B04: 'azure://c/16TDK-1/B04.tif' } });
    expect(await listIndexedCounties(store, plan, '17')).toEqual(['17019', '17113']);
    expect(await getStateIndex(store, plan, '17')).toBeUndefined();
    expect(await markStateIndexComplete(store, plan, '17')).toMatchObject({ itemCount: 3, countyCount: 2 });
    expect(await getStateIndex(store, plan, '17')).toMatchObject({ stateFips: '17', itemCount: 3 });
  });

  it('records preprocessed tiles and their cleanup', async () => {
    const big = 3 * 2 ** 32; // beyond 32 bits: bytes must survive as a number
    await recordPreprocessedTile(store, plan, { itemId: 'i1', band: 'B04', path: '/tmp/i1/B04.tif', bytes: big, sha256: 'ab', status: 'ready' });
    await recordPreprocessedTile(store, plan, { itemId: 'i1', band: 'B08', path: '/tmp/i1/B08.tif', bytes: 10, sha256: null, status: 'pending' });
    await recordPreprocessedTile(store, plan, { itemId: 'i1', band: 'B08', path: '/tmp/i1/B08.tif', bytes: 20, sha256: 'cd', status: 'ready' });
    expect(await readyBytes(store, plan)).toBe(big + 20);
    expect(await listPreprocessedTiles(store, plan, 'ready')).toEqual([
      { itemId: 'i1', band: 'B04', path: '/tmp/i1/B04.tif', bytes: big, sha256: 'ab', status: 'ready', kind: 'cog', stateFips: null, error: null },
      { itemId: 'i1', band: 'B08', path: '/tmp/i1/B08.tif', bytes: 20, sha256: 'cd', status: 'ready', kind: 'cog', stateFips: null, error: null },
    ]);
    expect(await markTilesDeleted(store, plan, ['i1'])).toBe(2);
    expect(await markTilesDeleted(store, plan, ['i1'])).toBe(0);
    expect(await readyBytes(store, plan)).toBe(0);
  });

  it('upserts parcel outputs in batches larger than one statement, once per parcel', async () => {
    const outputs = parcelOutputs(2500, '17001');
    const by = { planName: plan, runId: 'run-1', attempt: 1 };
    expect(await upsertParcelOutputs(store, by, outputs)).toBe(2500);
    expect(await upsertParcelOutputs(store, by, outputs)).toBe(2500);
    expect(await countOutputs(store, plan, '17001')).toEqual({ ok: 2250, no_clear_pixels: 250, outside_tiles: 0, invalid_geometry: 0, empty_geometry: 0, no_model: 0, total: 2500 });
    // An older attempt of the same run may not overwrite what a newer one wrote.
    const newer = { ...by, attempt: 3 };
    await upsertParcelOutputs(store, newer, outputs.slice(0, 10).map((o) => ({ ...o, status: 'no_model' as const })));
    expect(await upsertParcelOutputs(store, { ...by, attempt: 2 }, outputs.slice(0, 10))).toBe(0);
    const stored = await listCountyOutputs(store, plan, '17001');
    expect(stored).toHaveLength(2500);
    expect(stored[0]).toMatchObject({ parcelId: 'p0000000', status: 'no_model', runId: 'run-1', attempt: 3, ndvi: null });
    expect(stored[11]).toMatchObject({ parcelId: 'p0000011', status: 'ok', attempt: 1, ndvi: 0.5, biomassDensity: 120.5, pixelCount: 10 });
  });

  it('commits a county batch with its checkpoint, which never moves back', async () => {
    const base = { planName: plan, runId: 'run-2', attempt: 1, countyFips: '17003' };
    await commitCountyBatch(store, { ...base, batchIndex: 0, parcelsDone: 100, outputs: parcelOutputs(100, '17003', 0) });
    await commitCountyBatch(store, { ...base, batchIndex: 1, parcelsDone: 200, outputs: parcelOutputs(100, '17003', 100) });
    await commitCountyBatch(store, { ...base, batchIndex: 0, parcelsDone: 100, outputs: parcelOutputs(100, '17003', 0) });
    expect(await getCountyCheckpoint(store, plan, '17003')).toMatchObject({ lastBatch: 1, parcelsDone: 200, runId: 'run-2' });
    expect((await countOutputs(store, plan, '17003')).total).toBe(200);
    await clearCountyCheckpoint(store, plan, '17003');
    expect(await getCountyCheckpoint(store, plan, '17003')).toBeUndefined();
  });

  it('commits 50 concurrent county batches, each whole', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        commitCountyBatch(store, {
          planName: plan, runId: 'run-c', attempt: 1, countyFips: `18${String(i).padStart(3, '0')}`, batchIndex: 0,
          parcelsDone: 40, outputs: parcelOutputs(40, `18${String(i).padStart(3, '0')}`, i * 40),
        }),
      ),
    );
    const rows = await store.query<{ n: string | number }>(
      "SELECT count(*) AS n FROM biomass.parcel_outputs WHERE plan_name = $1 AND county_fips LIKE '18%'",
      [plan],
    );
    expect(Number(rows.rows[0]!.n)).toBe(2000);
    expect(await getCountyCheckpoint(store, plan, '18049')).toMatchObject({ lastBatch: 0, parcelsDone: 40 });
  });

  it('rolls a failed batch back whole', async () => {
    const outputs = parcelOutputs(50, '17005');
    const broken = [...outputs, { ...outputs[0]!, parcelId: 'bad', status: 'nonsense' as 'ok' }];
    await expect(
      commitCountyBatch(store, { planName: plan, runId: 'run-3', attempt: 1, countyFips: '17005', batchIndex: 0, parcelsDone: 51, outputs: broken }),
    ).rejects.toMatchObject({ code: '23514' });
    expect((await countOutputs(store, plan, '17005')).total).toBe(0);
    expect(await getCountyCheckpoint(store, plan, '17005')).toBeUndefined();
  });

  it('records performance metrics, pool figures included', async () => {
    await recordMetrics(store, 'run-4', [
      { scope: 'county:17113', name: 'bytes_read', value: 2.5e9, unit: 'bytes' },
      { scope: 'county:17113', name: 'parcels', value: 10, unit: 'count' },
    ]);
    await recordMetrics(store, 'run-4', [{ scope: 'county:17113', name: 'parcels', value: 12, unit: 'count' }]);
    await recordMetrics(store, 'run-4', poolMetrics('db.pool.state', store.figures()));
    expect(await listMetrics(store, 'run-4', 'county:17113')).toEqual([
      { scope: 'county:17113', name: 'bytes_read', value: 2.5e9, unit: 'bytes' },
      { scope: 'county:17113', name: 'parcels', value: 12, unit: 'count' },
    ]);
    const pool = await listMetrics(store, 'run-4', 'db.pool.state');
    expect(pool.map((m) => m.name).sort()).toEqual(['discarded', 'errors', 'idle', 'max', 'retries', 'total', 'waiting']);
  });

  it('loads forestry models and finds the one that applies', async () => {
    const model: ForestryModel = {
      modelId: `${plan}-deciduous-il`, modelVersion: '1', form: 'power', coefficients: { a: 250, b: 1.8 },
      coverType: `deciduous-${plan}`, region: 'IL', fitStats: { r2: 0.61, n: 48 }, citation: 'illustrative', illustrative: true,
    };
    const anywhere = { ...model, modelId: `${plan}-deciduous-any`, region: '*', coefficients: { a: 1, b: 2 } };
    await upsertForestryModels(store, [model, anywhere]);
    await upsertForestryModels(store, [{ ...model, fitStats: { r2: 0.62, n: 48 } }]);
    expect(await findForestryModel(store, `deciduous-${plan}`, 'IL')).toEqual({ ...model, fitStats: { r2: 0.62, n: 48 }, states: ['IL'] });
    expect((await findForestryModel(store, `deciduous-${plan}`, 'TX'))?.modelId).toBe(anywhere.modelId);
    expect(await findForestryModel(store, 'mangrove', 'IL')).toBeUndefined();
    expect((await listForestryModels(store)).filter((m) => m.coverType === `deciduous-${plan}`)).toHaveLength(2);
  });

  it('reads models from the table the plan names', async () => {
    await store.exec(`CREATE TABLE IF NOT EXISTS public.my_models (LIKE biomass.biomass_models INCLUDING ALL)`);
    const model: ForestryModel = {
      modelId: 'conifer-or', modelVersion: '2', form: 'linear', coefficients: { a: 10, b: 300 },
      coverType: 'conifer', region: 'OR', fitStats: {}, citation: 'c', illustrative: false,
    };
    await upsertForestryModels(store, [model], 'public.my_models');
    expect(await findForestryModel(store, 'conifer', 'OR', 'public.my_models')).toEqual({ ...model, states: ['OR'] });
    expect(await findForestryModel(store, 'conifer', 'OR')).toBeUndefined();
    expect(modelsTable()).toBe('"biomass"."biomass_models"');
    expect(() => modelsTable('models; DROP TABLE x')).toThrow(/is not a table name/);
  });
});
