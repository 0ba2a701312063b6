/**
 * A PostGIS parcel source (`PG:` URI) on the real server: the parcels of a generated county
 * loaded into a fresh database with the postgis extension, then read one county at a time
 * through the driver's filter, like the file sources. Needs the postgis package of the
 * server's version (scripts/setup.sh --test installs postgresql-N-postgis-3).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { readParcelCounts } from '../../src/dag/parcel-counts.js';
import { planOf } from '../dag/builders.js';
import { loadGeography } from '../../src/geo/geography.js';
import { generateParcels } from '../../src/parcels/parcel-generator.js';
import { openParcelSource } from '../../src/parcels/parcel-source.js';
import { useFreshDatabase } from '../support/postgres.js';

const database = useFreshDatabase();
const dir = mkdtempSync(path.join(tmpdir(), 'biomass-postgis-'));
const KNOX = '17095';
const options = { layer: 'parcels', countyField: 'county_fips', idField: 'parcel_id' };
let uri: string;
let fromFile: Map<string, string>;

beforeAll(async () => {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS postgis');
  } finally {
    await client.end();
  }
  const url = new URL(database.url);
  uri = `PG:host=${url.hostname} port=${url.port || 5432} user=${decodeURIComponent(url.username)} dbname=${database.name}`;
  const gpkg = path.join(dir, 'parcels.gpkg');
  const geography = await loadGeography();
  await generateParcels({ geography, counties: [KNOX, '17113'], file: gpkg, lotSize: 2500, variety: true });
  const source = gdal.open(gpkg);
  gdal.vectorTranslate(uri, source, ['-f', 'PostgreSQL', '-nln', 'parcels', '-lco', 'GEOMETRY_NAME=geom']).close();
  source.close();
  const file = openParcelSource({ uri: gpkg, ...options });
  fromFile = new Map(file.county(KNOX).map((p) => [p.id, p.status ?? (p.repaired ? 'repaired' : 'ok')]));
  file.close();
}, 300_000);

describe('a PostGIS parcel source', () => {
  it('reads one county through the driver filter, with the same parcels and statuses as the file it was loaded from', () => {
    const source = openParcelSource({ uri, ...options });
    try {
      expect(source.description).toContain('layer parcels');
      expect(source.srs.getAuthorityCode()).toBe('4326');
      expect(source.fields).toEqual(expect.arrayContaining(['parcel_id', 'county_fips']));
      expect(source.countCounty(KNOX)).toBe(fromFile.size);
      const parcels = source.county(KNOX);
      expect(new Map(parcels.map((p) => [p.id, p.status ?? (p.repaired ? 'repaired' : 'ok')]))).toEqual(fromFile);
      expect(source.countCounty('17113')).toBeGreaterThan(0);
      expect(source.countCounty('17001')).toBe(0);
    } finally {
      source.close();
    }
  });

  it('gives the dry run its parcel counts per county', async () => {
    const plan = planOf();
    plan.parcels.uri = uri;
    plan.parcels.layer = 'parcels';
    plan.parcels.countyField = 'county_fips';
    const { counts, unreadable } = await readParcelCounts(plan);
    expect(unreadable).toBeUndefined();
    expect(counts!.countOf(KNOX)).toBe(fromFile.size);
    expect(counts!.countOf('17113')).toBeGreaterThan(0);
    expect(counts!.countOf('17001')).toBeUndefined();
    expect(counts!.source).toContain('counted in the parcel source');
  });

  it('refuses a missing database and a missing field by name, without the password', () => {
    const secret = 'q7Vw2pLx9Zr4';
    let error: unknown;
    try {
      openParcelSource({ uri: `PG:host=127.0.0.1 user=postgres password=${secret} dbname=biomass_no_such_db`, ...options });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BiomassError);
    expect(error).toMatchObject({ code: 'PARCELS_OPEN', exitCode: 2 });
    expect(`${(error as Error).message} ${(error as BiomassError).hint}`).not.toContain(secret);
    expect((error as Error).message).toContain('biomass_no_such_db');
    let missing: unknown;
    try {
      openParcelSource({ uri, ...options, countyField: 'fips' });
    } catch (e) {
      missing = e;
    }
    expect(missing).toMatchObject({ code: 'PARCELS_FIELD', exitCode: 2 });
    expect((missing as BiomassError).hint).toContain('county_fips');
  });
});
