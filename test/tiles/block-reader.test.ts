/**
 * The block reader on COGs written here: windows assembled from blocks equal GDAL's own
 * window reads (across block edges), SCL at 20 m lands on the 10 m grid by nearest
 * neighbour, each block is read once through the cache, reads are counted by path, and the
 * TIFF block index agrees with the file.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { beforeAll, describe, expect, it } from 'vitest';
import { BlockCache } from '../../src/tiles/block-cache.js';
import { BlockReader, defaultBandLocator, type BlockPixels } from '../../src/tiles/block-reader.js';
import { blocksOf, pixelBox, readSclOnGrid, readWindow, unionBox } from '../../src/tiles/batch-window.js';
import { parseTiffBlockIndex } from '../../src/tiles/tiff-block-index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-blocks-'));
const N = 700; // 10 m pixels: 3 x 3 blocks of 256
const X0 = 400_000, Y0 = 4_500_000;
let red: Uint16Array;
let scl: Uint8Array;

function cog(file: string, size: number, pixel: number, values: Uint16Array | Uint8Array, type: string): void {
  const mem = gdal.open('', 'w', 'MEM', size, size, 1, type === 'Byte' ? gdal.GDT_Byte : gdal.GDT_UInt16);
  mem.srs = gdal.SpatialReference.fromEPSG(32616);
  mem.geoTransform = [X0, pixel, 0, Y0, 0, -pixel];
  mem.bands.get(1).pixels.write(0, 0, size, size, values);
  gdal.drivers.get('COG').createCopy(file, mem, { COMPRESS: 'DEFLATE', BLOCKSIZE: '256' }).close();
  mem.close();
}

const item = () => ({ itemId: 'T1_2024-07-01', bandUris: { B04: `file://${dir}/B04.tif`, SCL: `file://${dir}/SCL.tif` } });

beforeAll(() => {
  red = Uint16Array.from({ length: N * N }, (_, i) => 1 + ((i * 7919) % 9000));
  scl = Uint8Array.from({ length: (N / 2) * (N / 2) }, (_, i) => (i * 31) % 12);
  cog(path.join(dir, 'B04.tif'), N, 10, red, 'UInt16');
  cog(path.join(dir, 'SCL.tif'), N / 2, 20, scl, 'Byte');
});

describe('block reader', () => {
  it('maps index URIs to read paths', async () => {
    expect(await defaultBandLocator({ itemId: 'i', bandUris: { B04: 'file:///data/t/B04.tif' } }, 'B04')).toEqual({ path: 'local', gdalPath: '/data/t/B04.tif' });
    expect(await defaultBandLocator({ itemId: 'i', bandUris: { B04: 'azure://sentinel2-l2/16/T/CK/B04.tif' } }, 'B04')).toEqual({ path: 'streamed', gdalPath: '/vsiaz/sentinel2-l2/16/T/CK/B04.tif' });
    await expect(defaultBandLocator({ itemId: 'i', bandUris: {} }, 'B08')).rejects.toMatchObject({ code: 'BAND_MISSING' });
  });

  it('assembles windows across block edges equal to GDAL window reads, each block read once', async () => {
    const cache = new BlockCache<BlockPixels>({ maxBytes: 64 << 20, eviction: 'lru' });
    const reader = new BlockReader({ locator: defaultBandLocator, cache, maxOpen: 4 });
    const info = await reader.info(item(), 'B04');
    expect([info.blockWidth, info.blockHeight, info.width]).toEqual([256, 256, N]);
    // Two parcels either side of the block edge at column 256 and one on the last (partial) block.
    const boxes = [
      pixelBox([X0 + 2_400, Y0 - 3_000, X0 + 2_700, Y0 - 2_500], info)!,
      pixelBox([X0 + 2_550, Y0 - 5_300, X0 + 2_620, Y0 - 5_100], info)!,
      pixelBox([X0 + 6_800, Y0 - 6_990, X0 + 7_100, Y0 - 6_700], info)!,
    ];
    expect(boxes[2]).toMatchObject({ col1: N, row1: N }); // clipped to the raster
    const window = unionBox(boxes)!;
    const got = await readWindow(reader, item(), 'B04', info, window, boxes, (n) => new Uint16Array(n));
    const width = window.col1 - window.col0;
    for (const b of boxes) {
      for (let r = b.row0; r < b.row1; r++) {
        for (let c = b.col0; c < b.col1; c++) expect(got[(r - window.row0) * width + c - window.col0]).toBe(red[r * N + c]);
      }
    }
    const blocks = blocksOf(boxes, 256, 256).length;
    expect(reader.figures().byPath.local.blocks).toBe(blocks);
    await readWindow(reader, item(), 'B04', info, window, boxes, (n) => new Uint16Array(n));
    expect(reader.figures().byPath.local).toEqual({ blocks, bytes: blocks * 256 * 256 * 2 });
    expect(reader.figures().byPath.streamed.blocks).toBe(0);
    expect(cache.figures().hits).toBe(blocks);
    await reader.close();
  });

  it('puts SCL on the 10 m grid by nearest neighbour', async () => {
    const reader = new BlockReader({ locator: defaultBandLocator, cache: new BlockCache({ maxBytes: 64 << 20, eviction: 'plan-aware' }), maxOpen: 4 });
    const fine = await reader.info(item(), 'B04');
    const coarse = await reader.info(item(), 'SCL');
    const boxes = [pixelBox([X0 + 5_001, Y0 - 5_333, X0 + 5_333, Y0 - 5_001], fine)!];
    const window = boxes[0]!;
    const got = await readSclOnGrid(reader, item(), 'SCL', fine, coarse, window, boxes);
    const width = window.col1 - window.col0;
    for (let r = window.row0; r < window.row1; r++) {
      for (let c = window.col0; c < window.col1; c++) expect(got[(r - window.row0) * width + c - window.col0]).toBe(scl[Math.floor(r / 2) * (N / 2) + Math.floor(c / 2)]);
    }
    await reader.close();
  });

  it('reads the block index of a COG from its first bytes', () => {
    const file = path.join(dir, 'B04.tif');
    const bytes = new Uint8Array(readFileSync(file));
    const index = parseTiffBlockIndex(bytes.subarray(0, 16_384));
    expect(index).toMatchObject({ width: N, height: N, tileWidth: 256, tileHeight: 256 });
    expect(index.offsets).toHaveLength(9);
    const size = statSync(file).size;
    for (let k = 0; k < 9; k++) expect(index.offsets[k]! + index.byteCounts[k]!).toBeLessThanOrEqual(size);
    expect(index.byteCounts.reduce((a, b) => a + b, 0)).toBeLessThan(size);
    expect(index.headerBytes).toBeLessThan(16_384);
    expect(() => parseTiffBlockIndex(bytes.subarray(0, 200))).toThrow(RangeError);
  });
});
