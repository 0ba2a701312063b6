/**
 * The parcel source on generated layers (GeoPackage, FlatGeobuf, Shapefile): the driver's
 * county filter, repaired and recorded geometries, bad input refused by name, placement on
 * the tiles of a county across two UTM zones, and Hilbert batches.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { beforeAll, describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { countyBatches, placeParcels } from '../../src/parcels/county-parcels.js';
import { generateParcels } from '../../src/parcels/parcel-generator.js';
import { openParcelSource } from '../../src/parcels/parcel-source.js';
import { countyAttributeFilter } from '../../src/plan/ogr-identifier.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-parcel-source-'));
const KNOX = '17095'; // across the zone 15 / zone 16 boundary at 90°W
let geography: Geography;
let generated: number;
const gpkg = path.join(dir, 'parcels.gpkg');
const options = { uri: gpkg, layer: 'parcels', countyField: 'county_fips', idField: 'parcel_id' };

function refusal(run: () => unknown): BiomassError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BiomassError);
    return error as BiomassError;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  geography = await loadGeography();
  const result = await generateParcels({ geography, counties: [KNOX, '17113'], file: gpkg, lotSize: 1500, variety: true });
  generated = result.counts[KNOX]!;
  const source = gdal.open(gpkg);
  gdal.vectorTranslate(path.join(dir, 'parcels.fgb'), source, ['-f', 'FlatGeobuf']).close();
  gdal.vectorTranslate(path.join(dir, 'parcels.shp'), source, ['-f', 'ESRI Shapefile', '-nlt', 'PROMOTE_TO_MULTI']).close();
  source.close();
});

describe('parcel source', () => {
  it('reads one county through the driver filter, recording empty and invalid geometries and repairing what MakeValid can', () => {
    const source = openParcelSource(options);
    try {
      expect(source.countCounty(KNOX)).toBe(generated);
      const parcels = source.county(KNOX);
      expect(parcels).toHaveLength(generated);
      expect(new Set(parcels.map((p) => p.id)).size).toBe(generated);
      expect(parcels.every((p) => p.id.startsWith(`${KNOX}-`))).toBe(true);
      const empty = parcels.filter((p) => p.status === 'empty_geometry');
      const invalid = parcels.filter((p) => p.status === 'invalid_geometry');
      const repaired = parcels.filter((p) => p.repaired);
      expect(empty.length).toBeGreaterThan(0);
      expect(invalid.length).toBeGreaterThan(0);
      expect(repaired.length).toBeGreaterThan(0);
      for (const p of repaired) expect(p.geometry!.isValid()).toBe(true);
      expect(parcels.filter((p) => p.geometry instanceof gdal.MultiPolygon).length).toBeGreaterThan(0);
      expect(parcels.filter((p) => p.geometry instanceof gdal.Polygon && (p.geometry as gdal.Polygon).rings.count() === 2).length).toBeGreaterThan(0);
    } finally {
      source.close();
    }
  });

  it('reads FlatGeobuf and Shapefile the same way', () => {
    const fgb = openParcelSource({ ...options, uri: path.join(dir, 'parcels.fgb') });
    // ogr2ogr leaves features with empty geometries out of a FlatGeobuf; the rest are all there.
    const fromFgb = fgb.county(KNOX);
    expect(fromFgb.length).toBe(fgb.countCounty(KNOX));
    expect(fromFgb.length).toBeGreaterThan(generated - 10);
    expect(fromFgb.filter((p) => p.status === 'invalid_geometry').length).toBeGreaterThan(0);
    fgb.close();
    // Shapefile field names stop at 10 characters: county_fips became county_fip.
    const shp = refusal(() => openParcelSource({ ...options, uri: path.join(dir, 'parcels.shp'), layer: '' }));
    expect(shp).toMatchObject({ code: 'PARCELS_FIELD', exitCode: 2 });
    expect(shp.message).toContain('parcels.shp');
    expect(shp.hint).toContain('county_fip');
    const ok = openParcelSource({ ...options, uri: path.join(dir, 'parcels.shp'), layer: '', countyField: 'county_fip' });
    expect(ok.county(KNOX)).toHaveLength(generated);
    ok.close();
  });

  it('refuses a missing source, a layer without CRS and unsafe field names, naming them', () => {
    const missing = refusal(() => openParcelSource({ ...options, uri: path.join(dir, 'nothing.gpkg') }));
    expect(missing).toMatchObject({ code: 'PARCELS_OPEN', exitCode: 2 });
    expect(missing.message).toContain('nothing.gpkg');
    const bare = path.join(dir, 'no-crs.gpkg');
    const ds = gdal.open(bare, 'w', 'GPKG');
    const layer = ds.layers.create('parcels', null, gdal.wkbPolygon);
    layer.fields.add(new gdal.FieldDefn('parcel_id', gdal.OFTString));
    layer.fields.add(new gdal.FieldDefn('county_fips', gdal.OFTString));
    ds.close();
    expect(refusal(() => openParcelSource({ ...options, uri: bare }))).toMatchObject({ code: 'PARCELS_CRS', exitCode: 2 });
    expect(refusal(() => countyAttributeFilter('fips" OR 1=1 --', KNOX))).toMatchObject({ code: 'UNSAFE_IDENTIFIER', exitCode: 2 });
    expect(refusal(() => countyAttributeFilter('county_fips', "17'095"))).toMatchObject({ code: 'BAD_COUNTY_FIPS', exitCode: 2 });
    expect(countyAttributeFilter('county_fips', KNOX)).toBe(`"county_fips" = '${KNOX}'`);
    const layerMissing = refusal(() => openParcelSource({ ...options, layer: 'lots' }));
    expect(layerMissing.hint).toContain('parcels');
  });

  it('places a county across two UTM zones on tiles of both and cuts per-tile Hilbert batches', () => {
    const source = openParcelSource(options);
    const parcels = source.county(KNOX);
    const tiles = geography.tilesOfCounty(KNOX).map((tileId) => ({ tileId, footprint: geography.tileFootprint(tileId) }));
    const { placed, unplaced } = placeParcels(parcels, source.srs, tiles);
    source.close();
    expect(new Set(tiles.map((t) => t.footprint.epsg))).toEqual(new Set([32615, 32616]));
    expect(new Set(placed.map((p) => p.tileId))).toEqual(new Set(tiles.map((t) => t.tileId)));
    expect(placed.length + unplaced.length).toBe(generated);
    for (const p of placed) {
      const fp = geography.tileFootprint(p.tileId);
      // Reprojected to the tile's zone: the box is (mostly) inside the tile's UTM footprint.
      expect(p.bbox[0]).toBeLessThan(fp.maxX);
      expect(p.bbox[2]).toBeGreaterThan(fp.minX);
      expect(p.areaM2).toBeGreaterThanOrEqual(0);
    }
    const batches = countyBatches(placed, unplaced, 50);
    expect(batches.map((b) => b.index)).toEqual(batches.map((_, i) => i));
    expect(batches.every((b) => b.parcels.length + b.unplaced.length <= 50)).toBe(true);
    expect(batches.every((b) => b.parcels.every((p) => p.tileId === b.tileId))).toBe(true);
    const ids = batches.flatMap((b) => [...b.parcels.map((p) => p.id), ...b.unplaced.map((p) => p.id)]);
    expect(new Set(ids).size).toBe(generated);
    // Hilbert order keeps a batch compact: its box is far smaller than the tile.
    const spans = batches.filter((b) => b.parcels.length === 50).map((b) => {
      const xs = b.parcels.flatMap((p) => [p.bbox[0], p.bbox[2]]);
      const ys = b.parcels.flatMap((p) => [p.bbox[1], p.bbox[3]]);
      return (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
    });
    const median = spans.sort((a, b) => a - b)[Math.floor(spans.length / 2)]!;
    expect(median).toBeLessThan(20 * 50 * 1500 * 1500);
    expect(countyBatches(placed, unplaced, 50).map((b) => b.parcels.map((p) => p.id))).toEqual(batches.map((b) => b.parcels.map((p) => p.id)));
  });
});
