/**
 * The facts the compiler gathers per state, on a geography written out here (bounding boxes
 * chosen so every centre is worked out by hand): a synthetic stand-in; the same on the real
 * us-atlas counties: real-geography.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { DagGeography } from '../../src/dag/compile-inputs.js';
import { gatherRollout } from '../../src/dag/rollout-facts.js';
import { planOf } from './builders.js';

type County = { fips: string; areaKm2: number; bbox: [number, number, number, number]; tiles: string[] };
function geographyOf(counties: County[]): DagGeography {
  return {
    state: (code) => ({ fips: code, postal: `P${code}`, name: `State ${code}` }),
    countiesOf: (fips) => counties.filter((c) => c.fips.startsWith(fips)).map((c) => ({ ...c, name: `County ${c.fips}`, stateFips: fips })),
    tilesOfCounty: (fips) => counties.find((c) => c.fips === fips)!.tiles,
  };
}

describe('rollout facts', () => {
  const geography = geographyOf([
    { fips: '17001', areaKm2: 100, bbox: [-91, 40, -89, 42], tiles: ['A', 'B'] }, // centre (-90, 41)
    { fips: '17003', areaKm2: 300, bbox: [-87, 38, -85, 40], tiles: ['B', 'C'] }, // centre (-86, 39)
    // The Aleutians: a box from 179 E to 179 W is 2 degrees wide around -180, not 358 around 0.
    { fips: '02016', areaKm2: 50, bbox: [179, 51, -179, 53], tiles: ['X'] }, // centre (-180, 52)
    { fips: '02013', areaKm2: 150, bbox: [-170, 54, -160, 56], tiles: ['Y'] }, // centre (-165, 55)
    { fips: '72001', areaKm2: 0, bbox: [-67, 18, -65, 20], tiles: ['P'] }, // centre (-66, 19)
    { fips: '72003', areaKm2: 0, bbox: [-65, 18, -63, 20], tiles: ['Q'] }, // centre (-64, 19)
  ]);

  it('gathers counties, tiles, parcels and area-weighted centres per state, in plan order', () => {
    const plan = planOf({ states: ['17', '02', '72'] });
    const parcels = { countOf: (fips: string) => (fips === '17001' ? 4321 : undefined), source: 'parcels.gpkg (counted)' };
    const facts = gatherRollout(plan, geography, { parcels });
    expect(facts.parcelsSource).toBe('parcels.gpkg (counted)');
    const [il, ak, pr] = facts.states;
    expect(il).toMatchObject({ fips: '17', postal: 'P17', name: 'State 17', areaKm2: 400, parcelsEstimated: true, centre: [-87, 39.5] });
    // 17001 counted; 17003 estimated at 300 km2 x 2 parcels per km2.
    expect(il!.counties.map((c) => [c.fips, c.parcels, c.parcelsEstimated, c.centre])).toEqual([['17001', 4321, false, [-90, 41]], ['17003', 600, true, [-86, 39]]]);
    expect(il!.parcels).toBe(4921);
    expect([...il!.tiles]).toEqual(['A', 'B', 'C']);
    expect(ak!.counties.map((c) => c.centre)).toEqual([[-180, 52], [-165, 55]]);
    expect(ak!.centre).toEqual([(-180 * 50 + -165 * 150) / 200, (52 * 50 + 55 * 150) / 200]);
    // Counties without area weigh the same.
    expect(pr).toMatchObject({ areaKm2: 0, centre: [-65, 19], parcels: 0 });
    expect(facts.tileIndex).toMatchObject({ estimated: true, source: 'estimated (estimates.acquisitions_per_tile = 10)' });
  });

  it('keeps only the counties the plan lists, in states that have some of them, and says parcels were estimated', () => {
    const plan = planOf({ rollout: '{ states: ["17", "02"], counties: ["17003"] }' });
    const facts = gatherRollout(plan, geography);
    expect(facts.states.map((s) => s.counties.map((c) => c.fips))).toEqual([['17003'], ['02016', '02013']]);
    expect(facts.states[0]).toMatchObject({ areaKm2: 300, centre: [-86, 39], parcels: 600, parcelsEstimated: true });
    expect(facts.parcelsSource).toBe('estimated (county area x estimates.parcels_per_km2 = 2)');
    const all = gatherRollout(planOf({ states: ['17'] }), geography, { parcels: { countOf: () => 10, source: 'x' } });
    expect(all.states[0]!.parcelsEstimated).toBe(false);
  });
});
