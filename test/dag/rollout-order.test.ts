/**
 * The rollout order strategies on states described by hand (tiles, sizes, centres): each rule
 * has a case where it alone decides the order. The strategies on the real geography:
 * real-geography.test.ts and dry-run.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { largestFirstBasis, orderStates, ROLLOUT_ORDERS, type StateFacts } from '../../src/dag/rollout-order.js';

const state = (fips: string, facts: Partial<Omit<StateFacts, 'tiles'>> & { tiles?: string[] } = {}): StateFacts => ({
  fips, areaKm2: facts.areaKm2 ?? 100, parcels: facts.parcels ?? 10, parcelsEstimated: facts.parcelsEstimated ?? false,
  tiles: new Set(facts.tiles ?? []), centre: facts.centre ?? [-90, 40],
});
const fipsOf = (states: StateFacts[]) => states.map((s) => s.fips);

describe('rollout order', () => {
  it('offers exactly the orders the plan schema allows', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as { properties: { rollout: { properties: { order: { enum: string[] } } } } };
    expect([...ROLLOUT_ORDERS]).toEqual(schema.properties.rollout.properties.order.enum);
  });

  it('plan: as written', () => {
    const states = [state('19'), state('06'), state('17')];
    const ordered = orderStates(states, 'plan');
    expect(fipsOf(ordered)).toEqual(['19', '06', '17']);
    expect(ordered).not.toBe(states);
  });

  it('largest-first: by parcels when every count was read, by area when any was estimated, ties by FIPS', () => {
    const measured = [
      state('01', { parcels: 5, areaKm2: 900 }), state('02', { parcels: 50, areaKm2: 100 }),
      state('04', { parcels: 20, areaKm2: 500 }), state('03', { parcels: 20, areaKm2: 10 }),
    ];
    expect(fipsOf(orderStates(measured, 'largest-first'))).toEqual(['02', '03', '04', '01']);
    expect(largestFirstBasis(measured)).toBe('parcels');
    const oneEstimated = measured.map((s, i) => (i === 2 ? { ...s, parcelsEstimated: true } : s));
    expect(fipsOf(orderStates(oneEstimated, 'largest-first'))).toEqual(['01', '04', '02', '03']);
    expect(largestFirstBasis(oneEstimated)).toBe('area');
    const sameArea = [state('09', { areaKm2: 7, parcelsEstimated: true }), state('05', { areaKm2: 7, parcelsEstimated: true })];
    expect(fipsOf(orderStates(sameArea, 'largest-first'))).toEqual(['05', '09']);
  });

  it('geographic: from the first state, next the one sharing the most tiles with the last', () => {
    const states = [
      state('A', { tiles: ['t1', 't2', 't3'], centre: [0, 0] }),
      // Shares one tile with A but sits on A's centre: tiles rank before distance.
      state('B', { tiles: ['t3', 'x'], centre: [0, 0] }),
      state('C', { tiles: ['t1', 't2', 'y'], centre: [50, 50] }),
      state('D', { tiles: ['y', 'x'], centre: [10, 10] }),
    ];
    // A -> C (2 shared) -> D (1 shared: y; B shares none with C) -> B.
    expect(fipsOf(orderStates(states, 'geographic'))).toEqual(['A', 'C', 'D', 'B']);
    expect(orderStates([], 'geographic')).toEqual([]);
    expect(fipsOf(orderStates([state('Z')], 'geographic'))).toEqual(['Z']);
  });

  it('geographic: among equal sharers, the nearest centre on the sphere, wherever it comes in the list', () => {
    // From (-90, 40): 10 degrees of longitude at latitude 40 is about 7.7 degrees of arc, nearer
    // than 8 degrees north, although farther on a flat lon/lat map. From there, N is 10.7
    // degrees away and F 15.3.
    const east = state('E', { centre: [-80, 40] });
    const north = state('N', { centre: [-90, 48] });
    const far = state('F', { centre: [-60, 40] });
    const start = state('S', { centre: [-90, 40] });
    expect(fipsOf(orderStates([start, far, north, east], 'geographic'))).toEqual(['S', 'E', 'N', 'F']);
    expect(fipsOf(orderStates([start, east, north, far], 'geographic'))).toEqual(['S', 'E', 'N', 'F']);
    // Across the antimeridian: 179 E to 179 W is 2 degrees, not 358.
    const west = state('W', { centre: [-179, 10] });
    const mid = state('M', { centre: [170, 10] });
    expect(fipsOf(orderStates([state('S2', { centre: [179, 10] }), mid, west], 'geographic'))).toEqual(['S2', 'W', 'M']);
    // Through the south: from (20, -30), (20, -50) is 20 degrees away; (60, -30) about 34.
    const south = state('So', { centre: [20, -50] });
    const along = state('Al', { centre: [60, -30] });
    expect(fipsOf(orderStates([state('S3', { centre: [20, -30] }), along, south], 'geographic'))).toEqual(['S3', 'So', 'Al']);
  });

  it('geographic: a later sharer with more tiles wins over an earlier one with fewer; a tie in tiles and distance keeps list order', () => {
    const states = [
      state('A', { tiles: ['t1', 't2'], centre: [0, 0] }),
      state('B', { tiles: ['t1'], centre: [1, 0] }),
      state('C', { tiles: ['t1', 't2'], centre: [30, 0] }),
      state('D', { tiles: ['t1'], centre: [-1, 0] }),
    ];
    // A -> C (2 tiles, though far) -> B or D (1 tile each; from C, B at 29 is nearer than D at 31).
    expect(fipsOf(orderStates(states, 'geographic'))).toEqual(['A', 'C', 'B', 'D']);
    const twins = [state('A', { tiles: ['t'] }), state('B', { tiles: ['t'] }), state('C', { tiles: ['t'] })];
    expect(fipsOf(orderStates(twins, 'geographic'))).toEqual(['A', 'B', 'C']);
  });
});
