/**
 * The county step (`county:<fips>`, `biomass process-county`): the county's parcels in
 * spatial batches; per batch and tile item, the COG blocks its parcels touch, read once
 * through the block cache; coverage, cloud mask, NDVI and composite in the kernel workers;
 * biomass from the applicable model; one output row per parcel, committed with the county
 * checkpoint in the batch's transaction. Callable with only the plan, the county and the
 * stores: it opens its own worker pool and block cache unless it is given them.
 */
import { createHash } from 'node:crypto';
import { getMaxListeners, setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { BiomassError } from '../biomass-error.js';
import { commitCountyBatch } from '../db/county-batch.js';
import { BatchCommitter } from './batch-committer.js';
import { getCountyCheckpoint } from '../db/county-checkpoints-repository.js';
import { recordMetrics, type Metric } from '../db/performance-metrics-repository.js';
import { findModelForState, type ForestryModel } from '../db/forestry-models-repository.js';
import type { ParcelOutput, ParcelOutputStatus } from '../db/parcel-outputs-repository.js';
import type { Store } from '../db/store.js';
import { listStateItems, type TileItem } from '../db/tile-index-repository.js';
import type { Geography } from '../geo/geography.js';
import type { Plan } from '../plan/plan.js';
import { countyBatches, placeParcels, type CountyBatch } from '../parcels/county-parcels.js';
import { openParcelSource } from '../parcels/parcel-source.js';
import { BlockCache, type CacheFigures } from '../tiles/block-cache.js';
import { BlockReader, configureGdalForBlobs, type BandInfo, type BandLocator, type BlockPixels, type ReadFigures } from '../tiles/block-reader.js';
import type { RangeRead } from '../tiles/ranged-blocks.js';
import { blocksOf, boxesOnGrid, pixelBox, readSclOnGrid, readWindow, unionBox, type PixelBox } from '../tiles/batch-window.js';
import { biomassDensity, biomassTotal } from './biomass-model.js';
import type { KernelPool } from './kernel-pool.js';
import type { BatchDate } from './kernel-tasks.js';
import { boaOffset } from './reflectance.js';
import { packWkb, gridOf } from './wkb-pixel-polygon.js';

/** Parcels have no land-cover attribute yet: every parcel is in this model group. */
export const DEFAULT_COVER_GROUP = 'all';

export interface CountyProgress {
  done: number;
  total: number;
  /** Parcels per second in this run. */
  rate: number;
  /** Estimated time left, ms. */
  etaMs: number;
}

export interface CountySummary {
  countyFips: string;
  parcels: number;
  byStatus: Record<ParcelOutputStatus, number>;
  batches: number;
  /** Batches already committed by an earlier run and skipped. */
  resumedBatches: number;
  reads: ReadFigures;
  /** Share of block reads that were streamed or local (not whole-file downloads). */
  streamedOrLocalShare: number;
  bytesRead: number;
  cache: CacheFigures;
  elapsedMs: number;
  /**
   * Where the time went: reading, checking, reprojecting and batching the parcels (once),
   * then summed over batches (batches overlap, so these add up to more than elapsedMs):
   * reading and decoding blocks into windows, kernels in workers, commits.
   */
  timings: { parcelsMs: number; readMs: number; kernelMs: number; commitMs: number };
  runId: string;
}

export interface CountyStepOptions {
  plan: Plan;
  countyFips: string;
  stores: { db: Store; forestry?: Store; geography: Geography };
  signal?: AbortSignal;
  batchSize?: number;
  runId?: string;
  attempt?: number;
  /** Shared with other nodes when given (the executor's); else opened and closed here. */
  pool?: KernelPool;
  cache?: BlockCache<BlockPixels>;
  locator?: BandLocator;
  onProgress?: (progress: CountyProgress) => void;
  /** Told of every block read from storage. */
  onBlockRead?: ConstructorParameters<typeof BlockReader>[0]['onRead'];
}

const BANDS = { red: 'B04', nir: 'B08', scl: 'SCL' } as const;

export async function processCounty(options: CountyStepOptions): Promise<CountySummary> {
  const started = Date.now();
  const { plan, countyFips, stores, signal } = options;
  const geography = stores.geography;
  const county = geography.county(countyFips);
  const state = geography.state(county.stateFips);
  const batchSize = options.batchSize ?? plan.processing.batchSize;
  const runId = options.runId ?? `county-${countyFips}-${new Date(started).toISOString()}`;
  const attempt = options.attempt ?? 1;
  for (const band of Object.values(BANDS)) {
    if (!plan.tiles.bands.includes(band)) {
      throw new BiomassError('COUNTY_BANDS', `the county step needs band ${band}; sources.tiles.bands is [${plan.tiles.bands.join(', ')}]`, { hint: `add ${band} to sources.tiles.bands`, exitCode: 2 });
    }
  }

  const items = (await listStateItems(stores.db, plan.name, county.stateFips)).filter((i) => i.counties.includes(countyFips));
  if (items.length === 0) {
    throw new BiomassError('COUNTY_NOT_INDEXED', `no tile items are indexed for county ${countyFips} (${county.name}) in ${stores.db.description}`, {
      hint: `index its state first: biomass index --state-fips ${county.stateFips} --plan ${plan.file}`, exitCode: 2,
    });
  }
  const itemsByTile = new Map<string, TileItem[]>();
  for (const item of items) itemsByTile.set(item.mgrsTile, [...(itemsByTile.get(item.mgrsTile) ?? []), item]);
  for (const list of itemsByTile.values()) list.sort((a, b) => a.acquiredOn.localeCompare(b.acquiredOn) || a.itemId.localeCompare(b.itemId));

  const parcelsStart = performance.now();
  const source = openParcelSource(plan.parcels);
  let batches: CountyBatch[];
  try {
    const parcels = source.county(countyFips);
    const tiles = [...itemsByTile.keys()].map((tileId) => ({ tileId, footprint: geography.tileFootprint(tileId) }));
    const { placed, unplaced } = placeParcels(parcels, source.srs, tiles);
    batches = countyBatches(placed, unplaced, batchSize);
  } finally {
    source.close();
  }
  const parcelsMs = performance.now() - parcelsStart;
  const total = batches.reduce((n, b) => n + b.parcels.length + b.unplaced.length, 0);
  const model = await findModelForState(stores.forestry ?? stores.db, DEFAULT_COVER_GROUP, state, plan.forestry.table);
  const configHash = configHashOf(plan, model);

  // Resume after the last committed batch when the checkpoint matches these batches (same
  // source, batch size): otherwise start over; the upserts make that safe.
  const checkpoint = await getCountyCheckpoint(stores.db, plan.name, countyFips);
  let first = 0;
  if (checkpoint && checkpoint.lastBatch < batches.length) {
    const doneThen = batches.slice(0, checkpoint.lastBatch + 1).reduce((n, b) => n + b.parcels.length + b.unplaced.length, 0);
    if (doneThen === checkpoint.parcelsDone) first = checkpoint.lastBatch + 1;
  }
  const summary: CountySummary = {
    countyFips, parcels: total, byStatus: { ok: 0, no_clear_pixels: 0, outside_tiles: 0, invalid_geometry: 0, empty_geometry: 0, no_model: 0 },
    batches: batches.length, resumedBatches: first, reads: emptyReads(), streamedOrLocalShare: 1, bytesRead: 0,
    cache: { hits: 0, misses: 0, evictions: 0, bytes: 0, peakBytes: 0, entries: 0, maxBytes: plan.cache.maxBytes }, elapsedMs: 0,
    timings: { parcelsMs, readMs: 0, kernelMs: 0, commitMs: 0 }, runId,
  };

  if (plan.tiles.kind === 'azure') await configureGdalForBlobs(plan.tiles.connection);
  const ownPool = !options.pool;
  const pool = options.pool ?? (await (await import('./kernel-pool.js')).openKernelPool(plan.processing.workers));
  const cache = options.cache ?? new BlockCache<BlockPixels>({ maxBytes: plan.cache.maxBytes, eviction: plan.cache.eviction });
  const located = options.locator ? { locator: options.locator } : await planBandLocator(plan, stores.db, options.signal);
  // Every ranged request listens to the signal while it runs (http.concurrency at once, plus GDAL's reads).
  if (signal) setMaxListeners(Math.max(getMaxListeners(signal), 4 * plan.http.concurrency + 32), signal);
  const reader = new BlockReader({ ...located, cache, maxOpen: Math.max(3, plan.cache.maxTiles), onRead: options.onBlockRead, signal, maxRangeRequests: plan.http.concurrency });
  try {
    const grids = new Map<string, { fine: BandInfo; scl: BandInfo }>();
    for (const [tileId, list] of itemsByTile) {
      grids.set(tileId, { fine: await reader.info(list[0]!, BANDS.red), scl: await reader.info(list[0]!, BANDS.scl) });
    }
    const todo = batches.slice(first);
    // Announce every block access in batch order: plan-aware eviction keeps what comes back soonest.
    cache.plan(todo.flatMap((b) => plannedKeys(b, itemsByTile, grids)));

    let done = batches.slice(0, first).reduce((n, b) => n + b.parcels.length + b.unplaced.length, 0);
    const doneAtStart = done;
    // Commits go in batch order, consecutive ready batches together (batch-committer.ts), so
    // the checkpoint never passes a batch that is not stored.
    const lanes = Math.max(1, plan.processing.parallelBatches);
    const committer = new BatchCommitter<{ batch: CountyBatch; outputs: ParcelOutput[] }>(async (group) => {
      signal?.throwIfAborted();
      const rows = group.flatMap(({ batch, outputs }) => outputs.map((o) => ({ ...o, batchIndex: batch.index })));
      const commitStart = performance.now();
      await commitCountyBatch(stores.db, { planName: plan.name, runId, attempt, countyFips, batchIndex: group.at(-1)!.batch.index, parcelsDone: done + rows.length, outputs: rows }, { signal });
      summary.timings.commitMs += performance.now() - commitStart;
      done += rows.length;
      for (const o of rows) summary.byStatus[o.status]++;
      const elapsed = (Date.now() - started) / 1000;
      const rate = (done - doneAtStart) / Math.max(elapsed, 1e-3);
      options.onProgress?.({ done, total, rate, etaMs: rate > 0 ? ((total - done) / rate) * 1000 : Infinity });
    }, lanes);
    const position = new Map(todo.map((b, i) => [b.index, i]));
    // A lane hands its batch to the committer and goes on to the next one: reads and kernels
    // overlap the database. At most 2 x lanes computed batches wait for their commit (memory).
    const commits: Array<Promise<void>> = [];
    const uncommitted = new Set<Promise<void>>();
    const runBatch = async (batch: CountyBatch): Promise<void> => {
      let outputs: ParcelOutput[];
      try {
        outputs = await computeBatch(batch, { plan, countyFips, stateFips: county.stateFips, model, configHash, itemsByTile, grids, reader, pool, signal, timings: summary.timings });
      } catch (error) {
        committer.abandon(error);
        throw error;
      }
      const committed = committer.add(position.get(batch.index)!, { batch, outputs });
      commits.push(committed);
      const tracked = committed.then(() => void uncommitted.delete(tracked), (error: unknown) => {
        uncommitted.delete(tracked);
        throw error;
      });
      tracked.catch(() => undefined); // awaited below; a failure also stops the lanes through the race
      uncommitted.add(tracked);
      while (uncommitted.size > 2 * lanes) await Promise.race(uncommitted);
    };
    try {
      await inParallel(todo, lanes, runBatch, signal);
    } finally {
      // Nothing is closed under a commit still running; its failure is the county's.
      const settled = await Promise.allSettled(commits);
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } finally {
    await reader.close();
    if (ownPool) await pool.close();
  }
  const reads = reader.figures();
  const blocks = reads.byPath.local.blocks + reads.byPath.streamed.blocks + reads.byPath.downloaded.blocks;
  const result: CountySummary = {
    ...summary,
    reads,
    streamedOrLocalShare: blocks > 0 ? (reads.byPath.local.blocks + reads.byPath.streamed.blocks) / blocks : 1,
    bytesRead: reads.byPath.local.bytes + reads.byPath.streamed.bytes + reads.byPath.downloaded.bytes,
    cache: cache.figures(),
    elapsedMs: Date.now() - started,
  };
  await recordMetrics(stores.db, runId, countyMetrics(result));
  return result;
}

/** The summary as figures of the run (biomass.performance_metrics, scope county:<fips>). */
function countyMetrics(s: CountySummary): Metric[] {
  const scope = `county:${s.countyFips}`;
  const written = Object.values(s.byStatus).reduce((a, b) => a + b, 0);
  return [
    { scope, name: 'parcels_written', value: written, unit: 'count' },
    ...Object.entries(s.byStatus).map(([status, n]) => ({ scope, name: `parcels_${status}`, value: n, unit: 'count' })),
    ...Object.entries(s.reads.byPath).flatMap(([p, r]) => [
      { scope, name: `blocks_${p}`, value: r.blocks, unit: 'count' },
      { scope, name: `bytes_${p}`, value: r.bytes, unit: 'bytes' },
    ]),
    { scope, name: 'streamed_or_local_share', value: s.streamedOrLocalShare, unit: 'ratio' },
    { scope, name: 'cache_hits', value: s.cache.hits, unit: 'count' },
    { scope, name: 'cache_misses', value: s.cache.misses, unit: 'count' },
    { scope, name: 'cache_evictions', value: s.cache.evictions, unit: 'count' },
    { scope, name: 'cache_peak_bytes', value: s.cache.peakBytes, unit: 'bytes' },
    { scope, name: 'elapsed_ms', value: s.elapsedMs, unit: 'ms' },
    { scope, name: 'parcels_per_second', value: written / Math.max(s.elapsedMs / 1000, 1e-3), unit: 'parcels/s' },
  ];
}

interface BatchContext {
  plan: Plan;
  countyFips: string;
  stateFips: string;
  model: ForestryModel | undefined;
  configHash: string;
  itemsByTile: Map<string, TileItem[]>;
  grids: Map<string, { fine: BandInfo; scl: BandInfo }>;
  reader: BlockReader;
  pool: KernelPool;
  signal: AbortSignal | undefined;
  timings: CountySummary['timings'];
}

async function computeBatch(batch: CountyBatch, ctx: BatchContext): Promise<ParcelOutput[]> {
  const base = (id: string, status: ParcelOutputStatus, areaM2: number): ParcelOutput => ({
    parcelId: id, configHash: ctx.configHash, countyFips: ctx.countyFips, stateFips: ctx.stateFips, modelVersion: '', modelId: null,
    status, areaM2, pixelCount: 0, pixelWeight: 0, clearPixelCount: null, clearAcquisitions: 0, ndvi: null,
    biomassDensity: null, biomassTotal: null, coverageRule: ctx.plan.processing.coverage, tileItems: [],
  });
  const outputs = batch.unplaced.map((p) => base(p.id, p.status, p.areaM2));
  if (!batch.tileId || batch.parcels.length === 0) return outputs;
  const items = ctx.itemsByTile.get(batch.tileId)!;
  const { fine, scl } = ctx.grids.get(batch.tileId)!;
  const boxes = batch.parcels.map((p) => pixelBox(p.bbox, fine));
  const inside = batch.parcels.filter((_, i) => boxes[i]);
  for (const p of batch.parcels.filter((_, i) => !boxes[i])) outputs.push(base(p.id, 'outside_tiles', p.areaM2));
  const parcelBoxes = boxes.filter((b): b is PixelBox => b !== undefined);
  const window = unionBox(parcelBoxes);
  if (!window || inside.length === 0) return outputs;

  const readStart = performance.now();
  const dates: BatchDate[] = await Promise.all(items.map(async (item) => {
    ctx.signal?.throwIfAborted();
    const [red, nir, sclPixels, redInfo] = await Promise.all([
      readWindow(ctx.reader, item, BANDS.red, fine, window, parcelBoxes, (n) => new Uint16Array(n)),
      readWindow(ctx.reader, item, BANDS.nir, fine, window, parcelBoxes, (n) => new Uint16Array(n)),
      readSclOnGrid(ctx.reader, item, BANDS.scl, fine, scl, window, parcelBoxes),
      ctx.reader.info(item, BANDS.red),
    ]);
    return { red: red as Uint16Array, nir: nir as Uint16Array, scl: sclPixels, offset: boaOffset({ product: item.product, metadataOffset: redInfo.metadata.BOA_ADD_OFFSET }) };
  }));
  ctx.timings.readMs += performance.now() - readStart;
  const geometries = packWkb(inside.map((p) => p.wkb));
  const kernelStart = performance.now();
  const transfer = [geometries.bytes.buffer, geometries.ends.buffer, ...dates.flatMap((d) => [d.red.buffer, d.nir.buffer, d.scl.buffer])];
  const result = await ctx.pool.run({
    task: 'parcels', rule: ctx.plan.processing.coverage, composite: ctx.plan.processing.composite, sclMask: ctx.plan.processing.sclMask,
    width: window.col1 - window.col0, height: window.row1 - window.row0, grid: gridOf(fine.geoTransform, window.col0, window.row0),
    geometries, dates,
  }, transfer, ctx.signal);
  ctx.timings.kernelMs += performance.now() - kernelStart;
  const stride = 3 + items.length;
  inside.forEach((parcel, i) => {
    const weight = result[stride * i]!, clearDates = result[stride * i + 1]!, ndvi = result[stride * i + 2]!;
    const used = items.filter((_, d) => result[stride * i + 3 + d]! > 0).map((item) => item.itemId);
    const out = base(parcel.id, 'ok', parcel.areaM2);
    out.pixelWeight = weight;
    out.pixelCount = Math.round(weight);
    out.clearAcquisitions = clearDates;
    out.tileItems = used;
    if (clearDates === 0 || Number.isNaN(ndvi)) {
      out.status = 'no_clear_pixels';
    } else {
      out.ndvi = ndvi;
      const density = ctx.model ? biomassDensity(ctx.model, ndvi) : NaN;
      if (!ctx.model || Number.isNaN(density)) {
        out.status = 'no_model';
      } else {
        out.modelId = ctx.model.modelId;
        out.modelVersion = ctx.model.modelVersion;
        out.biomassDensity = density;
        out.biomassTotal = biomassTotal(density, parcel.areaM2);
      }
    }
    outputs.push(out);
  });
  return outputs;
}

/** The block keys a batch reads, in the order it reads them (for plan-aware eviction). */
function plannedKeys(batch: CountyBatch, itemsByTile: Map<string, TileItem[]>, grids: Map<string, { fine: BandInfo; scl: BandInfo }>): string[] {
  if (!batch.tileId) return [];
  const { fine, scl } = grids.get(batch.tileId)!;
  const boxes = batch.parcels.map((p) => pixelBox(p.bbox, fine)).filter((b): b is PixelBox => b !== undefined);
  const fineBlocks = blocksOf(boxes, fine.blockWidth, fine.blockHeight);
  const sclBlocks = blocksOf(boxesOnGrid(boxes, fine, scl), scl.blockWidth, scl.blockHeight);
  return itemsByTile.get(batch.tileId)!.flatMap((item) => [
    ...fineBlocks.map(([x, y]) => BlockReader.key(item.itemId, BANDS.red, x, y)),
    ...fineBlocks.map(([x, y]) => BlockReader.key(item.itemId, BANDS.nir, x, y)),
    ...sclBlocks.map(([x, y]) => BlockReader.key(item.itemId, BANDS.scl, x, y)),
  ]);
}

/** What makes two outputs of a parcel comparable: the settings and model that produced it. */
function configHashOf(plan: Plan, model: ForestryModel | undefined): string {
  const p = plan.processing;
  return createHash('sha256').update(JSON.stringify({
    coverage: p.coverage, composite: p.composite, sclMask: [...p.sclMask].sort((a, b) => a - b), season: plan.season,
    model: model ? `${model.modelId}@${model.modelVersion}` : null,
  })).digest('hex').slice(0, 16);
}

function emptyReads(): ReadFigures {
  return { byPath: { local: { blocks: 0, bytes: 0 }, streamed: { blocks: 0, bytes: 0 }, downloaded: { blocks: 0, bytes: 0 } }, opens: 0, reopened: 0, ranged: { requests: 0, bytes: 0, headerRequests: 0, headerBytes: 0 }, gdalFallbacks: [] };
}

/** Runs `work` on each item, at most `limit` at once, in order of start; the first failure stops new starts. */
async function inParallel<T>(list: readonly T[], limit: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failed: unknown;
  const lane = async () => {
    while (next < list.length && failed === undefined) {
      if (signal?.aborted) {
        failed = signal.reason;
        break;
      }
      const item = list[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, lane));
  if (failed !== undefined) throw failed;
}

/**
 * Where the plan reads each band: the preprocessed copy when there is one, else the original
 * streamed in place, else a whole download (src/tiles/band-location.ts).
 */
async function planBandLocator(plan: Plan, db: Store, signal?: AbortSignal): Promise<{ locator: BandLocator; credentials?: () => Promise<number>; ranges: RangeRead }> {
  const [{ locateBand }, { tileAccessOf }] = await Promise.all([import('../tiles/band-location.js'), import('../tiles/tile-access.js')]);
  const access = tileAccessOf(plan);
  return {
    locator: (item, band) => locateBand(item as TileItem, band, { plan, db, access, signal }),
    // Streamed blobs signed with a renewable SAS are reopened after each renewal.
    ...(plan.tiles.kind === 'azure' ? { credentials: () => access.gdalCredentials(signal) } : {}),
    // Streamed blocks by their exact byte ranges (src/tiles/ranged-blocks.ts), with the same credentials.
    ranges: (source, offset, length, rangeSignal) => access.readRange(source, offset, length, rangeSignal ?? signal),
  };
}
