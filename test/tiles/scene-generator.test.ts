// Generated scenes: real footprint and CRS, realistic value ranges, clouds in SCL on a share
// of dates, deterministic, and the three output formats with their block structure.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import gdal from 'gdal-async';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { boaOffset, ndviOf } from '../../src/biomass/reflectance.js';
import { generateScenes, type GeneratedScene } from '../../src/tiles/scene-generator.js';
import { openTileStore } from '../../src/tiles/open-tile-store.js';

let geo: Geography;
let dir: string;
beforeAll(async () => {
  geo = await loadGeography();
  dir = await mkdtemp(join(tmpdir(), 'scenes-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const season = { start: '2024-06-01', end: '2024-07-30' }; // 60 days -> 12 dates at 5 days

async function generate(format: 'cog' | 'gtiff' | 'jp2', sub: string, extra: Partial<Parameters<typeof generateScenes>[0]> = {}): Promise<GeneratedScene[]> {
  const store = openTileStore({ uri: `file://${join(dir, sub)}`, season });
  return generateScenes({ geography: geo, tiles: ['16TCK'], season, store, format, pixelSize: 549, layout: 'simple', cloudyShare: 0.5, ...extra });
}

function read(href: string) {
  const ds = gdal.open(fileURLToPath(href));
  const band = ds.bands.get(1);
  const values = band.pixels.read(0, 0, ds.rasterSize.x, ds.rasterSize.y) as Uint16Array | Uint8Array;
  return { ds, band, values };
}

describe('scene generator', () => {
  it('writes DEFLATE tiled COGs at the tile footprint in its UTM CRS, with realistic values and clouds in SCL', async () => {
    const scenes = await generate('cog', 'cog');
    expect(scenes).toHaveLength(12);
    const fp = geo.tileFootprint('16TCK');
    const cloudyDates = scenes.filter((s) => s.cloudy).length;
    expect(cloudyDates).toBeGreaterThan(0);
    expect(cloudyDates).toBeLessThan(12);
    for (const scene of scenes) {
      const b04 = read(scene.bands['B04']!);
      expect(b04.ds.driver.description).toBe('GTiff');
      expect(b04.ds.rasterSize).toEqual({ x: 200, y: 200 });
      expect(b04.ds.geoTransform).toEqual([fp.minX, 549, 0, fp.maxY, 0, -549]);
      expect(b04.ds.srs!.getAuthorityCode()).toBe('32616');
      expect(b04.ds.getMetadata('IMAGE_STRUCTURE')['COMPRESSION']).toBe('DEFLATE');
      expect(b04.ds.getMetadata('IMAGE_STRUCTURE')['LAYOUT']).toBe('COG');
      expect(b04.band.blockSize).toEqual({ x: 512, y: 512 }); // tiled: square blocks, not strips
      const b08 = read(scene.bands['B08']!);
      const scl = read(scene.bands['SCL']!);
      expect(scl.ds.rasterSize).toEqual({ x: 100, y: 100 }); // SCL at twice the pixel size
      expect(scl.band.dataType).toBe(gdal.GDT_Byte);
      const classes = new Set(scl.values);
      for (const c of classes) expect([3, 4, 5, 6, 8, 9, 10]).toContain(c);
      const clouds = [...scl.values].filter((v) => v === 8 || v === 9 || v === 10).length;
      if (scene.cloudy) expect(clouds).toBeGreaterThan(0);
      else expect(clouds).toBe(0);
      // Reflectance x 10,000: red 200-5,000 on clear land, NIR higher than red where it is green.
      let vegetated = 0;
      let min = Infinity, maxRed = 0, maxNir = 0;
      for (let i = 0; i < b04.values.length; i++) {
        min = Math.min(min, b04.values[i]!, b08.values[i]!);
        maxRed = Math.max(maxRed, b04.values[i]!);
        maxNir = Math.max(maxNir, b08.values[i]!);
        if (b08.values[i]! > 2 * b04.values[i]!) vegetated++;
      }
      expect(min).toBeGreaterThan(0);
      expect(maxRed).toBeLessThanOrEqual(10_000);
      expect(maxNir).toBeLessThanOrEqual(12_000);
      expect(vegetated / b04.values.length).toBeGreaterThan(0.3); // June-July in Illinois is green
      b04.ds.close(); b08.ds.close(); scl.ds.close();
    }
  });

  it('follows the season: NDVI of cropland rises from June to late July', async () => {
    const scenes = (await generate('cog', 'cog-season', { cloudyShare: 0 })).sort((a, b) => a.date.localeCompare(b.date));
    const meanNdvi = (scene: GeneratedScene) => {
      const red = read(scene.bands['B04']!).values;
      const nir = read(scene.bands['B08']!).values;
      let sum = 0;
      for (let i = 0; i < red.length; i++) sum += (nir[i]! - red[i]!) / (nir[i]! + red[i]!);
      return sum / red.length;
    };
    expect(meanNdvi(scenes.at(-1)!)).toBeGreaterThan(meanNdvi(scenes[0]!) + 0.05);
  });

  it('is deterministic, and writes stripped GeoTIFF and JPEG2000 with the same pixels', async () => {
    const [cogA] = await generate('cog', 'det-a');
    const [cogB] = await generate('cog', 'det-b');
    const [tif] = await generate('gtiff', 'det-tif');
    const [jp2] = await generate('jp2', 'det-jp2');
    const a = read(cogA!.bands['B08']!);
    const b = read(cogB!.bands['B08']!);
    expect(Buffer.from(a.values.buffer).equals(Buffer.from(b.values.buffer))).toBe(true);

    const t = read(tif!.bands['B08']!);
    expect(t.ds.getMetadata('IMAGE_STRUCTURE')['COMPRESSION']).toBe('DEFLATE');
    expect(t.band.blockSize.x).toBe(200); // strips span the full width: not windowed-readable
    expect(Buffer.from(t.values.buffer).equals(Buffer.from(a.values.buffer))).toBe(true);

    const j = read(jp2!.bands['B08']!);
    expect(j.ds.driver.description).toBe('JP2OpenJPEG');
    expect(jp2!.bands['B08']).toMatch(/\/16TCK\/2024-06-01\/B08\.jp2$/);
    expect(j.ds.srs!.getAuthorityCode()).toBe('32616');
    expect(Buffer.from(j.values.buffer).equals(Buffer.from(a.values.buffer))).toBe(true); // lossless
  });

  it('adds the +1,000 DN of baseline 04.00 and later to products named for it (planetary-computer layout), and only to those', async () => {
    const [simple] = await generate('cog', 'offset-simple', { cloudyShare: 0 });
    const [pc] = await generate('cog', 'offset-pc', { cloudyShare: 0, layout: 'planetary-computer' });
    expect(pc!.product).toMatch(/_N0510_/);
    expect(boaOffset({ product: pc!.product })).toBe(-1000);
    expect(boaOffset({ product: simple!.product })).toBe(0);
    for (const band of ['B04', 'B08']) {
      const a = read(simple!.bands[band]!).values;
      const b = read(pc!.bands[band]!).values;
      for (let i = 0; i < a.length; i++) expect(b[i], `${band} ${i}`).toBe(a[i]! + 1000);
    }
    // SCL is a class, not a reflectance: unchanged.
    expect(Buffer.from(read(pc!.bands['SCL']!).values.buffer).equals(Buffer.from(read(simple!.bands['SCL']!).values.buffer))).toBe(true);
    // So both give the same NDVI once each product's offset is applied.
    const [r0, n0] = [read(simple!.bands['B04']!).values, read(simple!.bands['B08']!).values];
    const [r1, n1] = [read(pc!.bands['B04']!).values, read(pc!.bands['B08']!).values];
    expect(ndviOf(r1[123]!, n1[123]!, -1000)).toBeCloseTo(ndviOf(r0[123]!, n0[123]!, 0), 12);
  });

  it('refuses a pixel size that does not divide the footprint', async () => {
    await expect(generate('cog', 'bad', { pixelSize: 7 })).rejects.toThrow(/pixel size 7 m does not divide/);
  });
});
