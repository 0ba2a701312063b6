import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { describe, expect, it } from 'vitest';
import { readParcelCounts } from '../../src/dag/parcel-counts.js';
import { planOf } from './builders.js';

/** A GeoPackage with `counts` parcels per county (points are enough for counting). */
function parcelsGpkg(counts: Record<string, number>): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'biomass-parcels-')), 'parcels.gpkg');
  const ds = gdal.open(file, 'w', 'GPKG');
  const layer = ds.layers.create('parcels', gdal.SpatialReference.fromEPSG(4326), gdal.wkbPoint);
  layer.fields.add(new gdal.FieldDefn('county_fips', gdal.OFTString));
  for (const [fips, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++) {
      const feature = new gdal.Feature(layer);
      feature.fields.set('county_fips', fips);
      feature.setGeometry(new gdal.Point(-89 + i * 1e-4, 40));
      layer.features.add(feature);
    }
  }
  ds.close();
  return file;
}

describe('parcel counts for the dry run', () => {
  it('counts parcels per county in a GeoPackage, read-only', async () => {
    const plan = planOf();
    plan.parcels.uri = parcelsGpkg({ '17113': 7, '17019': 3 });
    const result = await readParcelCounts(plan);
    expect(result.unreadable).toBeUndefined();
    expect(result.counts!.countOf('17113')).toBe(7);
    expect(result.counts!.countOf('17019')).toBe(3);
    expect(result.counts!.countOf('17001')).toBeUndefined();
    expect(result.counts!.source).toContain('counted in the parcel source');
  });

  it('says why when the source is not reachable, so the area estimate is used', async () => {
    const plan = planOf();
    plan.parcels.uri = '/nonexistent/parcels.gpkg';
    expect(await readParcelCounts(plan)).toEqual({ unreadable: '/nonexistent/parcels.gpkg does not exist here' });
  });
});
