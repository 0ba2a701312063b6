/**
 * `biomass zonal` end to end on files written here: a UTM raster and polygon layers in UTM
 * and in lon/lat. Centre coverage is checked against gdal_rasterize (Debian gdal-bin) on
 * polygons whose edges avoid pixel centres (on edges the two conventions differ, FACTS.md),
 * through gdal-async's rasterize (the gdal_rasterize library; the binary is not always installed);
 * fractional coverage against exact clipped areas computed in the test.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zonalStatistics } from '../../src/biomass/zonal-statistics.js';
import { runBiomass } from '../support/cli.js';
import { referenceFractional } from './reference-coverage.js';

const W = 120, H = 100, X0 = 300_000, Y0 = 4_500_000, PX = 10, NODATA = -9999;
let dir: string;
let values: Float32Array;

/** Polygons in UTM metres: [name, rings of one or more polygons]. */
const shapes: Array<[string, number[][][]]> = [
  ['quad', [[[X0 + 33.3, Y0 - 41.7, X0 + 251.9, Y0 - 22.2, X0 + 287.4, Y0 - 236.1, X0 + 61.2, Y0 - 198.8]]]],
  ['holed', [[[X0 + 412.2, Y0 - 31.1, X0 + 803.3, Y0 - 31.1, X0 + 803.3, Y0 - 377.7, X0 + 412.2, Y0 - 377.7],
    [X0 + 512.1, Y0 - 121.3, X0 + 633.3, Y0 - 121.3, X0 + 633.3, Y0 - 244.4, X0 + 512.1, Y0 - 244.4]]]],
  ['multi', [[[X0 + 100.3, Y0 - 500.2, X0 + 222.7, Y0 - 500.2, X0 + 160.1, Y0 - 640.9]],
    [[X0 + 255.2, Y0 - 520.4, X0 + 388.1, Y0 - 530.2, X0 + 370.3, Y0 - 690.6, X0 + 262.2, Y0 - 660.3]]]],
  ['sliver', [[[X0 + 900.2, Y0 - 100.3, X0 + 1150.7, Y0 - 600.6, X0 + 1152.9, Y0 - 601.1]]]],
  ['edge', [[[X0 + 1100.4, Y0 - 800.3, X0 + 1260.6, Y0 - 800.3, X0 + 1260.6, Y0 - 1080.2, X0 + 1100.4, Y0 - 1080.2]]]],
  ['outside', [[[X0 - 500.3, Y0 + 200.1, X0 - 300.2, Y0 + 200.1, X0 - 300.2, Y0 + 50.2]]]],
];

function writeLayer(file: string, epsg: number): void {
  const ds = gdal.open(file, 'w', 'GPKG');
  const layer = ds.layers.create('shapes', gdal.SpatialReference.fromEPSG(epsg), gdal.wkbMultiPolygon);
  layer.fields.add(new gdal.FieldDefn('name', gdal.OFTString));
  layer.fields.add(new gdal.FieldDefn('burn', gdal.OFTInteger));
  const utm = gdal.SpatialReference.fromEPSG(32616);
  const lonLat = gdal.SpatialReference.fromUserInput('OGC:CRS84');
  const toTarget = epsg === 32616 ? undefined : new gdal.CoordinateTransformation(utm, lonLat);
  shapes.forEach(([name, polygons], i) => {
    const multi = new gdal.MultiPolygon();
    for (const rings of polygons) {
      const polygon = new gdal.Polygon();
      for (const xy of rings) {
        const ring = new gdal.LinearRing();
        for (let k = 0; k < xy.length; k += 2) ring.points.add(xy[k]!, xy[k + 1]!);
        ring.points.add(xy[0]!, xy[1]!);
        polygon.rings.add(ring);
      }
      multi.children.add(polygon);
    }
    if (toTarget) multi.transform(toTarget);
    const feature = new gdal.Feature(layer);
    feature.fields.set('name', name);
    feature.fields.set('burn', i + 1);
    feature.setGeometry(multi);
    layer.features.add(feature);
  });
  ds.close();
}

function parseCsv(text: string): Map<string, number[]> {
  const [header, ...lines] = text.trim().split('\n');
  expect(header).toBe('id,count,sum,mean,min,max');
  return new Map(lines.map((line) => {
    const [id, ...rest] = line.split(',');
    return [id!, rest.map((v) => (v === '' ? NaN : Number(v)))];
  }));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'biomass-zonal-'));
  values = new Float32Array(W * H);
  for (let i = 0; i < values.length; i++) values[i] = i % 53 === 0 ? NODATA : Math.round(Math.sin(i * 0.37) * 1000) / 8 + (i % 7);
  const ds = gdal.open(path.join(dir, 'band.tif'), 'w', 'GTiff', W, H, 1, gdal.GDT_Float32);
  ds.srs = gdal.SpatialReference.fromEPSG(32616);
  ds.geoTransform = [X0, PX, 0, Y0, 0, -PX];
  ds.bands.get(1).noDataValue = NODATA;
  ds.bands.get(1).pixels.write(0, 0, W, H, values);
  ds.close();
  writeLayer(path.join(dir, 'utm.gpkg'), 32616);
  writeLayer(path.join(dir, 'lonlat.gpkg'), 4326);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('biomass zonal', () => {
  it('agrees with gdal_rasterize off the edges (centre rule), one row per feature in layer order', async () => {
    const result = await runBiomass(['zonal', 'band.tif', 'utm.gpkg', '--id-field', 'name', '--csv', 'centre.csv', '--workers', '2'], { cwd: dir });
    expect(result.stderr).toContain('6 features');
    expect(result.code).toBe(0);
    const rows = parseCsv(await readFile(path.join(dir, 'centre.csv'), 'utf8'));
    expect([...rows.keys()]).toEqual(shapes.map(([name]) => name));

    // GDAL's own rasterizer (the library behind gdal_rasterize), in process.
    const source = gdal.open(path.join(dir, 'utm.gpkg'));
    const burned = gdal.rasterize(path.join(dir, 'ids.tif'), source, ['-q', '-a', 'burn', '-te', String(X0), String(Y0 - H * PX), String(X0 + W * PX), String(Y0),
      '-tr', String(PX), String(PX), '-ot', 'Int32', '-init', '0', '-of', 'GTiff']);
    const ids = burned.bands.get(1).pixels.read(0, 0, W, H) as Int32Array;
    burned.close();
    source.close();
    shapes.forEach(([name], i) => {
      let count = 0, sum = 0, min = Infinity, max = -Infinity;
      ids.forEach((id, p) => {
        if (id !== i + 1 || values[p] === NODATA) return;
        count++; sum += values[p]!; min = Math.min(min, values[p]!); max = Math.max(max, values[p]!);
      });
      const [c, s, mean, lo, hi] = rows.get(name)!;
      expect(c, name).toBe(count);
      if (count === 0) {
        expect([mean, lo, hi].every(Number.isNaN), name).toBe(true);
      } else {
        expect(Math.abs(s! - sum)).toBeLessThanOrEqual(1e-9 * Math.abs(sum));
        expect(Math.abs(mean! - sum / count)).toBeLessThanOrEqual(1e-9 * Math.abs(sum / count));
        expect([lo, hi]).toEqual([min, max]);
      }
    });
    expect(rows.get('outside')![0]).toBe(0);
  });

  it('reprojects a lon/lat layer to the raster CRS', async () => {
    const utm = parseCsv((await runBiomass(['zonal', 'band.tif', 'utm.gpkg', '--id-field', 'name'], { cwd: dir })).stdout);
    const lonLat = parseCsv((await runBiomass(['zonal', 'band.tif', 'lonlat.gpkg', '--id-field', 'name'], { cwd: dir })).stdout);
    // The round trip through lon/lat moves vertices by nanometres: no pixel centre changes side.
    for (const [name, row] of utm) expect(lonLat.get(name)!.map((v) => (Number.isNaN(v) ? 'empty' : v)), name).toEqual(row.map((v) => (Number.isNaN(v) ? 'empty' : v)));
  });

  it('weights pixels by their exact covered area (fractional rule)', async () => {
    const result = await runBiomass(['zonal', 'band.tif', 'utm.gpkg', '--id-field', 'name', '--coverage', 'fractional'], { cwd: dir });
    expect(result.code).toBe(0);
    const rows = parseCsv(result.stdout);
    for (const [name, polygons] of shapes) {
      const geometry = polygons.map((rings) => rings.map((xy) => Float64Array.from(xy.map((v, k) => (k % 2 === 0 ? (v - X0) / PX : (v - Y0) / -PX)))));
      const reference = referenceFractional(geometry, { width: W, height: H });
      const expected = zonalStatistics({ indices: Int32Array.from(reference.keys()), weights: Float64Array.from(reference.values()) }, values, NODATA);
      const [count, sum, mean] = rows.get(name)!;
      expect(Math.abs(count! - expected.count), name).toBeLessThanOrEqual(1e-9 * Math.max(1, expected.count));
      if (expected.count > 0) expect(Math.abs(mean! - expected.mean), name).toBeLessThanOrEqual(1e-9 * Math.abs(expected.mean));
      else expect(sum).toBe(0);
    }
  });

  it('keeps layer order over many chunks of features on one worker', async () => {
    // Regression: a bounded task queue refused the fifth chunk ("Task queue is at limit").
    const ds = gdal.open(path.join(dir, 'many.gpkg'), 'w', 'GPKG');
    const layer = ds.layers.create('cells', gdal.SpatialReference.fromEPSG(32616), gdal.wkbPolygon);
    for (let i = 0; i < 1100; i++) {
      const x = X0 + (i % 40) * 30 + 0.3, y = Y0 - Math.floor(i / 40) * 30 - 0.3;
      const feature = new gdal.Feature(layer);
      feature.setGeometry(gdal.Geometry.fromWKT(`POLYGON((${x} ${y},${x + 20} ${y},${x + 20} ${y - 20},${x} ${y - 20},${x} ${y}))`));
      layer.features.add(feature);
    }
    ds.close();
    const result = await runBiomass(['zonal', 'band.tif', 'many.gpkg', '--workers', '1'], { cwd: dir });
    expect(result.code).toBe(0);
    const rows = parseCsv(result.stdout);
    expect([...rows.keys()]).toEqual(Array.from({ length: 1100 }, (_, i) => String(i + 1)));
    // Each 20 m square holds 4 pixel centres (fewer where no data or off the raster's 100 rows).
    expect(rows.get('1')![0]).toBe(values[0] === NODATA ? 3 : 4);
  });

  it('refuses a missing band, layer or id field by name', async () => {
    const band = await runBiomass(['zonal', 'band.tif', 'utm.gpkg', '--band', '3'], { cwd: dir });
    expect(band.code).toBe(2);
    expect(band.stderr).toContain('no band 3');
    const field = await runBiomass(['zonal', 'band.tif', 'utm.gpkg', '--id-field', 'nope'], { cwd: dir });
    expect(field.code).toBe(2);
    expect(field.stderr).toContain('fields: name, burn');
    const missing = await runBiomass(['zonal', 'nothing.tif', 'utm.gpkg'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nothing.tif');
  });
});
