/**
 * The ranged block reader against GDAL on files GDAL writes: for every layout it decodes
 * (DEFLATE or none; horizontal predictor or none; 8, 16 and 32-bit, signed and float; little
 * and big-endian; classic and BigTIFF; sparse blocks; partial edge blocks), every block equals
 * GDAL's own readBlock; layouts it does not decode are named, and its requests fetch exactly
 * the blocks asked for (adjacent ones merged).
 */
import { open, rm } from 'node:fs/promises';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { afterAll, describe, expect, it } from 'vitest';
import type { BandSource } from '../../src/tiles/band-source.js';
import { mergedRuns, RangedBlocks } from '../../src/tiles/ranged-blocks.js';
import { blockNumber } from '../../src/tiles/tiff-block-index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-ranged-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const W = 600, H = 530; // 3 x 3 blocks of 256, the last row and column partial

type Type = 'Byte' | 'UInt16' | 'Int16' | 'UInt32' | 'Float32' | 'Float64';
const GDT: Record<Type, string> = { Byte: gdal.GDT_Byte, UInt16: gdal.GDT_UInt16, Int16: gdal.GDT_Int16, UInt32: gdal.GDT_UInt32, Float32: gdal.GDT_Float32, Float64: gdal.GDT_Float64 };

/** Textured values: rows that vary, so the predictor and the byte order both matter. */
function values(type: Type): ArrayLike<number> {
  const n = W * H;
  switch (type) {
    case 'Byte': return Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i % W) * 3) % 251);
    case 'UInt16': return Uint16Array.from({ length: n }, (_, i) => 1000 + ((i * 7919) % 60_000));
    case 'Int16': return Int16Array.from({ length: n }, (_, i) => ((i * 7919) % 60_000) - 30_000);
    case 'UInt32': return Uint32Array.from({ length: n }, (_, i) => (i * 2_654_435_761) >>> 0);
    case 'Float32': return Float32Array.from({ length: n }, (_, i) => Math.sin(i / 97) * 1e3);
    case 'Float64': return Float64Array.from({ length: n }, (_, i) => Math.cos(i / 31) * 1e-3 + i);
  }
}

function write(name: string, type: Type, driver: 'COG' | 'GTiff', options: Record<string, string>, fill = true): string {
  const file = path.join(dir, name);
  const mem = gdal.open('', 'w', 'MEM', W, H, 1, GDT[type]);
  mem.srs = gdal.SpatialReference.fromEPSG(32616);
  mem.geoTransform = [400_000, 10, 0, 4_500_000, 0, -10];
  if (fill) {
    mem.bands.get(1).pixels.write(0, 0, W, H, values(type) as never);
    gdal.drivers.get(driver).createCopy(file, mem, options).close();
  } else {
    // Only the first block written: the others stay sparse (offset and size 0).
    const ds = gdal.drivers.get('GTiff').create(file, W, H, 1, GDT[type], options);
    ds.srs = mem.srs;
    ds.geoTransform = mem.geoTransform;
    ds.bands.get(1).noDataValue = 7;
    ds.bands.get(1).pixels.write(0, 0, 256, 256, (values(type) as Uint16Array).subarray(0, 256 * 256));
    ds.close();
  }
  mem.close();
  return file;
}

/** Ranged reads of a local file, counted. */
function fileReads() {
  const log: Array<{ offset: number; length: number }> = [];
  const read = async (source: BandSource, offset: number, length: number) => {
    if (source.kind !== 'file') throw new Error('local files only here');
    log.push({ offset, length });
    const handle = await open(source.path, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  };
  return { read, log };
}

const source = (file: string): BandSource => ({ kind: 'file', uri: `file://${file}`, path: file });

/** Every block, ranged and through GDAL, equal sample for sample (NaN-safe via the bytes). */
async function expectSameBlocks(file: string): Promise<void> {
  const ranged = new RangedBlocks(fileReads().read);
  const index = await ranged.index(source(file));
  expect(RangedBlocks.unsupported(index)).toBeUndefined();
  const coords: Array<[number, number]> = [];
  for (let by = 0; by < 3; by++) for (let bx = 0; bx < 3; bx++) coords.push([bx, by]);
  const ds = gdal.open(file);
  const band = ds.bands.get(1);
  const got = await ranged.blocks(source(file), index, coords, band.noDataValue ?? 0);
  for (const [k, [bx, by]] of coords.entries()) {
    const expected = band.pixels.readBlock(bx, by);
    expect(got[k]!.constructor).toBe(expected.constructor);
    expect(Buffer.from(got[k]!.buffer, got[k]!.byteOffset, got[k]!.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)), `${file} block ${bx},${by}`).toBe(true);
  }
  ds.close();
}

describe('ranged block reads decode as GDAL does', () => {
  const cases: Array<[string, Type, 'COG' | 'GTiff', Record<string, string>]> = [
    ['a UInt16 COG, DEFLATE and horizontal predictor (Sentinel-2 bands)', 'UInt16', 'COG', { COMPRESS: 'DEFLATE', PREDICTOR: 'YES', BLOCKSIZE: '256' }],
    ['a Byte COG, DEFLATE and predictor (SCL)', 'Byte', 'COG', { COMPRESS: 'DEFLATE', PREDICTOR: 'YES', BLOCKSIZE: '256' }],
    ['a UInt16 COG, DEFLATE without predictor', 'UInt16', 'COG', { COMPRESS: 'DEFLATE', BLOCKSIZE: '256' }],
    ['an uncompressed UInt16 COG', 'UInt16', 'COG', { COMPRESS: 'NONE', BLOCKSIZE: '256' }],
    ['a signed Int16 tiled GTiff with predictor', 'Int16', 'GTiff', { TILED: 'YES', BLOCKXSIZE: '256', BLOCKYSIZE: '256', COMPRESS: 'DEFLATE', PREDICTOR: '2' }],
    ['a UInt32 tiled GTiff with predictor', 'UInt32', 'GTiff', { TILED: 'YES', BLOCKXSIZE: '256', BLOCKYSIZE: '256', COMPRESS: 'DEFLATE', PREDICTOR: '2' }],
    ['a big-endian UInt16 tiled GTiff with predictor', 'UInt16', 'GTiff', { TILED: 'YES', BLOCKXSIZE: '256', BLOCKYSIZE: '256', COMPRESS: 'DEFLATE', PREDICTOR: '2', ENDIANNESS: 'BIG' }],
    ['a big-endian Float64 tiled GTiff', 'Float64', 'GTiff', { TILED: 'YES', BLOCKXSIZE: '256', BLOCKYSIZE: '256', COMPRESS: 'DEFLATE', ENDIANNESS: 'BIG' }],
    ['a Float32 BigTIFF', 'Float32', 'GTiff', { TILED: 'YES', BLOCKXSIZE: '256', BLOCKYSIZE: '256', COMPRESS: 'DEFLATE', BIGTIFF: 'YES' }],
  ];
  for (const [title, type, driver, options] of cases) {
    it(title, async () => expectSameBlocks(write(`${title.replace(/\W+/g, '-')}.tif`, type, driver, options)));
  }

  it('sparse blocks come back filled with the band no-data value, as GDAL fills them', async () => {
    const file = write('sparse.tif', 'UInt16', 'GTiff', { TILED: 'YES', BLOCKXSIZE: '256', BLOCKYSIZE: '256', COMPRESS: 'DEFLATE', SPARSE_OK: 'TRUE' }, false);
    const index = await new RangedBlocks(fileReads().read).index(source(file));
    expect(index.byteCounts.filter((n) => n === 0).length).toBe(8);
    await expectSameBlocks(file);
  });

  it('names the layouts it does not decode (GDAL reads those)', async () => {
    const ranged = new RangedBlocks(fileReads().read);
    const tiled = { TILED: 'YES', BLOCKXSIZE: '256', BLOCKYSIZE: '256' };
    expect(RangedBlocks.unsupported(await ranged.index(source(write('lzw.tif', 'UInt16', 'GTiff', { ...tiled, COMPRESS: 'LZW' }))))).toBe('compression 5 (only none and DEFLATE)');
    expect(RangedBlocks.unsupported(await ranged.index(source(write('zstd.tif', 'UInt16', 'GTiff', { ...tiled, COMPRESS: 'ZSTD' }))))).toBe('compression 50000 (only none and DEFLATE)');
    expect(RangedBlocks.unsupported(await ranged.index(source(write('fp.tif', 'Float32', 'GTiff', { ...tiled, COMPRESS: 'DEFLATE', PREDICTOR: '3' }))))).toBe('predictor 3 (only none and horizontal)');
    await expect(ranged.index(source(write('strips.tif', 'UInt16', 'GTiff', { COMPRESS: 'DEFLATE' })))).rejects.toThrow('TIFF tag 322 missing (not a tiled TIFF?)');
  });

  it('a damaged block is an error naming the sizes, not wrong pixels', async () => {
    const file = write('damaged.tif', 'UInt16', 'COG', { COMPRESS: 'NONE', BLOCKSIZE: '256' });
    const { read } = fileReads();
    const ranged = new RangedBlocks(read);
    const index = await ranged.index(source(file));
    const short = { ...index, byteCounts: index.byteCounts.map((n) => n - 2) };
    await expect(ranged.blocks(source(file), short, [[0, 0]])).rejects.toThrow('a 256x256 block decoded to 131070 bytes, not 131072: the file is damaged');
  });
});

describe('ranged block reads fetch exactly the blocks asked for', () => {
  it('one request per run of adjacent blocks, bytes within the blocks and the 8-byte gaps between them', async () => {
    const file = write('count.tif', 'UInt16', 'COG', { COMPRESS: 'DEFLATE', PREDICTOR: 'YES', BLOCKSIZE: '256' });
    const { read, log } = fileReads();
    const ranged = new RangedBlocks(read);
    const index = await ranged.index(source(file));
    expect(ranged.figures()).toMatchObject({ headerRequests: 1, requests: 0 });
    log.length = 0;
    // A row of three adjacent blocks, and one block on its own.
    const coords: Array<[number, number]> = [[0, 0], [1, 0], [2, 0], [1, 2]];
    await ranged.blocks(source(file), index, coords);
    const exact = coords.reduce((sum, [bx, by]) => sum + index.byteCounts[blockNumber(index, bx, by)]!, 0);
    expect(log).toHaveLength(2);
    const fetched = log.reduce((sum, r) => sum + r.length, 0);
    expect(fetched).toBeGreaterThanOrEqual(exact);
    expect(fetched).toBeLessThanOrEqual(exact + 2 * 8); // the leader and trailer between the three
    expect(ranged.figures()).toMatchObject({ requests: 2, bytes: fetched });
    expect(fetched).toBeLessThan(statSync(file).size / 2);
  });

  it('merges blocks whose gap is at most maxGap, in file order', () => {
    const b = (offset: number, size: number) => ({ offset, size });
    expect(mergedRuns([b(300, 10), b(100, 100), b(205, 50)], 5)).toEqual([[b(100, 100), b(205, 50)], [b(300, 10)]]);
    expect(mergedRuns([b(100, 100), b(206, 50)], 5)).toEqual([[b(100, 100)], [b(206, 50)]]);
    expect(mergedRuns([b(0, 10), b(5, 10)], 0)).toEqual([[b(0, 10), b(5, 10)]]);
    expect(mergedRuns([], 5)).toEqual([]);
  });
});
