/**
 * TEST DOUBLES of the preprocess, county and cleanup runners, through the executor's explicit
 * injection point (CliIo.nodeRunners): they inject the faults the executor's tests need on
 * demand (fail N times, fail always, hold a batch so a signal or a kill lands mid-county),
 * which the real runners cannot produce at a chosen moment. The real runners are exercised
 * end to end in test/demo-end-to-end.test.ts. What they touch is real: the parcel ids come from the generated GeoPackage through
 * GDAL, outputs and checkpoints go through the real repositories (commitCountyBatch), files
 * are written under storage.dir. The index and verify runners are the real ones.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import gdal from 'gdal-async';
import type { CleanupNode, CountyNode, DagNode, NodeKindName, PreprocessNode } from '../../src/dag/dag.js';
import type { RunContext } from '../../src/dag/kinds/node-kind.js';
import { commitCountyBatch } from '../../src/db/county-batch.js';
import { getCountyCheckpoint } from '../../src/db/county-checkpoints-repository.js';
import { listNodeStatus } from '../../src/db/node-status-repository.js';
import type { NodeRunner } from '../../src/exec/node-attempts.js';

export interface Faults {
  /** County FIPS -> how many of its attempts fail before one succeeds (Infinity: always). */
  failCounty?: Record<string, number>;
  /** Called after each committed batch (county, batch index): tests stop or kill the run here. */
  afterBatch?: (county: string, batch: number) => void | Promise<void>;
  /** Wait before each batch, so a batch is in flight when a test stops the run. */
  batchDelayMs?: number;
  /** A worker file: each batch sums its parcel numbers on the run's shared worker pool. */
  workerFile?: string;
}

/** Every batch the county double committed, in order: what tests count redone batches with. */
export interface BatchLog {
  committed: Array<{ county: string; batch: number; runId: string; attempt: number }>;
  attempts: Record<string, number>;
  /** For each tile cleanup: the reader counties that had failed, whose tiles were kept. */
  kept: Record<string, string[]>;
  /** The worker pools counties were given, and the sums the workers returned. */
  pools: Set<unknown>;
  sums: number[];
}

export function newBatchLog(): BatchLog {
  return { committed: [], attempts: {}, kept: {}, pools: new Set(), sums: [] };
}

/** Parcel ids of a county, sorted, read from the plan's parcel source through GDAL. */
export async function parcelIds(uri: string, layer: string, countyField: string, idField: string, county: string): Promise<string[]> {
  const dataset = await gdal.openAsync(uri);
  try {
    const result = await dataset.executeSQLAsync(`SELECT "${idField}" AS id FROM "${layer}" WHERE "${countyField}" = '${county}'`);
    const ids: string[] = [];
    for (const feature of result.features) ids.push(String(feature.fields.get('id')));
    return ids.sort();
  } finally {
    dataset.close();
  }
}

function tileFile(context: RunContext, tileId: string): string {
  return path.join(context.plan.storage.dir, 'tiles', `${tileId}.tif`);
}

export function testRunners(log: BatchLog, faults: Faults = {}): Partial<Record<NodeKindName, NodeRunner>> {
  // TEST DOUBLE of #9's preprocess runner: one small file per tile, written aside then renamed.
  const preprocess = async (node: DagNode, context: RunContext) => {
    const tile = node as PreprocessNode;
    const file = tileFile(context, tile.tileId);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.tmp`, Buffer.alloc(1024 * tile.items));
    await rename(`${file}.tmp`, file);
    context.metrics?.addWritten(1024 * tile.items);
    context.onProgress?.(tile.items, tile.items);
  };

  // TEST DOUBLE of #10's county runner: the county's parcels in batches, resumed after the
  // county checkpoint, each batch committed with its checkpoint in one transaction.
  const county = async (node: DagNode, context: RunContext) => {
    const c = node as CountyNode;
    log.attempts[c.fips] = (log.attempts[c.fips] ?? 0) + 1;
    if (log.attempts[c.fips]! <= (faults.failCounty?.[c.fips] ?? 0)) throw new Error(`injected failure of county ${c.fips} (attempt ${log.attempts[c.fips]})`);
    const { plan, stores } = context;
    const ids = await parcelIds(plan.parcels.uri, plan.parcels.layer, plan.parcels.countyField, plan.parcels.idField, c.fips);
    const size = plan.processing.batchSize;
    const batches = Math.ceil(ids.length / size);
    const from = ((await getCountyCheckpoint(stores.db, plan.name, c.fips))?.lastBatch ?? -1) + 1;
    context.onProgress?.(Math.min(ids.length, from * size), ids.length);
    for (let batch = from; batch < batches; batch++) {
      // Stop at a batch boundary when the run is stopping: nothing half-done stays behind.
      context.signal.throwIfAborted();
      if (faults.batchDelayMs) await new Promise((r) => setTimeout(r, faults.batchDelayMs));
      const slice = ids.slice(batch * size, (batch + 1) * size);
      if (faults.workerFile) {
        const pool = await context.workerPool!();
        log.pools.add(pool);
        log.sums.push(await pool.run({ values: slice.map((_, k) => k + 1) }, { filename: faults.workerFile, signal: context.signal }) as number);
      }
      await commitCountyBatch(stores.db, {
        planName: plan.name, runId: context.runId!, attempt: context.attempt!, countyFips: c.fips, batchIndex: batch,
        parcelsDone: Math.min(ids.length, (batch + 1) * size),
        outputs: slice.map((id, k) => ({
          parcelId: id, configHash: 'test-double', countyFips: c.fips, modelVersion: 'test-double', status: 'ok' as const,
          areaM2: 1000 + k, pixelCount: 10, clearPixelCount: 9, clearAcquisitions: 2, ndvi: 0.5, biomassDensity: 1.5, biomassTotal: 0.15,
        })),
      });
      log.committed.push({ county: c.fips, batch, runId: context.runId!, attempt: context.attempt! });
      context.metrics?.addParcels(slice.length);
      context.metrics?.addRead('streamed', 4096 * slice.length, slice.length);
      context.metrics?.addCache(slice.length - 1, 1);
      context.onProgress?.(Math.min(ids.length, (batch + 1) * size), ids.length);
      await faults.afterBatch?.(c.fips, batch);
    }
  };

  // TEST DOUBLE of #9's cleanup runner: deletes a tile unless a county reading it failed
  // (node_status says so), and the state's folder only when it is empty of kept tiles.
  const cleanup = async (node: DagNode, context: RunContext) => {
    const n = node as CleanupNode;
    const statuses = new Map((await listNodeStatus(context.stores.db, context.plan.name)).map((r) => [r.nodeId, r.status]));
    if (n.scope === 'tile') {
      const failed = n.deps.filter((d) => statuses.get(d) !== 'succeeded');
      log.kept[n.tileId!] = failed;
      if (failed.length === 0) await rm(tileFile(context, n.tileId!), { force: true });
      return;
    }
    const dir = path.join(context.plan.storage.dir, 'tiles');
    const left = await readdir(dir).catch(() => []);
    if (left.length === 0) await rm(dir, { recursive: true, force: true });
  };

  return { preprocess, county, cleanup };
}
