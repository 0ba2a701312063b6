import { mkdtempSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { describe, expect, it } from 'vitest';
import { loadGeography } from '../../src/geo/geography.js';
import { generateParcels } from '../../src/parcels/parcel-generator.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-parcels-'));

describe('parcel generator', () => {
  it('fills McLean County with parcels whose centres lie inside it, stored in lon/lat', async () => {
    const geography = await loadGeography();
    const file = path.join(dir, 'mclean.gpkg');
    const result = await generateParcels({ geography, counties: ['17113'], file });

    const dataset = gdal.open(file);
    const layer = dataset.layers.get('parcels');
    expect(layer.srs?.getAuthorityCode(null)).toBe('4326');
    expect(layer.features.count()).toBe(result.counts['17113']);
    // McLean is ~3,070 km²: 800 m lots give ~4,800, plus the split ones.
    expect(result.counts['17113']).toBeGreaterThan(4000);
    expect(result.counts['17113']).toBeLessThan(9000);

    const county = gdal.Geometry.fromGeoJson(geography.countyGeometry('17113'));
    const ids = new Set<string>();
    let outside = 0;
    let area = 0;
    for (const feature of layer.features) {
      const fields = feature.fields.toObject() as { parcel_id: string; county_fips: string };
      expect(fields.county_fips).toBe('17113');
      ids.add(fields.parcel_id);
      const geometry = feature.getGeometry() as gdal.Polygon;
      if (!county.contains(geometry.centroid())) outside++;
      area += geometry.getArea();
    }
    expect(ids.size).toBe(result.counts['17113']);
    // Centres are tested inside the county in UTM; a lot on the boundary may fall a few metres
    // the other way once the boundary is read in lon/lat. One in a thousand at most.
    expect(outside).toBeLessThanOrEqual(Math.ceil(ids.size / 1000));
    // In square degrees at ~40.5°N: 1° lon ≈ 84.7 km, 1° lat ≈ 111 km. Parcels cover most of the county.
    const km2 = area * 84.7 * 111;
    expect(km2).toBeGreaterThan(0.8 * geography.county('17113').areaKm2);
    expect(km2).toBeLessThan(1.02 * geography.county('17113').areaKm2);
    dataset.close();
  });

  it('is deterministic', async () => {
    const geography = await loadGeography();
    const a = await generateParcels({ geography, counties: ['17039'], file: path.join(dir, 'a.gpkg') });
    const b = await generateParcels({ geography, counties: ['17039'], file: path.join(dir, 'b.gpkg') });
    expect(a.counts).toEqual(b.counts);
    const geometries = (file: string) => {
      const ds = gdal.open(file);
      const out = ds.layers.get(0).features.map((f) => f.getGeometry()?.toWKT());
      ds.close();
      return out;
    };
    expect(geometries(a.file)).toEqual(geometries(b.file));
    expect((await readFile(a.file)).length).toBeGreaterThan(0);
  });

  it('rejects an unknown county with UNKNOWN_COUNTY and leaves neither the file nor its temp file behind', async () => {
    const geography = await loadGeography();
    const sub = mkdtempSync(path.join(dir, 'unknown-'));
    const file = path.join(sub, 'parcels.gpkg');
    // The unknown county comes second, so the GeoPackage is already open and holds DeWitt's parcels.
    await expect(generateParcels({ geography, counties: ['17039', '17999'], file })).rejects.toMatchObject({
      code: 'UNKNOWN_COUNTY',
      message: expect.stringContaining('"17999"'),
    });
    expect(await readdir(sub)).toEqual([]);
  });
});
