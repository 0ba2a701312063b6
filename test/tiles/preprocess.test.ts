// Preprocessing generated scenes in the three formats, on a real PostgreSQL database: the
// probe classifies each format, only non-streamable originals are converted (when-needed),
// the copies are valid COGs equal in every pixel to their source with their hashes recorded,
// an interrupted run resumes, a corrupted output is found by its hash and redone, bad
// inputs fail one item each while the others go on, and the originals never change.
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import gdal from 'gdal-async';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import { listPreprocessedTiles } from '../../src/db/preprocessed-tiles-repository.js';
import type { Store } from '../../src/db/store.js';
import { getProbe } from '../../src/db/tile-probes-repository.js';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import type { Plan } from '../../src/plan/plan.js';
import { locateBand, type LocatableItem } from '../../src/tiles/band-location.js';
import { bandSourceOf } from '../../src/tiles/band-source.js';
import { convertedPathOf, preprocessItems } from '../../src/tiles/preprocess-items.js';
import { PROBE_BYTES, probeBand } from '../../src/tiles/streamability-probe.js';
import { tileAccessOf } from '../../src/tiles/tile-access.js';
import { sha256Of } from '../../src/tiles/whole-download.js';
import { TEST_POOL } from '../db/backends.js';
import { useFreshDatabase } from '../support/postgres.js';
import { folderItems, writePlan } from './tile-fixtures.js';

const database = useFreshDatabase();
let geo: Geography;
let dir: string;
let store: Store;
const items: Record<'cog' | 'gtiff' | 'jp2', LocatableItem[]> = { cog: [], gtiff: [], jp2: [] };
let originalHashes: Map<string, string>;

beforeAll(async () => {
  geo = await loadGeography();
  dir = await mkdtemp(join(tmpdir(), 'preprocess-test-'));
  store = await openStore(database.url, '', TEST_POOL);
  await migrate(store, 'state');
  // One MGRS tile per format, so item ids (tile/date) differ between formats.
  const tiles = { cog: '16TCK', gtiff: '16TBK', jp2: '16TCL' } as const;
  for (const format of ['cog', 'gtiff', 'jp2'] as const) items[format] = await folderItems(geo, join(dir, 'tiles', format), format, { tiles: [tiles[format]] });
  originalHashes = await hashesOf(Object.values(items).flat());
}, 300_000);

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

async function hashesOf(list: LocatableItem[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const item of list) for (const uri of Object.values(item.bandUris)) out.set(uri, await sha256Of(fileURLToPath(uri)));
  return out;
}

async function planIn(name: string, preprocess = 'when-needed'): Promise<Plan> {
  const { plan } = await writePlan(dir, { name, tiles: `{ uri: "file://${join(dir, 'tiles')}", layout: simple, preprocess: ${preprocess} }`, storageDir: join(dir, 'storage', name), databaseUrl: database.url });
  return plan;
}

function pixels(path: string): { values: ArrayLike<number>; ds: gdal.Dataset } {
  const ds = gdal.open(path);
  return { ds, values: ds.bands.get(1).pixels.read(0, 0, ds.rasterSize.x, ds.rasterSize.y) as ArrayLike<number> };
}

describe('the streamability probe', () => {
  it('classifies COGs as streamable and stripped GeoTIFF and JPEG2000 as not, in at most two range requests', async () => {
    const access = tileAccessOf(await planIn('probe'));
    const expected = { cog: ['cog', true], gtiff: ['stripped-tiff', false], jp2: ['jpeg2000', false] } as const;
    for (const format of ['cog', 'gtiff', 'jp2'] as const) {
      for (const uri of Object.values(items[format][0]!.bandUris)) {
        const result = await probeBand(bandSourceOf(uri), access);
        expect([result.format, result.streamable], `${format} ${uri}`).toEqual(expected[format]);
        expect(result.requests).toBeLessThanOrEqual(2);
        expect(result.bytes).toBeLessThanOrEqual(2 * PROBE_BYTES); // at most two header reads, whatever the file's size
      }
    }
  });

  it('calls a tiled GeoTIFF whose header is at its end streamable, and a truncated file unknown', async () => {
    const access = tileAccessOf(await planIn('probe2'));
    const src = fileURLToPath(items.gtiff[0]!.bandUris['B04']!);
    const tiled = join(dir, 'tiled-header-last.tif');
    // GTiff with TILED=YES writes the IFD after the data: a second request reaches it.
    gdal.drivers.get('GTiff').createCopy(tiled, gdal.open(src), { TILED: 'YES', BLOCKXSIZE: '256', BLOCKYSIZE: '256', COMPRESS: 'LZW' }).close();
    const tiledResult = await probeBand(bandSourceOf(pathToFileURL(tiled).href), access);
    expect(tiledResult.streamable).toBe(true);
    expect(['tiled-tiff', 'cog']).toContain(tiledResult.format);
    const short = join(dir, 'truncated.tif');
    await copyFile(src, short);
    await truncate(short, 6);
    expect(await probeBand(bandSourceOf(pathToFileURL(short).href), access)).toMatchObject({ streamable: false, format: 'unknown' });
  });
});

describe('preprocessing', () => {
  it('converts exactly the non-streamable originals to valid COGs equal in pixels, with their hashes recorded', async () => {
    const plan = await planIn('convert');
    const all = Object.values(items).flat();
    const summary = await preprocessItems({ plan, db: store, state: '17', items: all });
    expect(summary.failed).toEqual([]);
    expect(summary.converted).toBe(items.gtiff.length * 3 + items.jp2.length * 3);
    expect(summary.skippedStreamable).toBe(items.cog.length * 3);
    const records = await listPreprocessedTiles(store, plan.name, 'ready');
    expect(records.map((r) => r.itemId).sort()).toEqual([...items.gtiff, ...items.jp2].flatMap((i) => [i.itemId, i.itemId, i.itemId]).sort());
    for (const item of [...items.gtiff, ...items.jp2]) {
      for (const [band, uri] of Object.entries(item.bandUris)) {
        const record = records.find((r) => r.itemId === item.itemId && r.band === band)!;
        expect(record.path).toBe(convertedPathOf(plan.storage.dir, '17', item.itemId, band));
        expect(record.sha256).toBe(await sha256Of(record.path));
        const copy = pixels(record.path);
        const original = pixels(fileURLToPath(uri));
        expect(copy.ds.getMetadata('IMAGE_STRUCTURE')['LAYOUT']).toBe('COG');
        expect(copy.ds.bands.get(1).blockSize).toEqual({ x: 256, y: 256 });
        expect(copy.ds.geoTransform).toEqual(original.ds.geoTransform);
        expect(copy.ds.srs!.isSame(original.ds.srs!)).toBe(true);
        expect(Array.from(copy.values)).toEqual(Array.from(original.values));
        expect((await probeBand(bandSourceOf(pathToFileURL(record.path).href), tileAccessOf(plan))).format).toBe('cog');
        copy.ds.close();
        original.ds.close();
      }
    }
    // The probe's verdicts are stored per item and band.
    expect(await getProbe(store, plan.name, items.jp2[0]!.itemId, 'B08')).toMatchObject({ streamable: false, format: 'jpeg2000' });
    expect(await getProbe(store, plan.name, items.cog[0]!.itemId, 'SCL')).toMatchObject({ streamable: true, format: 'cog' });

    // Reads go to the converted copy when there is one, else to the original in place.
    const access = tileAccessOf(plan);
    expect(await locateBand(items.jp2[0]!, 'B04', { plan, db: store, access })).toMatchObject({ path: 'local', gdalPath: records.find((r) => r.itemId === items.jp2[0]!.itemId && r.band === 'B04')!.path });
    expect(await locateBand(items.cog[0]!, 'B04', { plan, db: store, access })).toMatchObject({ path: 'streamed', gdalPath: fileURLToPath(items.cog[0]!.bandUris['B04']!) });

    // A second run converts nothing.
    const again = await preprocessItems({ plan, db: store, state: '17', items: all });
    expect(again).toMatchObject({ converted: 0, alreadyDone: summary.converted, skippedStreamable: summary.skippedStreamable, failed: [] });
    expect(await hashesOf(all)).toEqual(originalHashes);
  }, 300_000);

  it('with preprocess: always converts every original, and with never none', async () => {
    const always = await preprocessItems({ plan: await planIn('always', 'always'), db: store, state: '17', items: items.cog });
    expect(always).toMatchObject({ converted: items.cog.length * 3, skippedStreamable: 0 });
    const never = await preprocessItems({ plan: await planIn('never', 'never'), db: store, state: '17', items: items.jp2 });
    expect(never).toMatchObject({ converted: 0, skippedStreamable: items.jp2.length * 3 });
  });

  it('resumes an interrupted run, and redoes an output whose hash differs from its record or a leftover .tmp', async () => {
    const plan = await planIn('resume');
    const list = [...items.gtiff, ...items.jp2];
    const stop = new AbortController();
    // Interrupt after the first item is done.
    await expect(preprocessItems({ plan, db: store, state: '17', items: list, parallelJobs: 1, signal: stop.signal, onProgress: (p) => { if (p.itemsDone === 1) stop.abort(); } }))
      .rejects.toMatchObject({ code: 'ABORTED' });
    const partial = await listPreprocessedTiles(store, plan.name, 'ready');
    expect(partial.length).toBeGreaterThanOrEqual(3);
    expect(partial.length).toBeLessThan(list.length * 3);

    const resumed = await preprocessItems({ plan, db: store, state: '17', items: list });
    expect(resumed.alreadyDone).toBe(partial.length);
    expect(resumed.converted).toBe(list.length * 3 - partial.length);
    expect(resumed.failed).toEqual([]);

    // Corrupt one output (same size, other bytes) and leave a .tmp beside another.
    const [corrupt, leftover] = await listPreprocessedTiles(store, plan.name, 'ready');
    const size = (await stat(corrupt!.path)).size;
    await writeFile(corrupt!.path, Buffer.alloc(size, 7));
    await writeFile(`${leftover!.path}.tmp`, 'half a file');
    const redone = await preprocessItems({ plan, db: store, state: '17', items: list });
    expect(redone).toMatchObject({ converted: 2, redone: 2, failed: [] });
    const after = await listPreprocessedTiles(store, plan.name, 'ready');
    const fixed = after.find((r) => r.itemId === corrupt!.itemId && r.band === corrupt!.band)!;
    expect(await sha256Of(fixed.path)).toBe(fixed.sha256);
    expect(gdal.open(fixed.path).rasterSize.x).toBeGreaterThan(0);
    await expect(stat(`${leftover!.path}.tmp`)).rejects.toThrow();
    expect(await hashesOf(Object.values(items).flat())).toEqual(originalHashes);
  });
});

describe('bad input', () => {
  it('fails truncated, non-raster and off-grid files one by one, naming item and band, while the others go on', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad, { recursive: true });
    const [good, truncated, text, offGrid] = items.jp2.concat(items.gtiff).slice(0, 4).map((i) => structuredClone(i));
    const copyTo = async (item: LocatableItem, band: string, name: string) => {
      const target = join(bad, name);
      await copyFile(fileURLToPath(item.bandUris[band]!), target);
      item.bandUris[band] = pathToFileURL(target).href;
      return target;
    };
    const t = await copyTo(truncated!, 'B04', 'truncated.jp2');
    await truncate(t, Math.floor((await stat(t)).size / 3));
    truncated!.itemId = `${truncated!.itemId.split('/')[0]}/2024-08-01`;
    const x = await copyTo(text!, 'B08', 'notes.tif');
    await writeFile(x, 'this is not a raster\n'.repeat(100));
    text!.itemId = `${text!.itemId.split('/')[0]}/2024-08-02`;
    // The right pixels but labelled as another tile: its CRS and extent contradict the grid.
    offGrid!.itemId = `15TYE/${offGrid!.itemId.split('/')[1]}`;
    const plan = await planIn('bad');
    const summary = await preprocessItems({ plan, db: store, state: '17', items: [good!, truncated!, text!, offGrid!] });
    const reasons = summary.failed.map((f) => `${f.itemId} ${f.band} ${f.code}`);
    // A truncated JPEG2000 opens (its header is intact) and fails when its blocks are decoded.
    const cut = summary.failed.find((f) => f.itemId === truncated!.itemId)!;
    expect(cut.band).toBe('B04');
    expect(cut.reason).toMatch(/truncated/);
    expect(reasons).toContain(`${text!.itemId} B08 NOT_RASTER`);
    expect(reasons.filter((r) => r.startsWith(offGrid!.itemId)).every((r) => r.endsWith('GRID_MISMATCH'))).toBe(true);
    expect(summary.failed.every((f) => f.reason.includes(`item ${f.itemId} band ${f.band}`))).toBe(true);
    // The good item and the good bands of the bad items were converted.
    expect(summary.converted).toBe(3 + 2 + 2);
    const failedRows = (await listPreprocessedTiles(store, plan.name, 'failed'));
    expect(failedRows.map((r) => r.error).every((e) => e && e.length > 0)).toBe(true);
    expect(failedRows).toHaveLength(summary.failed.length);
  });

  it('refuses a conversion that would take free space below storage.min_free, naming free, need and fix', async () => {
    const { plan } = await writePlan(dir, {
      name: 'full', tiles: `{ uri: "file://${join(dir, 'tiles')}", layout: simple }`, storageDir: join(dir, 'storage', 'full'), databaseUrl: database.url,
    });
    plan.storage.minFreeBytes = Number.MAX_SAFE_INTEGER;
    const error = await preprocessItems({ plan, db: store, state: '17', items: items.jp2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORAGE_LOW' });
    expect((error as Error).message).toMatch(/free under .* it needs .* storage\.min_free/);
    plan.storage.minFreeBytes = 0;
    plan.storage.budgetBytes = 1000;
    expect(await preprocessItems({ plan, db: store, state: '17', items: items.jp2 }).catch((e: unknown) => e)).toMatchObject({ code: 'STORAGE_BUDGET' });
    expect(await readdir(join(dir, 'storage', 'full', '17')).catch(() => [])).toEqual([]);
  });
});
