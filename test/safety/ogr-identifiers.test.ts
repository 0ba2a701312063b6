/**
 * Finding 7: `sources.parcels.county_field` and `layer` go into OGR SQL quoted, and names
 * that cannot be quoted safely are refused with a clear error, never pasted into SQL.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { describe, expect, it } from 'vitest';
import { readParcelCounts } from '../../src/dag/parcel-counts.js';
import { countyAttributeFilter, quoteOgrIdentifier } from '../../src/plan/ogr-identifier.js';
import { planOf } from '../dag/builders.js';
import { runBiomass } from '../support/cli.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-ogr-identifiers-'));

/** A GeoPackage layer `layer` with field `field`: 7 parcels in 17113, 3 in 17019. */
function parcels(layerName: string, field: string, driver: 'GPKG' | 'ESRI Shapefile' = 'GPKG'): string {
  const file = path.join(dir, `${layerName.replace(/\W/g, '_')}-${Math.random().toString(36).slice(2)}${driver === 'GPKG' ? '.gpkg' : '.shp'}`);
  const ds = gdal.open(file, 'w', driver);
  const layer = ds.layers.create(layerName, gdal.SpatialReference.fromEPSG(4326), gdal.wkbPoint);
  layer.fields.add(new gdal.FieldDefn(field, gdal.OFTString));
  for (const [fips, n] of [['17113', 7], ['17019', 3]] as const) {
    for (let i = 0; i < n; i += 1) {
      const feature = new gdal.Feature(layer);
      feature.fields.set(field, fips);
      feature.setGeometry(new gdal.Point(-89 + i * 1e-4, 40));
      layer.features.add(feature);
    }
  }
  ds.close();
  return file;
}

describe('identifiers from the plan in OGR SQL', () => {
  it('a hostile county_field is refused, not run (it used to change the counts)', async () => {
    const plan = planOf();
    plan.parcels.uri = parcels('parcels', 'county_fips');
    plan.parcels.layer = 'parcels';
    plan.parcels.countyField = 'county_fips" AS fips, 1000 AS n FROM parcels GROUP BY "county_fips';
    await expect(readParcelCounts(plan)).rejects.toMatchObject({ code: 'UNSAFE_IDENTIFIER', exitCode: 2 });
  });

  it('a hostile layer is refused', async () => {
    const plan = planOf();
    plan.parcels.uri = parcels('parcels', 'county_fips');
    plan.parcels.layer = 'parcels"; DROP TABLE "parcels';
    await expect(readParcelCounts(plan)).rejects.toMatchObject({ code: 'UNSAFE_IDENTIFIER', exitCode: 2 });
  });

  it('names with spaces and hyphens are quoted and counted right', async () => {
    const plan = planOf();
    plan.parcels.uri = parcels('tax parcels-2024', 'County FIPS');
    plan.parcels.layer = 'tax parcels-2024';
    plan.parcels.countyField = 'County FIPS';
    const result = await readParcelCounts(plan);
    expect(result.unreadable).toBeUndefined();
    expect(result.counts!.countOf('17113')).toBe(7);
    expect(result.counts!.countOf('17019')).toBe(3);
  });

  it('validate refuses unsafe names at their line, before any SQL', async () => {
    const file = path.join(dir, 'hostile.yaml');
    writeFileSync(file, MINIMAL_PLAN.replace('uri: "PG:dbname=parcels" }', 'uri: "PG:dbname=parcels", county_field: "a\\" OR \\"1\\"=\\"1", layer: "p;--" }'));
    const result = await runBiomass(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('sources.parcels.county_field');
    expect(result.stdout).toContain('sources.parcels.layer');
  });

  it('countyAttributeFilter selects one county through OGR (GeoPackage and shapefile), and refuses bad input', () => {
    for (const driver of ['GPKG', 'ESRI Shapefile'] as const) {
      const ds = gdal.open(parcels('parcels', driver === 'GPKG' ? 'County FIPS' : 'cnty_fips', driver));
      const layer = ds.layers.get(0);
      layer.setAttributeFilter(countyAttributeFilter(driver === 'GPKG' ? 'County FIPS' : 'cnty_fips', '17019'));
      expect(layer.features.count()).toBe(3);
      ds.close();
    }
    expect(() => countyAttributeFilter('x" OR "1"="1', '17019')).toThrow(expect.objectContaining({ code: 'UNSAFE_IDENTIFIER' }));
    expect(() => countyAttributeFilter('county_fips', "17019' OR '1'='1")).toThrow(expect.objectContaining({ code: 'BAD_COUNTY_FIPS' }));
    expect(quoteOgrIdentifier('a b', 'x')).toBe('"a b"');
  });
});
