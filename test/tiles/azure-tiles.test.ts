// Originals in Azure Blob Storage (real Azurite, through a counting proxy): windowed reads
// through GDAL's /vsiaz/ fetch far fewer bytes than the file holds (measured at the proxy);
// whole downloads go in ranged chunks, retry 503/Retry-After and resets, and resume after an
// interruption; preprocessing from Azure converts, a vanished blob fails its item only, and
// a wrong key stops the run at once with the key redacted; a SAS from a token endpoint is
// fetched once, shared by the SDK and GDAL, and renewed before it expires; datasets held
// open across a renewal are reopened.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential, BlobServiceClient } from '@azure/storage-blob';
import gdal from 'gdal-async';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import { listPreprocessedTiles } from '../../src/db/preprocessed-tiles-repository.js';
import type { Store } from '../../src/db/store.js';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { locateBand, type LocatableItem } from '../../src/tiles/band-location.js';
import { BlockCache } from '../../src/tiles/block-cache.js';
import { BlockReader } from '../../src/tiles/block-reader.js';
import { bandSourceOf } from '../../src/tiles/band-source.js';
import { itemKey, openCatalog } from '../../src/tiles/catalog.js';
import { openTileStore } from '../../src/tiles/open-tile-store.js';
import { preprocessItems } from '../../src/tiles/preprocess-items.js';
import { generateScenes } from '../../src/tiles/scene-generator.js';
import { TileAccess } from '../../src/tiles/tile-access.js';
import { blockNumber, parseTiffBlockIndex } from '../../src/tiles/tiff-block-index.js';
import { downloadWhole, sha256Of } from '../../src/tiles/whole-download.js';
import { TEST_POOL } from '../db/backends.js';
import { startAzurite, type Azurite } from '../support/azurite.js';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.js';
import { useFreshDatabase } from '../support/postgres.js';
import { writePlan } from './tile-fixtures.js';

const database = useFreshDatabase();
const ONE_DATE = { start: '2024-06-01', end: '2024-06-05' };
let azurite: Azurite;
let proxy: CountingProxy;
let geo: Geography;
let dir: string;
let store: Store;
let cog: LocatableItem;
let stripped: LocatableItem;
let jp2: LocatableItem[];
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

async function generate(format: 'cog' | 'gtiff' | 'jp2', tiles: string[], pixelSize: number, season = ONE_DATE): Promise<LocatableItem[]> {
  const target = openTileStore({ uri: `azure://tiles/${format}`, connection: azurite.connectionString, season });
  const scenes = await generateScenes({ geography: geo, tiles, season, store: target, format, pixelSize, layout: 'simple', bands: format === 'jp2' ? ['B04', 'B08', 'SCL'] : ['B04'] });
  return scenes.map((s) => ({ itemId: itemKey(s), bandUris: s.bands, stateFips: '17' }));
}

beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startCountingProxy(azurite.port);
  geo = await loadGeography();
  dir = await mkdtemp(join(tmpdir(), 'azure-tiles-test-'));
  store = await openStore(database.url, '', TEST_POOL);
  await migrate(store, 'state');
  cog = (await generate('cog', ['16TCK'], 61))[0]!;
  stripped = (await generate('gtiff', ['16TBK'], 61))[0]!;
  jp2 = await generate('jp2', ['16TCL', '16TBL'], 305, { start: '2024-06-01', end: '2024-06-10' });
}, 300_000);

afterAll(async () => {
  await store?.close();
  await proxy?.close();
  await azurite?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function planWith(name: string, tiles: string, env: NodeJS.ProcessEnv = {}) {
  return (await writePlan(dir, { name, tiles, storageDir: join(dir, 'storage', name), databaseUrl: database.url }, env)).plan;
}

const viaProxy = () => proxy.connectionString(azurite.connectionString);

async function blobSize(uri: string): Promise<number> {
  const source = bandSourceOf(uri);
  if (source.kind !== 'azure') throw new Error('not azure');
  const client = BlobServiceClient.fromConnectionString(azurite.connectionString);
  return (await client.getContainerClient(source.container).getBlobClient(source.blob).getProperties()).contentLength!;
}

describe('windowed reads through /vsiaz/', () => {
  it('read a window of a COG in place, fetching far fewer bytes than the file holds', async () => {
    const plan = await planWith('window', '{ uri: "azure://tiles", connection: "${CONN}", layout: simple, bands: [B04] }', { CONN: viaProxy() });
    const access = new TileAccess({ name: 'azurite', container: 'tiles', connection: viaProxy(), http: plan.http });
    const location = await locateBand(cog, 'B04', { plan, db: store, access });
    expect(location).toMatchObject({ path: 'streamed', gdalPath: expect.stringMatching(/^\/vsiaz\/tiles\/cog\//) });
    // GDAL keeps what /vsiaz/ fetched in a process-wide cache, so after a test that read this
    // file nothing would cross the proxy. With CPL_VSIL_CURL_NON_CACHED naming the file, GDAL
    // drops what it cached of it when a handle closes: one open and close empties the cache.
    gdal.config.set('CPL_VSIL_CURL_NON_CACHED', location.gdalPath);
    let window: number[];
    try {
      (await gdal.openAsync(location.gdalPath)).close();
      proxy.reset();
      const ds = await gdal.openAsync(location.gdalPath);
      window = Array.from(await ds.bands.get(1).pixels.readAsync(700, 700, 100, 100), Number);
      ds.close();
    } finally {
      gdal.config.set('CPL_VSIL_CURL_NON_CACHED', null);
    }
    expect(window.length).toBe(10_000);
    expect(window.some((v) => v > 0)).toBe(true);
    const size = await blobSize(cog.bandUris['B04']!);
    expect(size).toBeGreaterThan(500_000);
    expect(proxy.figures.bodyBytes).toBeGreaterThan(0);
    expect(proxy.figures.bodyBytes).toBeLessThan(size / 4);
  });
});

describe('ranged block reads of a streamed COG', () => {
  it('fetch exactly the blocks asked for, adjacent ones in one request, with the pixels GDAL decodes', async () => {
    const plan = await planWith('ranged', '{ uri: "azure://tiles", connection: "${CONN}", layout: simple, bands: [B04] }', { CONN: viaProxy() });
    const access = new TileAccess({ name: 'azurite', container: 'tiles', connection: viaProxy(), http: plan.http });
    const locator = (item: { itemId: string; bandUris: Record<string, string> }, band: string) => locateBand(item as LocatableItem, band, { plan, db: store, access });
    const reader = new BlockReader({ locator, cache: new BlockCache({ maxBytes: 64 << 20, eviction: 'lru' }), maxOpen: 4, ranges: (source, offset, length) => access.readRange(source, offset, length) });
    try {
      const info = await reader.info(cog, 'B04');
      expect(info.location.path).toBe('streamed');
      // The block index as the reader read it (its header request), from the blob itself.
      const source = bandSourceOf(cog.bandUris['B04']!);
      if (source.kind !== 'azure') throw new Error('not azure');
      const index = parseTiffBlockIndex(await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(source.container).getBlobClient(source.blob).downloadToBuffer(0, 65_536));
      expect(reader.figures().ranged).toMatchObject({ headerRequests: 1, requests: 0 });
      proxy.reset();
      const coords: Array<[number, number]> = [[0, 1], [1, 1], [2, 1], [3, 3]];
      const got = await reader.blocks(cog, 'B04', coords);
      const exact = coords.reduce((sum, [bx, by]) => sum + index.byteCounts[blockNumber(index, bx, by)]!, 0);
      expect(proxy.figures.rangeRequests).toBe(2);
      expect(proxy.figures.bodyBytes).toBeGreaterThanOrEqual(exact);
      expect(proxy.figures.bodyBytes).toBeLessThanOrEqual(exact + 2 * 8);
      expect(reader.figures()).toMatchObject({ ranged: { requests: 2, bytes: proxy.figures.bodyBytes }, gdalFallbacks: [], byPath: { streamed: { blocks: 4 } } });
      const ds = await gdal.openAsync(info.location.gdalPath);
      for (const [k, [bx, by]] of coords.entries()) expect(Array.from(got[k]!), `block ${bx},${by}`).toEqual(Array.from(await ds.bands.get(1).pixels.readBlockAsync(bx, by)));
      ds.close();
      // Read again: from the cache, nothing fetched.
      proxy.reset();
      await reader.blocks(cog, 'B04', coords);
      expect(proxy.figures.requests).toBe(0);
    } finally {
      await reader.close();
    }
  });

  it('retry a block request the service answers with 503 or a reset, and fail with the cause after the plan\'s attempts', async () => {
    // The proxy injects the faults (Azure produces them, but not on demand).
    const plan = await planWith('ranged-retry', '{ uri: "azure://tiles", connection: "${CONN}", layout: simple, bands: [B04] }', { CONN: viaProxy() });
    const access = new TileAccess({ name: 'azurite', container: 'tiles', connection: viaProxy(), http: { ...plan.http, retry: { ...plan.http.retry, initialDelayMs: 1, maxDelayMs: 5 } } });
    const locator = (item: { itemId: string; bandUris: Record<string, string> }, band: string) => locateBand(item as LocatableItem, band, { plan, db: store, access });
    const reader = new BlockReader({ locator, cache: new BlockCache({ maxBytes: 64 << 20, eviction: 'lru' }), maxOpen: 4, ranges: (source, offset, length) => access.readRange(source, offset, length) });
    try {
      await reader.info(cog, 'B04');
      const retriesBefore = access.figures.rangeRetries;
      proxy.inject({ status: 503, retryAfter: '0' }, { reset: true });
      const [block] = await reader.blocks(cog, 'B04', [[2, 2]]);
      expect(access.figures.rangeRetries - retriesBefore).toBe(2);
      const ds = await gdal.openAsync((await locator(cog, 'B04')).gdalPath);
      expect(Array.from(block!)).toEqual(Array.from(await ds.bands.get(1).pixels.readBlockAsync(2, 2)));
      ds.close();
      // More failures than attempts: the read fails, naming the blob and the status.
      proxy.inject(...Array.from({ length: plan.http.retry.attempts + 1 }, () => ({ status: 503 })));
      await expect(reader.blocks(cog, 'B04', [[0, 3]])).rejects.toMatchObject({ code: 'TILE_READ_FAILED', message: expect.stringMatching(/cannot read cog\/.*B04.*503/) });
      // The failed block is not cached as anything: a later read fetches it.
      const [again] = await reader.blocks(cog, 'B04', [[0, 3]]);
      expect(again!.length).toBe(block!.length);
    } finally {
      await reader.close();
    }
  });

  it('leave a streamed file they cannot decode to GDAL, and say why', async () => {
    const plan = await planWith('ranged-strips', '{ uri: "azure://tiles", connection: "${CONN}", layout: simple, bands: [B04] }', { CONN: azurite.connectionString });
    const access = new TileAccess({ name: 'azurite', container: 'tiles', connection: azurite.connectionString, http: plan.http });
    // A striped GeoTIFF read in place (the probe lets a small one stream): no tile index.
    const locator = async (item: { itemId: string; bandUris: Record<string, string> }, band: string) => {
      const location = await locateBand(item as LocatableItem, band, { plan, db: store, access });
      return { ...location, path: 'streamed' as const, gdalPath: `/vsiaz/${bandSourceOf(item.bandUris[band]!).uri.slice('azure://'.length)}` };
    };
    const reader = new BlockReader({ locator, cache: new BlockCache({ maxBytes: 64 << 20, eviction: 'lru' }), maxOpen: 4, ranges: (source, offset, length) => access.readRange(source, offset, length) });
    try {
      const [block] = await reader.blocks(stripped, 'B04', [[0, 0]]);
      expect(block!.length).toBeGreaterThan(0);
      expect(reader.figures().gdalFallbacks).toEqual([`${stripped.itemId} B04: TIFF tag 322 missing (not a tiled TIFF?)`]);
      expect(reader.figures().ranged.requests).toBe(0);
      expect(reader.figures().byPath.streamed.blocks).toBe(1);
    } finally {
      await reader.close();
    }
  });
});

describe('the last-resort read path', () => {
  it('downloads a non-streamable original whole once, reuses it, and preprocessing converts that copy', async () => {
    const plan = await planWith('last-resort', '{ uri: "azure://tiles", connection: "${CONN}", layout: simple }', { CONN: viaProxy() });
    const access = new TileAccess({ name: 'azurite', container: 'tiles', connection: viaProxy(), http: plan.http });
    const item = jp2[0]!;
    const first = await locateBand(item, 'B04', { plan, db: store, access });
    expect(first).toMatchObject({ path: 'downloaded', probe: { format: 'jpeg2000', streamable: false } });
    expect(first.gdalPath.startsWith(join(plan.storage.dir, '17', 'downloads'))).toBe(true);
    expect((await stat(first.gdalPath)).size).toBe(await blobSize(item.bandUris['B04']!));
    proxy.reset();
    const again = await locateBand(item, 'B04', { plan, db: store, access });
    expect(again.gdalPath).toBe(first.gdalPath);
    expect(proxy.figures.requests).toBe(0); // the stored probe and the recorded download: nothing fetched
    const summary = await preprocessItems({ plan, db: store, state: '17', items: [item], access });
    expect(summary.converted).toBe(3);
    // B08 and SCL were downloaded for the conversion; B04's earlier download was converted as it was.
    expect(summary.downloads.bytes).toBe(await blobSize(item.bandUris['B08']!) + await blobSize(item.bandUris['SCL']!));
    expect(await locateBand(item, 'B04', { plan, db: store, access })).toMatchObject({ path: 'local' });
    await expect(stat(first.gdalPath)).rejects.toThrow();
  });
});

describe('whole downloads', () => {
  it('download in ranged chunks, retrying 503 with Retry-After and a reset, to the same bytes', async () => {
    const plan = await planWith('download', '{ uri: "azure://tiles", layout: simple }');
    const access = new TileAccess({ name: 'azurite', container: 'tiles', connection: viaProxy(), http: plan.http });
    const source = bandSourceOf(stripped.bandUris['B04']!);
    proxy.reset();
    proxy.inject({ status: 503, retryAfter: '0' }, { status: 429, retryAfter: '0' }, { reset: true }, { status: 500 });
    const target = join(dir, 'download', 'B04.tif');
    const result = await downloadWhole(source, target, { access, http: plan.http, what: 'item x band B04' });
    const size = await blobSize(stripped.bandUris['B04']!);
    expect(result.bytes).toBe(size);
    expect((await stat(target)).size).toBe(size);
    expect(result.retries).toBe(4);
    expect(proxy.figures.faultsServed).toBe(4);
    expect(proxy.figures.rangeRequests).toBe(Math.ceil(size / plan.http.chunkSizeBytes) + 4);
    expect(result.connections).toHaveLength(plan.http.concurrency);
    expect(result.sha256).toBe(await sha256Of(target));
    // The same bytes as the blob: GDAL reads identical pixels from both.
    // (Async GDAL calls only: a synchronous one would block the in-process proxy it talks to.)
    await access.configureGdal();
    const a = await gdal.openAsync(target);
    const b = await gdal.openAsync(`/vsiaz/${(source as { container: string }).container}/${(source as { blob: string }).blob}`);
    expect(Array.from(await a.bands.get(1).pixels.readAsync(0, 0, 50, 50))).toEqual(Array.from(await b.bands.get(1).pixels.readAsync(0, 0, 50, 50)));
    a.close();
    b.close();
  });

  it('resume an interrupted download from the chunks already written', async () => {
    const plan = await planWith('resume-download', '{ uri: "azure://tiles", layout: simple }');
    plan.http.concurrency = 1;
    const access = new TileAccess({ name: 'azurite', container: 'tiles', connection: azurite.connectionString, http: plan.http });
    const source = bandSourceOf(stripped.bandUris['B04']!);
    const target = join(dir, 'resume', 'B04.tif');
    const stop = new AbortController();
    let moved = 0;
    await expect(downloadWhole(source, target, {
      access, http: plan.http, what: 'x', signal: stop.signal,
      onBytes: (n) => { moved += n; if (moved >= 3 * plan.http.chunkSizeBytes) stop.abort(); },
    })).rejects.toThrow();
    const resumed = await downloadWhole(source, target, { access, http: plan.http, what: 'x' });
    expect(resumed.resumedChunks).toBeGreaterThanOrEqual(3);
    const whole = await downloadWhole(source, join(dir, 'resume', 'fresh.tif'), { access, http: plan.http, what: 'x' });
    expect(resumed.sha256).toBe(whole.sha256);
    expect(whole.resumedChunks).toBe(0);
  });
});

describe('preprocessing from Azure', () => {
  it('downloads and converts JPEG2000 originals; a vanished blob fails its item while the others go on', async () => {
    const plan = await planWith('azure-preprocess', '{ uri: "azure://tiles", connection: "${CONN}", layout: simple }', { CONN: azurite.connectionString });
    const gone = bandSourceOf(jp2[1]!.bandUris['B08']!) as { container: string; blob: string };
    const client = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const before = await Promise.all(jp2.flatMap((i) => Object.values(i.bandUris)).map(async (uri) => {
      const s = bandSourceOf(uri) as { container: string; blob: string };
      return (await client.getContainerClient(s.container).getBlobClient(s.blob).getProperties()).etag;
    }));
    await client.getContainerClient(gone.container).deleteBlob(gone.blob);
    const summary = await preprocessItems({ plan, db: store, state: '17', items: jp2 });
    expect(summary.failed).toEqual([expect.objectContaining({ itemId: jp2[1]!.itemId, band: 'B08', code: 'BLOB_NOT_FOUND' })]);
    expect(summary.failed[0]!.reason).toContain(`item ${jp2[1]!.itemId} band B08`);
    expect(summary.converted).toBe(jp2.length * 3 - 1);
    expect(summary.downloads.bytes).toBeGreaterThan(0);
    expect(summary.downloads.connectionsBytesPerSecond.length).toBeGreaterThan(0);
    const ready = await listPreprocessedTiles(store, plan.name, 'ready');
    expect(ready.every((r) => r.kind === 'cog')).toBe(true);
    // The whole downloads were only the means: they are gone, the originals are untouched.
    await expect(stat(join(plan.storage.dir, '17', 'downloads', jp2[0]!.itemId, 'B04.jp2'))).rejects.toThrow();
    const after = await Promise.all(jp2.flatMap((i) => Object.values(i.bandUris)).filter((u) => !u.endsWith(gone.blob)).map(async (uri) => {
      const s = bandSourceOf(uri) as { container: string; blob: string };
      return (await client.getContainerClient(s.container).getBlobClient(s.blob).getProperties()).etag;
    }));
    expect(after).toEqual(before.filter((_, k) => jp2.flatMap((i) => Object.values(i.bandUris))[k] !== jp2[1]!.bandUris['B08']));
  });

  it('stops at once on a wrong key, with the key redacted', async () => {
    const wrongKey = Buffer.from('not the key of this account, at all!').toString('base64');
    const wrong = azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`);
    const plan = await planWith('wrong-key', '{ uri: "azure://tiles", connection: "${CONN}", layout: simple, preprocess: always }', { CONN: wrong });
    const error = await preprocessItems({ plan, db: store, state: '17', items: jp2 }).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'TILE_AUTH' });
    expect(String((error as Error).message) + String((error as { hint?: string }).hint)).not.toContain(wrongKey);
    expect(await listPreprocessedTiles(store, plan.name)).toEqual([]);
  });
});

describe('a SAS token endpoint', () => {
  let server: Server;
  let tokenUrl: string;
  const handed: string[] = [];
  let failNext = false;
  /** When set, the next token is bound to this stored access policy, so deleting the policy revokes it. */
  let policyNext: string | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (failNext) { res.writeHead(500); res.end(); return; }
      const container = req.url!.split('/').pop()!;
      const policy = policyNext;
      policyNext = undefined;
      const sas = generateBlobSASQueryParameters(policy ? { containerName: container, identifier: policy } : {
        containerName: container, permissions: ContainerSASPermissions.parse('rl'),
        // Distinct tokens: each starts a second later than the one before.
        startsOn: new Date(Date.now() - 60_000 - handed.length * 1000), expiresOn: new Date(Date.now() + 3_600_000),
      }, new StorageSharedKeyCredential(ACCOUNT, KEY)).toString();
      handed.push(sas);
      res.writeHead(200, { 'content-type': 'application/json' });
      // The endpoint says the token lasts 10 minutes (a short expiry, on the test's clock).
      res.end(JSON.stringify({ token: sas, 'msft:expiry': new Date(clock + 10 * 60_000).toISOString() }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sas/v1/token`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  let clock = Date.now();

  it('is fetched once, shared by the SDK and GDAL, and renewed mid-run before it expires', async () => {
    // Azurite's endpoint comes from the environment (a connection string naming only the
    // endpoint), never from the plan: the token is sent nowhere the plan text alone names.
    const endpointOnly = `BlobEndpoint=http://127.0.0.1:${azurite.port}/${ACCOUNT};`;
    const plan = await planWith('token', `{ uri: "azure://tiles", connection: "\${CONN}", account: "${ACCOUNT}", token_url: "${tokenUrl}", layout: simple, bands: [B04] }`, { CONN: endpointOnly });
    const access = new TileAccess({ name: 'azurite', container: 'tiles', connection: endpointOnly, account: ACCOUNT, tokenUrl, http: plan.http, now: () => clock });
    // The tokens this test is handed (the endpoint serves the other tests of this block too, in any order).
    const mine = handed.length;
    const first = await locateBand(cog, 'B04', { plan, db: store, access });
    const read = async () => {
      const ds = await gdal.openAsync(first.gdalPath);
      const values = await ds.bands.get(1).pixels.readAsync(0, 0, 16, 16);
      ds.close();
      return Array.from(values);
    };
    const pixelsBefore = await read();
    await downloadWhole(bandSourceOf(stripped.bandUris['B04']!), join(dir, 'sas', 'a.tif'), { access, http: plan.http, what: 'x' });
    expect(access.tokens!.fetches).toBe(1);
    expect(gdal.config.get('AZURE_STORAGE_CONNECTION_STRING')).toContain(handed[mine]!);

    clock += 9 * 60_000; // one minute before the expiry: inside the renewal margin
    await locateBand(cog, 'B04', { plan, db: store, access });
    expect(access.tokens!.fetches).toBe(2);
    expect(handed[mine + 1]).not.toBe(handed[mine]);
    expect(gdal.config.get('AZURE_STORAGE_CONNECTION_STRING')).toContain(handed[mine + 1]!);
    expect(await read()).toEqual(pixelsBefore);
    const again = await downloadWhole(bandSourceOf(stripped.bandUris['B04']!), join(dir, 'sas', 'b.tif'), { access, http: plan.http, what: 'x' });
    expect(again.bytes).toBeGreaterThan(0);
    expect(access.tokens!.fetches).toBe(2);

    // A token that cannot be renewed stops the run, with the token redacted.
    clock += 60 * 60_000;
    failNext = true;
    const error = (await preprocessItems({ plan, db: store, state: '17', items: jp2, access }).catch((e: unknown) => e)) as Error;
    failNext = false;
    expect(error).toMatchObject({ code: 'SAS_TOKEN_FAILED' });
    expect(error.message).not.toContain(handed[mine + 1]!);

    // The catalog (biomass index) lists with a token from the same endpoint.
    const catalog = openCatalog({ uri: 'azure://tiles/cog', connection: endpointOnly, account: ACCOUNT, tokenUrl, layout: 'simple', bands: ['B04'], season: ONE_DATE });
    expect((await catalog.listItems('16TCK')).map((i) => i.date)).toEqual(['2024-06-01']);
  });

  it('reaches datasets GDAL already holds open: the block reader reopens them after a renewal, before the old token is refused', async () => {
    const endpointOnly = `BlobEndpoint=http://127.0.0.1:${azurite.port}/${ACCOUNT};`;
    const plan = await planWith('token-reopen', `{ uri: "azure://tiles", connection: "\${CONN}", account: "${ACCOUNT}", token_url: "${tokenUrl}", layout: simple, bands: [B04] }`, { CONN: endpointOnly });
    const access = new TileAccess({ name: 'azurite', container: 'tiles', connection: endpointOnly, account: ACCOUNT, tokenUrl, http: plan.http, now: () => clock });
    // The first token is bound to a stored access policy, so the test can revoke it at will.
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('tiles');
    await container.setAccessPolicy(undefined, [{ id: 'first', accessPolicy: { permissions: 'rl', startsOn: new Date(Date.now() - 60_000), expiresOn: new Date(Date.now() + 3_600_000) } }]);
    policyNext = 'first';
    const locator = (item: { itemId: string; bandUris: Record<string, string> }, band: string) => locateBand(item as LocatableItem, band, { plan, db: store, access });
    const renewing = new BlockReader({ locator, cache: new BlockCache({ maxBytes: 64 << 20, eviction: 'lru' }), maxOpen: 4, credentials: () => access.gdalCredentials() });
    const holding = new BlockReader({ locator, cache: new BlockCache({ maxBytes: 64 << 20, eviction: 'lru' }), maxOpen: 4 });
    try {
      const before = await renewing.block(cog, 'B04', 0, 0);
      await holding.block(cog, 'B04', 0, 0);
      expect(access.tokens!.fetches).toBe(1);

      clock += 9 * 60_000; // inside the renewal margin: the next read renews the token
      await container.setAccessPolicy(undefined, []); // and the first token stops working
      const firstToken = handed.at(-1)!;
      expect((await fetch(`http://127.0.0.1:${azurite.port}/${ACCOUNT}/tiles?restype=container&comp=list&${firstToken}`)).status).toBe(403);
      const after = await renewing.block(cog, 'B04', 1, 1);
      expect(access.tokens!.fetches).toBe(2);
      expect(renewing.figures().reopened).toBe(1);
      expect(after.length).toBe(before.length);
      // The same block read by plain GDAL with the fresh token: the same pixels.
      const ds = await gdal.openAsync((await locator(cog, 'B04')).gdalPath);
      expect(Array.from(await ds.bands.get(1).pixels.readBlockAsync(1, 1))).toEqual(Array.from(after));
      ds.close();
      // Why it matters: a dataset opened under the revoked token fails its next read (a block
      // far from the ones read, which GDAL's read-ahead may already hold).
      await expect(holding.block(cog, 'B04', 3, 3)).rejects.toThrow(/TIFFReadEncodedTile|403/);
      expect(Array.from(await renewing.block(cog, 'B04', 3, 3)).length).toBe(before.length);
    } finally {
      await renewing.close();
      await holding.close();
    }
  });
});
