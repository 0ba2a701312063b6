/**
 * Findings 14 and 15: a zero-area county (Falls Church, 51610, a degenerate polygon in
 * us-atlas) gets the tiles covering its outline, every state of plans/us.yaml indexes, and no
 * county gets a tile whose 100 km MGRS square lies wholly outside its UTM zone.
 */
import { readFileSync } from 'node:fs';
import gdal from 'gdal-async';
import { describe, expect, it } from 'vitest';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { parsePlan } from '../../src/plan/parse-plan.js';
import { openCatalog } from '../../src/tiles/catalog.js';
import { indexState } from '../../src/tiles/state-index.js';

const OUTSIDE_THEIR_ZONE = ['16RAT', '16RAU', '15RSM', '15RSN', '15RSP', '04UBG', '09UTA', '09UTB'];
const lonLat = gdal.SpatialReference.fromUserInput('OGC:CRS84');

function box(minX: number, minY: number, maxX: number, maxY: number): gdal.Geometry {
  return gdal.Geometry.fromGeoJson({ type: 'Polygon', coordinates: [[[minX, minY], [maxX, minY], [maxX, maxY], [minX, maxY], [minX, minY]]] });
}

/** km² of the county (north of the equator) outside the union of its tiles, zone by zone. */
function uncoveredKm2(geo: Geography, fips: string): number {
  const unions = new Map<number, gdal.Geometry>();
  for (const t of geo.tilesOfCounty(fips)) {
    const f = geo.tileFootprint(t);
    const r = box(f.minX, f.minY, f.maxX, f.maxY);
    unions.set(f.epsg, unions.get(f.epsg)?.union(r) ?? r);
  }
  const county = gdal.Geometry.fromGeoJson(geo.countyGeometry(fips));
  let missing = 0;
  for (let zone = 1; zone <= 60; zone += 1) {
    const west = -180 + (zone - 1) * 6;
    const piece = county.intersection(box(west, 0, west + 6, 84)) as gdal.Polygon;
    if (piece.getArea() === 0) continue;
    piece.transform(new gdal.CoordinateTransformation(lonLat, gdal.SpatialReference.fromEPSG(32600 + zone)));
    const union = unions.get(32600 + zone);
    missing += piece.getArea() - (union ? (piece.intersection(union) as gdal.Polygon).getArea() : 0);
  }
  return missing / 1e6;
}

describe('zero-area counties', () => {
  it('Falls Church (51610) gets the tiles whose footprints hold its outline', async () => {
    const geo = await loadGeography();
    expect(geo.county('51610').areaKm2).toBe(0);
    const tiles = geo.tilesOfCounty('51610');
    expect(tiles.length).toBeGreaterThan(0);
    const outline = geo.countyGeometry('51610');
    const ring = (outline.type === 'Polygon' ? outline.coordinates[0] : outline.coordinates[0]![0])!;
    for (const [lon, lat] of ring) {
      const held = tiles.some((t) => {
        const f = geo.tileFootprint(t);
        const p = new gdal.Point(lon!, lat!);
        p.transform(new gdal.CoordinateTransformation(lonLat, gdal.SpatialReference.fromEPSG(f.epsg)));
        return p.x >= f.minX && p.x <= f.maxX && p.y >= f.minY && p.y <= f.maxY;
      });
      expect(held, `${lon},${lat}`).toBe(true);
    }
  });

  it('every state of plans/us.yaml indexes offline from the estimated catalog', async () => {
    const { plan } = parsePlan('plans/us.yaml', readFileSync('plans/us.yaml', 'utf8'), { env: {}, machineChecks: 'skip' });
    expect(plan).toBeDefined();
    const geography = await loadGeography();
    const catalog = openCatalog({ uri: 'estimated:', season: plan!.season });
    expect(plan!.rollout.states).toHaveLength(51);
    let counties = 0;
    for (const state of plan!.rollout.states) {
      const index = await indexState({ geography, catalog, state });
      expect(index.counties.length, state).toBe(geography.countiesOf(state).length);
      for (const county of index.counties) expect(county.items.length, county.countyFips).toBeGreaterThan(0);
      counties += index.counties.length;
    }
    expect(counties).toBe(3142);
  }, 300_000);
});

describe('the tile rule against the published grid', () => {
  it('gives no county a tile whose 100 km square lies wholly outside its UTM zone', async () => {
    const geo = await loadGeography();
    const affected = ['02013', '02198', '22051', '22075', '48157', '48321', '48481'];
    for (const fips of affected) {
      const tiles = geo.tilesOfCounty(fips);
      for (const id of OUTSIDE_THEIR_ZONE) expect(tiles, fips).not.toContain(id);
      // The neighbouring squares' footprints still hold the whole county.
      expect(uncoveredKm2(geo, fips), fips).toBeLessThan(1e-6);
    }
  });
});
