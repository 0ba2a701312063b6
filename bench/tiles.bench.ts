/**
 * Tiles, measured (prints figures, asserts nothing), each beside its peer or limit:
 *
 * 1. Preprocessing items/s (stripped DEFLATE GeoTIFF -> uncompressed COG, 512 px blocks,
 *    `preprocess.parallel_jobs` at once) beside Debian's `gdal_translate` with the same
 *    options and parallelism. Goal: at least 0.9x. Ours also hashes, checks and records.
 * 2. Whole-item download MB/s from Azurite for chunk sizes 1, 4, 8 MB x concurrency 4, 8, 12.
 * 3. Bytes fetched through /vsiaz/ for a county-sized set of windows, beside the bytes of
 *    the COG blocks those windows touch (the limit for I/O). Goal: at most 1.10x.
 *
 *   node --import tsx bench/tiles.bench.ts
 *   BENCH_PX=5490 BENCH_ITEMS=2 BENCH_JOBS=2 node --import tsx bench/tiles.bench.ts   (smaller, faster)
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import gdal from 'gdal-async';
import { migrate } from '../src/db/migrations.js';
import { openStore } from '../src/db/open-store.js';
import { DEFAULT_POOL } from '../src/db/database-config.js';
import { footprintOfTile } from '../src/geo/tile-grid.js';
import { srsOf } from '../src/geo/utm-projection.js';
import { loadPlanOrThrow } from '../src/plan/load-plan.js';
import { bandSourceOf } from '../src/tiles/band-source.js';
import { cogCreationOptions } from '../src/tiles/cog-conversion.js';
import { preprocessItems } from '../src/tiles/preprocess-items.js';
import { TileAccess } from '../src/tiles/tile-access.js';
import { downloadWhole } from '../src/tiles/whole-download.js';
import { startAzurite } from '../test/support/azurite.js';
import { startCountingProxy } from '../test/support/counting-proxy.js';
import { writeFile } from 'node:fs/promises';

const PX = Number(process.env.BENCH_PX ?? 10_980);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 4);
const JOBS = Number(process.env.BENCH_JOBS ?? 2);
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? '1,2,3').split(','));
const TILE = '16TCK';
const MB = 1_000_000;

/** A full band of the tile's grid with a textured, partly compressible pattern (cheap to make). */
async function writeBand(path: string, driver: string, options: Record<string, string>, seed: number): Promise<void> {
  const fp = footprintOfTile(TILE);
  const size = (fp.maxX - fp.minX) / PX;
  const mem = gdal.open('', 'w', 'MEM', PX, PX, 1, gdal.GDT_UInt16);
  mem.srs = srsOf(fp.epsg);
  mem.geoTransform = [fp.minX, size, 0, fp.maxY, 0, -size];
  const row = new Uint16Array(PX);
  let state = seed * 7919 + 1;
  for (let y = 0; y < PX; y++) {
    for (let x = 0; x < PX; x++) {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      // Fields of 64 px plus 10 bits of noise: compresses about as poorly as real reflectance.
      row[x] = 1000 + ((x >> 6) * 37 + (y >> 6) * 91) % 3000 + (state & 1023);
    }
    await mem.bands.get(1).pixels.writeAsync(0, y, PX, 1, row);
  }
  (await gdal.drivers.get(driver).createCopyAsync(path, mem, options)).close();
  mem.close();
}

/** TileOffsets (324) and TileByteCounts (325) of a classic little-endian TIFF's first IFD. */
async function tileTable(path: string): Promise<{ offsets: number[]; counts: number[] }> {
  const { readFile } = await import('node:fs/promises');
  const b = await readFile(path);
  const ifd = b.readUInt32LE(4);
  const n = b.readUInt16LE(ifd);
  const read = (tag: number): number[] => {
    for (let k = 0; k < n; k++) {
      const p = ifd + 2 + k * 12;
      if (b.readUInt16LE(p) !== tag) continue;
      const type = b.readUInt16LE(p + 2);
      const count = b.readUInt32LE(p + 4);
      const width = type === 3 ? 2 : 4;
      const at = count * width <= 4 ? p + 8 : b.readUInt32LE(p + 8);
      return Array.from({ length: count }, (_, i) => (width === 2 ? b.readUInt16LE(at + i * 2) : b.readUInt32LE(at + i * 4)));
    }
    throw new Error(`tag ${tag} not found in ${path}`);
  };
  return { offsets: read(324), counts: read(325) };
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function mapJobs<T>(inputs: T[], jobs: number, fn: (input: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: jobs }, async () => { while (next < inputs.length) await fn(inputs[next++]!); }));
}

const dir = await mkdtemp(join(tmpdir(), 'tiles-bench-'));
const azurite = await startAzurite();
const db = await openStore('', '', DEFAULT_POOL);
try {
  await migrate(db, 'state');
  const reduced = PX < 10_980 ? ` (REDUCED: ${PX} px, not the full 10,980 px of a Sentinel-2 10 m band)` : '';
  console.log(`tiles bench: ${ITEMS} items of one ${PX} x ${PX} UInt16 band each${reduced}, ${JOBS} jobs, GDAL ${gdal.version}`);

  // ---- 1. preprocessing beside gdal_translate -------------------------------------------
  const originals = join(dir, 'tiles');
  const items = [];
  for (let k = 0; k < ITEMS; k++) {
    const date = `2024-06-${String(k + 1).padStart(2, '0')}`;
    const path = join(originals, TILE, date, 'B04.tif');
    await mkdir(join(originals, TILE, date), { recursive: true });
    await writeBand(path, 'GTiff', { COMPRESS: 'DEFLATE', PREDICTOR: '2', TILED: 'NO' }, k);
    items.push({ itemId: `${TILE}/${date}`, bandUris: { B04: pathToFileURL(path).href }, stateFips: '17' });
  }
  const planFile = join(dir, 'bench.yaml');
  await writeFile(planFile, `version: 1
name: tiles-bench
season: { start: 2024-06-01, end: 2024-06-30 }
sources:
  tiles: { uri: "file://${originals}", layout: simple, bands: [B04] }
  parcels: { uri: "${join(dir, 'none.gpkg')}" }
storage: { dir: "${join(dir, 'storage')}", min_free: 1GB, budget: 1TB }
preprocess: { parallel_jobs: ${JOBS}, compression: none, block_size: 512 }
rollout: { states: ["17"] }
`);
  const { plan } = await loadPlanOrThrow(planFile, { env: {}, machineChecks: 'skip', cwd: dir });
  if (SECTIONS.has('1')) {
  const inBytes = (await Promise.all(items.map((i) => stat(new URL(i.bandUris.B04)).then((s) => s.size)))).reduce((a, b) => a + b, 0);
  let t = performance.now();
  const summary = await preprocessItems({ plan, db, state: '17', items });
  const oursS = (performance.now() - t) / 1000;
  const options = cogCreationOptions(plan.preprocess, PX * PX * 2);
  const peerDir = join(dir, 'peer');
  await mkdir(peerDir, { recursive: true });
  t = performance.now();
  await mapJobs(items, JOBS, async (item) => {
    const code = await run('gdal_translate', ['-q', '-of', 'COG', ...Object.entries(options).flatMap(([k, v]) => ['-co', `${k}=${v}`]), new URL(item.bandUris.B04).pathname, join(peerDir, `${item.itemId.replace('/', '_')}.tif`)]);
    if (code !== 0) throw new Error(`gdal_translate exited ${code}`);
  });
  const peerS = (performance.now() - t) / 1000;
  console.log(`\n1. preprocessing (stripped DEFLATE GeoTIFF -> COG ${Object.entries(options).map(([k, v]) => `${k}=${v}`).join(' ')}):`);
  console.log(`   biomass preprocessItems: ${summary.converted} converted (${summary.failed.length} failed) in ${oursS.toFixed(1)} s = ${(ITEMS / oursS).toFixed(3)} items/s, ${(inBytes / MB).toFixed(0)} MB in, ${(summary.bytesOut / MB).toFixed(0)} MB out (with sha256, CRS/size/type checks, 5 sampled blocks compared, DB records)`);
  console.log(`   peer gdal_translate x ${JOBS} at once, same options: ${peerS.toFixed(1)} s = ${(ITEMS / peerS).toFixed(3)} items/s`);
  console.log(`   ratio ${(peerS / oursS).toFixed(2)}x of gdal_translate's rate (goal >= 0.90x)`);
  }

  // ---- 2. whole downloads --------------------------------------------------------------
  const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('bench');
  await blobs.create();
  const blobName = `${TILE}/2024-06-01/B04.tif`;
  await blobs.getBlockBlobClient(blobName).uploadFile(new URL(items[0]!.bandUris.B04).pathname);
  const size = (await stat(new URL(items[0]!.bandUris.B04))).size;
  if (SECTIONS.has('2')) {
  console.log(`\n2. whole-item download from Azurite (127.0.0.1, one ${(size / MB).toFixed(1)} MB blob; MB/s, median of 3):`);
  console.log(`   chunk \\ concurrency       4       8      12`);
  for (const chunk of [1, 4, 8]) {
    const cells: string[] = [];
    for (const concurrency of [4, 8, 12]) {
      const http = { ...plan.http, chunkSizeBytes: chunk * 1024 * 1024, concurrency };
      const access = new TileAccess({ name: 'azurite', container: 'bench', connection: azurite.connectionString, http });
      const rates: number[] = [];
      for (let k = 0; k < 3; k++) {
        const target = join(dir, 'dl', `${chunk}-${concurrency}-${k}.tif`);
        const s = performance.now();
        await downloadWhole(bandSourceOf(`azure://bench/${blobName}`), target, { access, http, what: 'bench' });
        rates.push(size / MB / ((performance.now() - s) / 1000));
        await rm(target);
      }
      cells.push(rates.sort((a, b) => a - b)[1]!.toFixed(0).padStart(8));
    }
    console.log(`   ${`${chunk} MiB`.padEnd(22)}${cells.join('')}`);
  }
  // Peer: the SDK's own parallel download into memory (no retries of ours, no file, no hash).
  const peerRates: number[] = [];
  const client = blobs.getBlobClient(blobName);
  for (let k = 0; k < 3; k++) {
    const s = performance.now();
    await client.downloadToBuffer(Buffer.alloc(size), 0, size, { blockSize: 4 * 1024 * 1024, concurrency: 12 });
    peerRates.push(size / MB / ((performance.now() - s) / 1000));
  }
  console.log(`   peer: @azure/storage-blob downloadToBuffer, 4 MiB blocks x 12: ${peerRates.sort((a, b) => a - b)[1]!.toFixed(0)} MB/s (median of 3)`);
  }

  // ---- 3. windowed reads through /vsiaz/ ------------------------------------------------
  if (SECTIONS.has('3')) {
  const cogPath = join(dir, 'window.tif');
  await writeBand(cogPath, 'COG', { COMPRESS: 'DEFLATE', PREDICTOR: 'YES', BLOCKSIZE: '512', OVERVIEWS: 'NONE' }, 99);
  await blobs.getBlockBlobClient('window.tif').uploadFile(cogPath);
  const cogSize = (await stat(cogPath)).size;
  const blockTable = await tileTable(cogPath);
  const proxy = await startCountingProxy(azurite.port);
  const access = new TileAccess({ name: 'azurite', container: 'bench', connection: proxy.connectionString(azurite.connectionString), http: plan.http });
  await access.configureGdal();
  // A county-sized set of windows: 400 parcels of 10-60 px in a 55 km square (McLean is ~3,000 km2).
  const region = Math.min(PX, Math.round(55_000 / (109_800 / PX)));
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const windows = Array.from({ length: 400 }, () => {
    const w = 10 + Math.floor(rnd() * 50);
    return { x: Math.floor(rnd() * (region - w)), y: Math.floor(rnd() * (region - w)), w };
  });
  const blocks = new Set<string>();
  for (const win of windows) {
    for (let by = Math.floor(win.y / 512); by <= Math.floor((win.y + win.w - 1) / 512); by++) {
      for (let bx = Math.floor(win.x / 512); bx <= Math.floor((win.x + win.w - 1) / 512); bx++) blocks.add(`${bx}_${by}`);
    }
  }
  let blockBytes = 0;
  const across = Math.ceil(PX / 512);
  const firstBlock = Math.min(...blockTable.offsets.filter((o) => o > 0));
  for (const b of blocks) {
    const [bx, by] = b.split('_').map(Number) as [number, number];
    blockBytes += blockTable.counts[by * across + bx]!;
  }
  proxy.reset();
  const remote = await gdal.openAsync('/vsiaz/bench/window.tif');
  for (const win of windows) await remote.bands.get(1).pixels.readAsync(win.x, win.y, win.w, win.w);
  remote.close();
  const limit = blockBytes + firstBlock; // the blocks, plus the header before the first block
  console.log(`\n3. ${windows.length} windows (10-60 px) in a ${region} px square of a ${(cogSize / MB).toFixed(1)} MB DEFLATE COG through /vsiaz/ (measured at a counting proxy):`);
  console.log(`   fetched ${(proxy.figures.bodyBytes / MB).toFixed(2)} MB in ${proxy.figures.requests} requests; the ${blocks.size} blocks touched + header hold ${(limit / MB).toFixed(2)} MB; whole file ${(cogSize / MB).toFixed(1)} MB`);
  console.log(`   ratio ${(proxy.figures.bodyBytes / limit).toFixed(3)}x of the touched blocks (goal <= 1.10x); ${(cogSize / proxy.figures.bodyBytes).toFixed(1)}x less than the whole file`);
  await proxy.close();
  }
} finally {
  await db.close();
  await azurite.stop();
  await rm(dir, { recursive: true, force: true });
}
