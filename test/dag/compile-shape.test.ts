/**
 * The exact DAG compile() makes for a few small rollouts, node by node: ids, labels,
 * dependencies, priorities (state position, then kind, then the sweep or county order) and
 * the per-state facts. On the synthetic geography of builders.ts (labelled there), because
 * only invented shapes make every rule visible in a dozen nodes; the same rules on the real
 * geography: real-geography.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { buildScheduledDag, compile } from '../../src/dag/compile.js';
import { throughputOf } from '../../src/dag/compile-inputs.js';
import { gatherRollout } from '../../src/dag/rollout-facts.js';
import type { Dag } from '../../src/dag/dag.js';
import { planOf, toyGeography } from './builders.js';

/** id, label, deps, priority, state: one line per node, in the DAG's order. */
/** The preprocess nodes in the order of their priority (the state's sweep). */
const conversionOrder = (dag: Dag) => dag.nodes.filter((n) => n.kind === 'preprocess').sort((a, b) => a.priority - b.priority).map((n) => n.id);

const rows = (dag: Dag) => dag.nodes.map((n) => [n.id, n.label, n.deps.join(' '), n.priority, n.state]);

describe('the compiled DAG, node by node', () => {
  it('makes a tile shared by consecutive states once, in sweep order, and deletes it after its last reader', () => {
    // Illinois sweeps west to east: 17001 (A, B) then 17003 (B, C); Indiana reads C from Illinois.
    const geo = toyGeography([
      { fips: '17001', tiles: ['A', 'B'], at: [-90, 40] },
      { fips: '17003', tiles: ['B', 'C'], at: [-89, 40] },
      { fips: '18001', tiles: ['C', 'D'], at: [-87, 40] },
    ]);
    const dag = compile(planOf({ states: ['17', '18'] }), geo);
    expect(rows(dag)).toEqual([
      ['index:17', '17 IL index', '', 0, '17'],
      ['preprocess:A/0', 'A items 1-6', 'index:17', 1_000_000, '17'],
      ['preprocess:A/1', 'A items 7-10', 'index:17', 1_000_001, '17'],
      ['preprocess:B/0', 'B items 1-6', 'index:17', 1_001_000, '17'],
      ['preprocess:B/1', 'B items 7-10', 'index:17', 1_001_001, '17'],
      ['preprocess:C/0', 'C items 1-6', 'index:17', 1_002_000, '17'],
      ['preprocess:C/1', 'C items 7-10', 'index:17', 1_002_001, '17'],
      ['county:17001', '17001 County 17001', 'index:17 preprocess:A/0 preprocess:A/1 preprocess:B/0 preprocess:B/1', 2_000_000, '17'],
      ['county:17003', '17003 County 17003', 'index:17 preprocess:B/0 preprocess:B/1 preprocess:C/0 preprocess:C/1', 2_000_001, '17'],
      ['verify:17', '17 IL verify', 'county:17001 county:17003', 3_000_000, '17'],
      ['cleanup:17', '17 IL cleanup', 'verify:17 cleanup:A cleanup:B', 4_000_000, '17'],
      ['index:18', '18 IN index', '', 10_000_000, '18'],
      // C is Indiana's first tile in its sweep (rank 0) but Illinois makes it; D is rank 1.
      ['preprocess:D/0', 'D items 1-6', 'index:18', 11_001_000, '18'],
      ['preprocess:D/1', 'D items 7-10', 'index:18', 11_001_001, '18'],
      ['county:18001', '18001 County 18001', 'index:18 preprocess:C/0 preprocess:C/1 preprocess:D/0 preprocess:D/1', 12_000_000, '18'],
      ['verify:18', '18 IN verify', 'county:18001', 13_000_000, '18'],
      ['cleanup:18', '18 IN cleanup', 'verify:18 cleanup:C cleanup:D', 14_000_000, '18'],
      ['cleanup:A', 'A cleanup', 'county:17001', 4_000_000, '17'],
      ['cleanup:B', 'B cleanup', 'county:17001 county:17003', 4_000_000, '17'],
      ['cleanup:C', 'C cleanup', 'county:17003 county:18001', 14_000_000, '18'],
      ['cleanup:D', 'D cleanup', 'county:18001', 14_000_000, '18'],
    ]);
    expect(dag.states).toEqual([
      { fips: '17', postal: 'IL', name: 'Illinois', position: 0, counties: 2, areaKm2: 2000, parcels: 4000, parcelsEstimated: true, tiles: ['A', 'B', 'C'], tilesReused: 0, tilesNotKept: 0 },
      { fips: '18', postal: 'IN', name: 'Indiana', position: 1, counties: 1, areaKm2: 1000, parcels: 2000, parcelsEstimated: true, tiles: ['C', 'D'], tilesReused: 1, tilesNotKept: 0 },
    ]);
    expect(dag.capacities).toEqual({ disk: 1.5e12, states: 1, jobs: 2, pool: 25, 'batches:17': 2, 'batches:18': 2 });
    expect(dag.itemsPerTile).toBe(10);
    expect([...dag.byId.keys()]).toEqual(dag.nodes.map((n) => n.id));
    const cleanups = dag.nodes.filter((n) => n.kind === 'cleanup').map((n) => n.kind === 'cleanup' && `${n.id} ${n.scope} ${n.tileId ?? '-'}`);
    expect(cleanups).toEqual(['cleanup:17 state -', 'cleanup:18 state -', 'cleanup:A tile A', 'cleanup:B tile B', 'cleanup:C tile C', 'cleanup:D tile D']);
  });

  it('makes a tile again, as copy #2, for a state further on in the order', () => {
    const geo = toyGeography([
      { fips: '17001', tiles: ['E'], at: [-90, 40] },
      { fips: '18001', tiles: ['F'], at: [-87, 40] },
      { fips: '19001', tiles: ['E'], at: [-93, 42] },
    ]);
    const dag = compile(planOf({ rollout: '{ states: ["17", "18", "19"] }', estimates: '{ acquisitions_per_tile: 4 }' }), geo);
    expect(rows(dag)).toEqual([
      ['index:17', '17 IL index', '', 0, '17'],
      ['preprocess:E/0', 'E items 1-4', 'index:17', 1_000_000, '17'],
      ['county:17001', '17001 County 17001', 'index:17 preprocess:E/0', 2_000_000, '17'],
      ['verify:17', '17 IL verify', 'county:17001', 3_000_000, '17'],
      ['cleanup:17', '17 IL cleanup', 'verify:17 cleanup:E', 4_000_000, '17'],
      ['index:18', '18 IN index', '', 10_000_000, '18'],
      ['preprocess:F/0', 'F items 1-4', 'index:18', 11_000_000, '18'],
      ['county:18001', '18001 County 18001', 'index:18 preprocess:F/0', 12_000_000, '18'],
      ['verify:18', '18 IN verify', 'county:18001', 13_000_000, '18'],
      ['cleanup:18', '18 IN cleanup', 'verify:18 cleanup:F', 14_000_000, '18'],
      ['index:19', '19 IA index', '', 20_000_000, '19'],
      ['preprocess:E#2/0', 'E#2 items 1-4', 'index:19', 21_000_000, '19'],
      ['county:19001', '19001 County 19001', 'index:19 preprocess:E#2/0', 22_000_000, '19'],
      ['verify:19', '19 IA verify', 'county:19001', 23_000_000, '19'],
      ['cleanup:19', '19 IA cleanup', 'verify:19 cleanup:E#2', 24_000_000, '19'],
      ['cleanup:E', 'E cleanup', 'county:17001', 4_000_000, '17'],
      ['cleanup:E#2', 'E#2 cleanup', 'county:19001', 24_000_000, '19'],
      ['cleanup:F', 'F cleanup', 'county:18001', 14_000_000, '18'],
    ]);
    const copies = dag.nodes.filter((n) => n.kind === 'preprocess').map((n) => n.kind === 'preprocess' && [n.id, n.making, n.users, n.cleanupId, n.firstItem, n.items, n.lastGroup]);
    expect(copies).toEqual([
      ['preprocess:E/0', 1, ['17'], 'cleanup:E', 0, 4, true],
      ['preprocess:F/0', 1, ['18'], 'cleanup:F', 0, 4, true],
      ['preprocess:E#2/0', 2, ['19'], 'cleanup:E#2', 0, 4, true],
    ]);
    expect(dag.states.map((s) => [s.fips, s.tilesReused, s.tilesNotKept])).toEqual([['17', 0, 0], ['18', 0, 0], ['19', 0, 0]]);
  });

  it('orders a state\'s counties by processing.county_order, ties by FIPS', () => {
    // Estimated parcels follow area: 17001 200, 17003 600, 17005 400, 17007 400.
    // Listed out of FIPS order, as a geography may list them.
    const geo = toyGeography([
      { fips: '17007', tiles: ['A'], areaKm2: 200 }, { fips: '17003', tiles: ['A'], areaKm2: 300 },
      { fips: '17001', tiles: ['A'], areaKm2: 100 }, { fips: '17005', tiles: ['A'], areaKm2: 200 },
    ]);
    const order = (countyOrder: string) => compile(planOf({ processing: `{ batch_size: 100, parallel_batches: 2, county_order: ${countyOrder} }` }), geo)
      .nodes.filter((n) => n.kind === 'county').sort((a, b) => a.priority - b.priority).map((n) => n.id.slice('county:'.length));
    expect(order('largest-first')).toEqual(['17003', '17005', '17007', '17001']);
    expect(order('smallest-first')).toEqual(['17001', '17005', '17007', '17003']);
    expect(order('fips')).toEqual(['17001', '17003', '17005', '17007']);
  });

  it('times each group from the plan\'s download rate and conversion time', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A'] }]);
    const dag = compile(planOf({ estimates: '{ acquisitions_per_tile: 7, download_rate: 50MB, preprocess_time: 40s }' }), geo);
    const groups = dag.nodes.filter((n) => n.kind === 'preprocess').map((n) => n.kind === 'preprocess' && [n.id, n.label, n.firstItem, n.items, n.lastGroup, n.downloadMsPerItem, n.convertMsPerItem]);
    // 250 MB compressed at 50 MB/s: 5 s per item.
    expect(groups).toEqual([['preprocess:A/0', 'A items 1-6', 0, 6, false, 5000, 40_000], ['preprocess:A/1', 'A items 7-7', 6, 1, true, 5000, 40_000]]);
  });

  it('sweeps a state taller than wide from south to north', () => {
    const geo = toyGeography([
      { fips: '17001', tiles: ['N'], at: [-89, 42] },
      { fips: '17003', tiles: ['S'], at: [-89.2, 37] },
      { fips: '17005', tiles: ['M'], at: [-88.8, 39.5] },
    ]);
    const dag = compile(planOf({ estimates: '{ acquisitions_per_tile: 1 }' }), geo);
    expect(conversionOrder(dag)).toEqual(['preprocess:S/0', 'preprocess:M/0', 'preprocess:N/0']);
    expect(dag.states[0]!.tiles).toEqual(['M', 'N', 'S']); // sorted, not in the order the counties named them
  });

  it('measures width in kilometres: 5° of longitude at 60° N is narrower than 4° of latitude', () => {
    // West to east the order would be P, R, Q; south to north it is Q, R, P.
    const geo = toyGeography([
      { fips: '17001', tiles: ['P'], at: [-100, 62] },
      { fips: '17003', tiles: ['Q'], at: [-95, 58] },
      { fips: '17005', tiles: ['R'], at: [-97, 60] },
    ]);
    const dag = compile(planOf({ estimates: '{ acquisitions_per_tile: 1 }' }), geo);
    expect(conversionOrder(dag)).toEqual(['preprocess:Q/0', 'preprocess:R/0', 'preprocess:P/0']);
  });

  it('sweeps counties level along the sweep by the other axis', () => {
    // A wide state: west to east; the two counties at -90° from south to north.
    const geo = toyGeography([
      { fips: '17001', tiles: ['X'], at: [-90, 41] },
      { fips: '17003', tiles: ['Y'], at: [-90, 40] },
      { fips: '17005', tiles: ['Z'], at: [-85, 40.5] },
    ]);
    const dag = compile(planOf({ estimates: '{ acquisitions_per_tile: 1 }' }), geo);
    expect(conversionOrder(dag)).toEqual(['preprocess:Y/0', 'preprocess:X/0', 'preprocess:Z/0']);
  });

  it('stops breaking kept tiles when a state stalls even with none kept, and returns the stall', () => {
    // Indiana needs 5 tiles at once (5 x 7.5 GB) under a 20 GB budget: it cannot run even alone.
    const geo = toyGeography([{ fips: '17001', tiles: ['A'] }, { fips: '18001', tiles: ['A', 'B', 'C', 'D', 'E'] }]);
    const plan = planOf({ states: ['17', '18'], storage: '{ budget: 20GB, min_free: 1GB }' });
    const { dag, schedule } = buildScheduledDag(plan, gatherRollout(plan, geo), throughputOf(plan), plan.rollout.order);
    expect(schedule.stalled?.waiting[0]?.node.state).toBe('18');
    // The border tile A was no longer kept for Indiana: deleted after Illinois and made again.
    expect(dag.states.map((s) => [s.fips, s.tilesNotKept, s.tilesReused])).toEqual([['17', 1, 0], ['18', 0, 0]]);
    expect(dag.byId.has('preprocess:A#2/0')).toBe(true);
  });

  it('without preprocessing, counties depend on their index alone and no tile is made or deleted', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A'] }, { fips: '18001', tiles: ['A'] }]);
    const plan = planOf({ states: ['17', '18'] });
    const dag = compile({ ...plan, tiles: { ...plan.tiles, preprocess: 'never' } }, geo);
    expect(rows(dag).map(([id, , deps]) => `${id} <- ${deps}`)).toEqual([
      'index:17 <- ', 'county:17001 <- index:17', 'verify:17 <- county:17001', 'cleanup:17 <- verify:17',
      'index:18 <- ', 'county:18001 <- index:18', 'verify:18 <- county:18001', 'cleanup:18 <- verify:18',
    ]);
    expect(dag.states.map((s) => s.tilesReused)).toEqual([0, 0]);
  });
});
