/**
 * The county step's figures, each beside its peer or limit, from one run (issue #10):
 *   1. bytes fetched / bytes of the distinct COG blocks the parcels touch (goal <= 1.10), and
 *      whole-item bytes / bytes fetched (goal >= 500; the users' plan: 100);
 *   2. county-step time / GDAL alone reading and decoding exactly those blocks (goal <= 1.3);
 *   3. speed-up over a per-parcel windowed-read baseline (goal >= 3x);
 *   4. `biomass zonal` parcels/s on one 25-megapixel raster, centre and fractional;
 *   5. output rows/s into PostgreSQL;
 *   6. peak RSS beside cache.max_bytes.
 * Data: a McLean-sized synthetic county (~60,000 parcels, real MGRS grid) and DEFLATE COGs
 * generated into Azurite, read through a byte-counting proxy: the county step fetches blocks by
 * their exact byte ranges (src/tiles/ranged-blocks.ts), the peers read through GDAL's /vsiaz/.
 * Default (reduced season): 10 m pixels, 2 dates. `--full`: the 36 dates of a 6-month season
 * (generation alone takes about an hour on 2 cores). `--pixel-size 61` for a quick look.
 *
 *   node --import tsx bench/county.bench.ts [--full] [--pixel-size 30.5] [--parcels-per-km2 15] [--data DIR]
 * `--data DIR` keeps the generated scenes (Azurite's folder) and parcels in DIR and reuses
 * them on the next run with the same settings (generation is most of a run's time).
 * (15 lots/km² plus the generator's split lots make McLean's ~60,000 parcels.)
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BlobServiceClient } from '@azure/storage-blob';
import gdal from 'gdal-async';
import pg from 'pg';
import { processCounty } from '../src/biomass/county-step.js';
import { centreCoverage } from '../src/biomass/centre-coverage.js';
import { openKernelPool } from '../src/biomass/kernel-pool.js';
import { parseModelFile } from '../src/biomass/model-file.js';
import { parcelDateNdvi, compositeNdvi } from '../src/biomass/parcel-ndvi.js';
import { sclMaskTable } from '../src/biomass/scl-mask.js';
import { gridOf, wkbToPixelPolygons } from '../src/biomass/wkb-pixel-polygon.js';
import { zonalOfLayer } from '../src/biomass/zonal-layer.js';
import { commitCountyBatch } from '../src/db/county-batch.js';
import { upsertForestryModels } from '../src/db/forestry-models-repository.js';
import { prepareSchema } from '../src/db/migrations.js';
import { openStores } from '../src/db/open-store.js';
import type { ParcelOutput } from '../src/db/parcel-outputs-repository.js';
import { listStateItems } from '../src/db/tile-index-repository.js';
import { loadGeography } from '../src/geo/geography.js';
import { placeParcels } from '../src/parcels/county-parcels.js';
import { generateParcels } from '../src/parcels/parcel-generator.js';
import { openParcelSource } from '../src/parcels/parcel-source.js';
import { loadPlanOrThrow } from '../src/plan/load-plan.js';
import { formatBytes } from '../src/plan/units.js';
import { configureGdalForBlobs, defaultBandLocator, sourceOfGdalPath } from '../src/tiles/block-reader.js';
import { pixelBox } from '../src/tiles/batch-window.js';
import { generateScenes } from '../src/tiles/scene-generator.js';
import { openTileStore } from '../src/tiles/open-tile-store.js';
import { indexStateIntoStore } from '../src/tiles/stored-state-index.js';
import { parseTiffBlockIndex, type TiffBlockIndex } from '../src/tiles/tiff-block-index.js';
import { RangedBlocks } from '../src/tiles/ranged-blocks.js';
import { TileAccess } from '../src/tiles/tile-access.js';
import { startAzurite } from '../test/support/azurite.js';
import { startByteCountingProxy } from './byte-counting-proxy.js';

const FULL = process.argv.includes('--full');
const densityArg = process.argv.indexOf('--parcels-per-km2');
const DENSITY = densityArg > 0 ? Number(process.argv[densityArg + 1]) : 15;
const pixelArg = process.argv.indexOf('--pixel-size');
const PIXEL = pixelArg > 0 ? Number(process.argv[pixelArg + 1]) : 10;
const SEASON = FULL ? { start: '2024-04-01', end: '2024-09-30' } : { start: '2024-07-01', end: '2024-07-10' };
const MCLEAN = '17113';
const CACHE = '2GB';
const BASELINE_SAMPLE = 1500;
const dataArg = process.argv.indexOf('--data');
const DATA = dataArg > 0 ? path.resolve(process.argv[dataArg + 1]!) : undefined;
const ADMIN_URL = process.env.BIOMASS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const say = (line: string) => process.stdout.write(line + '\n');
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const dir = await mkdtemp(path.join(tmpdir(), 'biomass-bench-county-'));
if (DATA) await mkdir(path.join(DATA, 'azurite'), { recursive: true });
const azurite = await startAzurite(DATA ? { location: path.join(DATA, 'azurite') } : {});
const proxy = await startByteCountingProxy(azurite.port);
const proxied = azurite.connectionString.replace(`127.0.0.1:${azurite.port}`, `127.0.0.1:${proxy.port}`);
const dbName = `biomass_bench_${randomBytes(4).toString('hex')}`;
const admin = async (sql: string) => {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
};
await admin(`CREATE DATABASE ${dbName}`);
const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();

try {
  const geography = await loadGeography();
  say(`county bench (${FULL ? 'full season' : 'reduced season: --full for 36 dates'}, --pixel-size to change the pixel): McLean ${MCLEAN}, ${PIXEL} m pixels, season ${SEASON.start}..${SEASON.end}, ${DENSITY} parcels/km²`);
  let t = performance.now();
  const uri = 'azure://sentinel2-l2/bench';
  // What the data was generated with: reused from --data DIR only when it matches.
  const settings = JSON.stringify({ pixel: PIXEL, season: SEASON, density: DENSITY, county: MCLEAN });
  const marker = DATA ? path.join(DATA, 'generated.json') : undefined;
  const kept = marker ? await readFile(marker, 'utf8').catch(() => '') : '';
  if (kept.startsWith(settings)) {
    await copyFile(path.join(DATA!, 'parcels.gpkg'), path.join(dir, 'parcels.gpkg'));
    say(`  data: reused from ${DATA} (${kept.slice(settings.length).trim()})`);
  } else {
    const scenes = await generateScenes({ geography, counties: [MCLEAN], season: SEASON, store: openTileStore({ uri, connection: azurite.connectionString, season: SEASON }), pixelSize: PIXEL });
    const parcels = await generateParcels({ geography, counties: [MCLEAN], file: path.join(dir, 'parcels.gpkg'), density: DENSITY, variety: true });
    const what = `${scenes.length} items, ${parcels.counts[MCLEAN]!.toLocaleString('en-US')} parcels, generated in ${((performance.now() - t) / 1000).toFixed(0)} s`;
    say(`  data: ${what}`);
    if (DATA) {
      await copyFile(path.join(dir, 'parcels.gpkg'), path.join(DATA, 'parcels.gpkg'));
      await writeFile(marker!, `${settings} ${what}\n`);
    }
  }

  await writeFile(path.join(dir, 'plan.yaml'), `version: 1
name: bench-county
season: { start: ${SEASON.start}, end: ${SEASON.end} }
sources:
  tiles: { uri: "${uri}", connection: "\${AZ}", layout: planetary-computer, bands: [B04, B08, SCL] }
  parcels: { uri: parcels.gpkg, layer: parcels, county_field: county_fips, id_field: parcel_id }
database: { url: "${dbUrl}" }
cache: { max_bytes: ${CACHE}, eviction: plan-aware }
processing: { batch_size: 100, parallel_batches: 4 }
rollout: { states: ["17"], counties: ["${MCLEAN}"] }
`);
  const { plan } = await loadPlanOrThrow('plan.yaml', { env: { AZ: proxied }, machineChecks: 'skip', cwd: dir });
  const stores = await openStores(plan.database);
  try {
    await prepareSchema(stores);
    await indexStateIntoStore({ plan, db: stores.state, geography, state: '17' });
    await upsertForestryModels(stores.forestry, parseModelFile('demo.yaml', await readFile('plans/models/demo-illustrative.yaml', 'utf8')));

    // The county step, counting bytes on the wire and noting every block it reads.
    const blocks = new Map<string, { gdalPath: string; band: string; bx: number; by: number }>();
    proxy.reset();
    t = performance.now();
    const summary = await processCounty({
      plan, countyFips: MCLEAN, stores: { db: stores.state, geography },
      onBlockRead: (r) => blocks.set(`${r.itemId}|${r.band}|${r.bx}|${r.by}`, { gdalPath: r.location.gdalPath, band: r.band, bx: r.bx, by: r.by }),
    });
    const countyMs = performance.now() - t;
    const fetched = proxy.counts();
    say(`  county step: ${summary.parcels.toLocaleString('en-US')} parcels in ${(countyMs / 1000).toFixed(1)} s, ${blocks.size} blocks read, ${formatBytes(fetched.bytes)} fetched in ${fetched.requests} requests`);

    // The I/O limit: compressed bytes of exactly those blocks, from the files' block indexes.
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    // /vsiaz/CONTAINER/NAME -> the blob.
    const blobOf = (gdalPath: string) => {
      const [, , container, ...name] = gdalPath.split('/');
      return service.getContainerClient(container!).getBlobClient(name.join('/'));
    };
    const indexes = new Map<string, ReturnType<typeof parseTiffBlockIndex>>();
    let limitBytes = 0;
    for (const b of blocks.values()) {
      let index = indexes.get(b.gdalPath);
      if (!index) {
        const blob = blobOf(b.gdalPath);
        const length = (await blob.getProperties()).contentLength ?? 0;
        let size = 65_536;
        for (;;) {
          const head = await blob.downloadToBuffer(0, Math.min(size, length));
          try { index = parseTiffBlockIndex(new Uint8Array(head)); break; } catch (e) { if (!(e instanceof RangeError) || size >= length) throw e; size *= 4; }
        }
        indexes.set(b.gdalPath, index);
      }
      limitBytes += index.byteCounts[b.by * Math.ceil(index.width / index.tileWidth) + b.bx]!;
    }
    const items = (await listStateItems(stores.state, plan.name, '17')).filter((i) => i.counties.includes(MCLEAN));
    let wholeBytes = 0;
    for (const item of items) {
      for (const band of ['B04', 'B08', 'SCL']) {
        wholeBytes += (await blobOf((await defaultBandLocator(item, band)).gdalPath).getProperties()).contentLength ?? 0;
      }
    }

    // The decode limit: GDAL alone reading and decoding exactly those blocks (fresh handles).
    await configureGdalForBlobs(proxied);
    gdal.config.set('GDAL_CACHEMAX', '64');
    t = performance.now();
    const open = new Map<string, Promise<{ ds: gdal.Dataset; band: gdal.RasterBand }>>();
    const list = [...blocks.values()];
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < list.length) {
        const b = list[next++]!;
        let handle = open.get(b.gdalPath);
        if (!handle) open.set(b.gdalPath, (handle = gdal.openAsync(b.gdalPath).then(async (ds) => ({ ds, band: await ds.bands.getAsync(1) }))));
        await (await handle).band.pixels.readBlockAsync(b.bx, b.by);
      }
    }));
    const gdalMs = performance.now() - t;
    for (const handle of open.values()) (await handle).ds.close();

    // Where figure 2 goes: the ranged reader alone on the same blocks, the same way (16 in flight, one block per call).
    const access = new TileAccess({ name: 'bench', container: 'sentinel2-l2', connection: proxied, http: plan.http });
    const ranged = new RangedBlocks((source, offset, length) => access.readRange(source, offset, length), { maxInFlight: 16 });
    t = performance.now();
    const rangedIndexes = new Map<string, Promise<TiffBlockIndex>>();
    let nextRanged = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (nextRanged < list.length) {
        const b = list[nextRanged++]!;
        const source = sourceOfGdalPath(b.gdalPath)!;
        let index = rangedIndexes.get(b.gdalPath);
        if (!index) rangedIndexes.set(b.gdalPath, (index = ranged.index(source)));
        await ranged.blocks(source, await index, [[b.bx, b.by]]);
      }
    }));
    const rangedMs = performance.now() - t;

    // The peer: per-parcel windowed reads, rasterstats style (random order, one window per
    // parcel, band and date, kernels on the main thread), on a sample, as parcels/s.
    const source = openParcelSource(plan.parcels);
    const tiles = [...new Set(items.map((i) => i.mgrsTile))].map((tileId) => ({ tileId, footprint: geography.tileFootprint(tileId) }));
    const { placed } = placeParcels(source.county(MCLEAN), source.srs, tiles);
    source.close();
    let seed = 1;
    const shuffled = placed.map((p) => ({ p, k: (seed = (seed * 16_807) % 2_147_483_647) })).sort((a, b) => a.k - b.k).map((x) => x.p).slice(0, BASELINE_SAMPLE);
    const handles = new Map<string, gdal.Dataset>();
    const dataset = async (gdalPath: string) => {
      let ds = handles.get(gdalPath);
      if (!ds) handles.set(gdalPath, (ds = await gdal.openAsync(gdalPath)));
      return ds;
    };
    const mask = sclMaskTable(plan.processing.sclMask);
    t = performance.now();
    for (const parcel of shuffled) {
      const tileItems = items.filter((i) => i.mgrsTile === parcel.tileId);
      const perDate: number[] = [];
      for (const item of tileItems) {
        const red = await dataset((await defaultBandLocator(item, 'B04')).gdalPath);
        const box = pixelBox(parcel.bbox, { geoTransform: red.geoTransform!, width: red.rasterSize.x, height: red.rasterSize.y });
        if (!box) continue;
        const w = box.col1 - box.col0, h = box.row1 - box.row0;
        const nirDs = await dataset((await defaultBandLocator(item, 'B08')).gdalPath);
        const sclDs = await dataset((await defaultBandLocator(item, 'SCL')).gdalPath);
        const [r, n] = await Promise.all([red.bands.get(1).pixels.readAsync(box.col0, box.row0, w, h), nirDs.bands.get(1).pixels.readAsync(box.col0, box.row0, w, h)]);
        const c0 = Math.floor(box.col0 / 2), r0 = Math.floor(box.row0 / 2);
        const sw = Math.min(sclDs.rasterSize.x, Math.floor((box.col1 - 1) / 2) + 1) - c0, sh = Math.min(sclDs.rasterSize.y, Math.floor((box.row1 - 1) / 2) + 1) - r0;
        const s20 = await sclDs.bands.get(1).pixels.readAsync(c0, r0, sw, sh);
        const scl = new Uint8Array(w * h);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) scl[y * w + x] = s20[(Math.floor((box.row0 + y) / 2) - r0) * sw + Math.floor((box.col0 + x) / 2) - c0]!;
        const cover = centreCoverage(wkbToPixelPolygons(parcel.wkb, gridOf(red.geoTransform!, box.col0, box.row0)), { width: w, height: h });
        perDate.push(parcelDateNdvi(cover, r, n, scl, mask, 0).ndvi);
      }
      compositeNdvi(perDate, 'max');
    }
    const baselineRate = shuffled.length / ((performance.now() - t) / 1000);
    for (const ds of handles.values()) ds.close();
    const countyRate = summary.parcels / (countyMs / 1000);

    // Zonal on one 25-megapixel raster.
    const zonal = await zonalFigures(dir);

    // Output rows into PostgreSQL, committed in batches as the county step does.
    const rows = 20_000;
    const outputs: ParcelOutput[] = Array.from({ length: rows }, (_, i) => ({
      parcelId: `bench-${i}`, configHash: 'bench', countyFips: MCLEAN, stateFips: '17', modelVersion: '1', modelId: 'm', status: 'ok',
      areaM2: 5000 + i, pixelCount: 50, pixelWeight: 50, clearPixelCount: null, clearAcquisitions: 2, ndvi: 0.6, biomassDensity: 130, biomassTotal: 65,
      coverageRule: 'centre', tileItems: ['16TCK_2024-07-01'],
    }));
    t = performance.now();
    for (let b = 0; b * 100 < rows; b++) {
      await commitCountyBatch(stores.state, { planName: 'bench-rows', runId: 'r', attempt: 1, countyFips: MCLEAN, batchIndex: b, parcelsDone: (b + 1) * 100, outputs: outputs.slice(b * 100, (b + 1) * 100) });
    }
    const rowsPerSecond = rows / ((performance.now() - t) / 1000);

    const maxRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
    const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
    say('');
    say('figure                                            value        peer / limit                     goal');
    say(`1a bytes fetched / distinct blocks' bytes          ${ratio(fetched.bytes, limitBytes).toFixed(3).padEnd(12)} ${formatBytes(fetched.bytes)} / ${formatBytes(limitBytes)} (${blocks.size} blocks, ${fetched.requests} requests)  <= 1.10`);
    say(`1b whole-item bytes / bytes fetched                ${ratio(wholeBytes, fetched.bytes).toFixed(1).padEnd(12)} ${formatBytes(wholeBytes)} for ${items.length} items (users' plan: 100)  >= 500`);
    say(`2  county-step time / GDAL alone on those blocks   ${ratio(countyMs, gdalMs).toFixed(2).padEnd(12)} ${(countyMs / 1000).toFixed(1)} s / ${(gdalMs / 1000).toFixed(1)} s   <= 1.3`);
    say(`3  speed-up over per-parcel windowed reads         ${ratio(countyRate, baselineRate).toFixed(1).padEnd(12)} ${countyRate.toFixed(0)} / ${baselineRate.toFixed(0)} parcels/s (baseline on ${shuffled.length} parcels)  >= 3x`);
    say(`4  biomass zonal, 25 Mpx raster, parcels/s         centre ${zonal.centre.toFixed(0)}, fractional ${zonal.fractional.toFixed(0)}  (${zonal.features} polygons, ${zonal.workers} workers; exactextract not installable here)`);
    say(`5  output rows/s into PostgreSQL                   ${rowsPerSecond.toFixed(0).padEnd(12)} ${rows} rows in batches of 100, one transaction each with the checkpoint`);
    say(`6  peak RSS                                        ${formatBytes(maxRss).padEnd(12)} cache.max_bytes ${CACHE}; cache peak ${formatBytes(summary.cache.peakBytes)}`);
    say('');
    say(`county step: ${summary.parcels.toLocaleString('en-US')} parcels in ${(countyMs / 1000).toFixed(1)} s; ${JSON.stringify(summary.byStatus)}`);
    const rr = summary.reads.ranged;
    say(`  ranged reads: ${formatBytes(rr.bytes)} of blocks in ${rr.requests} requests, headers ${formatBytes(rr.headerBytes)} in ${rr.headerRequests}; bands GDAL read instead: ${summary.reads.gdalFallbacks.length ? summary.reads.gdalFallbacks.join('; ') : 'none'}`);
    say(`  reads: ${summary.reads.byPath.streamed.blocks} blocks streamed, ${summary.reads.byPath.local.blocks} local, ${summary.reads.byPath.downloaded.blocks} downloaded (${(summary.streamedOrLocalShare * 100).toFixed(1)} % streamed or local); cache ${summary.cache.hits} hits / ${summary.cache.misses} misses, ${summary.cache.evictions} evictions`);
    say(`  the ranged reader alone on the same blocks (16 in flight, one per call): ${(rangedMs / 1000).toFixed(1)} s, beside GDAL's ${(gdalMs / 1000).toFixed(1)} s`);
    say(`  where the time goes: parcels read, checked, reprojected and batched ${(summary.timings.parcelsMs / 1000).toFixed(1)} s; then summed over overlapping batches: transfer + decode ${(summary.timings.readMs / 1000).toFixed(1)} s, kernel ${(summary.timings.kernelMs / 1000).toFixed(1)} s, database ${(summary.timings.commitMs / 1000).toFixed(1)} s; GDAL alone on the same blocks ${(gdalMs / 1000).toFixed(1)} s`);
  } finally {
    await stores.close();
  }
} finally {
  clearInterval(sampler);
  await proxy.close();
  await azurite.stop();
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
}

/** parcels/s of the zonal kernels on a 5,000 x 5,000 UInt16 raster with 20,000 quads. */
async function zonalFigures(folder: string): Promise<{ centre: number; fractional: number; features: number; workers: number }> {
  const n = 5000, features = 20_000;
  const raster = path.join(folder, 'zonal.tif');
  const mem = gdal.open(raster, 'w', 'GTiff', n, n, 1, gdal.GDT_UInt16, { TILED: 'YES', COMPRESS: 'DEFLATE' });
  mem.srs = gdal.SpatialReference.fromEPSG(32616);
  mem.geoTransform = [300_000, 10, 0, 4_500_000, 0, -10];
  const row = new Uint16Array(n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) row[x] = 1 + ((x * 7 + y * 13) % 5000);
    mem.bands.get(1).pixels.write(0, y, n, 1, row);
  }
  mem.close();
  const vector = path.join(folder, 'zonal.gpkg');
  const ds = gdal.open(vector, 'w', 'GPKG');
  const layer = ds.layers.create('p', gdal.SpatialReference.fromEPSG(32616), gdal.wkbPolygon);
  const side = Math.sqrt(features);
  const cell = (n * 10) / side;
  for (let i = 0; i < features; i++) {
    const x = 300_000 + (i % side) * cell, y = 4_500_000 - Math.floor(i / side) * cell;
    const j = ((i * 37) % 11) * 2.3;
    const feature = new gdal.Feature(layer);
    feature.setGeometry(gdal.Geometry.fromWKT(
      `POLYGON((${x + 3 + j} ${y - 5},${x + cell - 7} ${y - 2 - j},${x + cell - 4} ${y - cell + 6},${x + 8} ${y - cell + 3 + j},${x + 3 + j} ${y - 5}))`));
    layer.features.add(feature);
  }
  ds.close();
  const pool = await openKernelPool(0);
  try {
    const rate = async (rule: 'centre' | 'fractional') => {
      const start = performance.now();
      const rows = await zonalOfLayer({ raster, vector, rule, pool });
      if (rows.length !== features) throw new Error('zonal lost rows');
      return features / ((performance.now() - start) / 1000);
    };
    return { centre: await rate('centre'), fractional: await rate('fractional'), features, workers: pool.threads };
  } finally {
    await pool.close();
  }
}
