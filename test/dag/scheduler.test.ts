import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dag/compile.js';
import { RESOURCE, type Dag, type DagNode } from '../../src/dag/dag.js';
import { Scheduler } from '../../src/dag/scheduler.js';
import { simulate } from '../../src/dag/simulate.js';
import { planOf, tiles, toyGeography } from './builders.js';

describe('scheduler (simulated)', () => {
  const geo = toyGeography(tiles(12).map((t, i) => ({ fips: `17${String(i + 1).padStart(3, '0')}`, tiles: [t, `X${Math.floor(i / 3)}`] })));

  it('never holds more disk than the budget, nor more conversions than parallel_jobs', () => {
    // Each tile: 10 items x 750 MB = 7.5 GB converted, plus one 250 MB original while converting.
    const plan = planOf({ storage: '{ budget: 40GB, min_free: 1GB }', preprocess: '{ parallel_jobs: 3 }' });
    const dag = compile(plan, geo);
    const schedule = simulate(dag);
    expect(schedule.stalled).toBeUndefined();
    expect(schedule.peaks[RESOURCE.disk]).toBeLessThanOrEqual(40e9);
    expect(schedule.peaks[RESOURCE.jobs]).toBeLessThanOrEqual(3);
    for (const [, bytes] of schedule.storageCurve) expect(bytes).toBeLessThanOrEqual(40e9);
    expect(schedule.storageCurve[schedule.storageCurve.length - 1]![1]).toBe(0); // everything cleaned up
  });

  it('starts a county as soon as its own tiles are converted, while other tiles still convert', () => {
    const plan = planOf({ preprocess: '{ parallel_jobs: 2 }' });
    const dag = compile(plan, geo);
    const schedule = simulate(dag);
    const county = dag.nodes.find((n) => n.kind === 'county')!;
    const ready = Math.max(...county.deps.map((d) => schedule.endMs.get(d)!));
    const firstCountyStart = Math.min(...dag.nodes.filter((n) => n.kind === 'county').map((n) => schedule.startMs.get(n.id)!));
    const lastConversionEnd = Math.max(...dag.nodes.filter((n) => n.kind === 'preprocess').map((n) => schedule.endMs.get(n.id)!));
    expect(firstCountyStart).toBeLessThan(lastConversionEnd);
    expect(schedule.startMs.get(county.id)).toBeGreaterThanOrEqual(ready);
  });

  it('runs states one at a time under rollout.parallel_states 1, and two at once under 2 when storage allows', () => {
    const two = toyGeography([{ fips: '17001', tiles: ['A'] }, { fips: '18001', tiles: ['B'] }]);
    const one = simulate(compile(planOf({ states: ['17', '18'] }), two));
    expect(one.startMs.get('index:18')).toBe(one.endMs.get('cleanup:17'));
    const both = simulate(compile(planOf({ rollout: '{ states: ["17", "18"], parallel_states: 2 }' }), two));
    expect(both.startMs.get('index:18')).toBe(0);
    expect(both.peaks[RESOURCE.states]).toBe(2);
  });

  it('reports a stall when one county needs more tiles at once than the budget holds', () => {
    const wide = toyGeography([{ fips: '17001', tiles: tiles(5) }]);
    const schedule = simulate(compile(planOf({ storage: '{ budget: 20GB, min_free: 1GB }' }), wide));
    expect(schedule.stalled).toBeDefined();
    expect(schedule.stalled!.waiting.some((w) => w.resources.includes(RESOURCE.disk))).toBe(true);
  });

  it('admits in priority order per resource and gives back holds when their last node finishes', () => {
    const dag = compile(planOf(), toyGeography([{ fips: '17001', tiles: ['A'] }]));
    const scheduler = new Scheduler(dag);
    expect(scheduler.admit().map((n) => n.id)).toEqual(['index:17']);
    scheduler.finish('index:17');
    expect(scheduler.inUse(RESOURCE.states)).toBe(1); // held until cleanup:17
    // The tile's 10 items run as two groups (6 + 4), one job each (parallel_jobs 2).
    expect(scheduler.admit().map((n) => n.id)).toEqual(['preprocess:A/0', 'preprocess:A/1']);
    expect(scheduler.inUse(RESOURCE.disk)).toBe(2 * 250e6 + 10 * 750e6);
    scheduler.finish('preprocess:A/0');
    expect(scheduler.admit()).toEqual([]); // the county needs both groups
    scheduler.finish('preprocess:A/1');
    expect(scheduler.inUse(RESOURCE.disk)).toBe(10 * 750e6); // the originals are deleted after conversion
    expect(scheduler.admit().map((n) => n.id)).toEqual(['county:17001']);
    scheduler.finish('county:17001');
    // The county was the tile's last reader: its deletion and the state's verification are both ready.
    expect(scheduler.admit().map((n) => n.id)).toEqual(['verify:17', 'cleanup:A']);
    scheduler.finish('cleanup:A');
    expect(scheduler.inUse(RESOURCE.disk)).toBe(0);
    scheduler.finish('verify:17');
    expect(scheduler.admit().map((n) => n.id)).toEqual(['cleanup:17']);
    scheduler.finish('cleanup:17');
    expect(scheduler.inUse(RESOURCE.states)).toBe(0);
    expect(scheduler.done).toBe(true);
  });
});

describe('scheduler rules (hand-built DAGs)', () => {
  /** A DAG of independent nodes of one state, each with the given disk claim and priority. */
  function dagOf(specs: Array<{ id: string; disk: number; priority: number; state?: string }>, disk: number): Dag {
    const nodes = specs.map((s): DagNode => ({
      id: s.id, kind: 'verify', state: s.state ?? '17', label: s.id, deps: [], priority: s.priority, durationMs: 1,
      claims: [{ resource: RESOURCE.disk, amount: s.disk }], counties: 0,
    }));
    const states = [...new Set(specs.map((s) => s.state ?? '17'))].map((fips, position) => ({
      fips, postal: 'XX', name: fips, position, counties: 0, areaKm2: 0, parcels: 0, parcelsEstimated: true, tiles: [], tilesReused: 0, tilesNotKept: 0,
    }));
    return { nodes, byId: new Map(nodes.map((n) => [n.id, n])), states, itemsPerTile: 0, capacities: { [RESOURCE.disk]: disk } };
  }

  it('per resource, no later node starts ahead of an earlier one that waits (no starvation; issue 14 item 2)', () => {
    const dag = dagOf([{ id: 'holder', disk: 5, priority: 0 }, { id: 'big', disk: 8, priority: 1 }, { id: 'small', disk: 1, priority: 2 }], 10);
    const scheduler = new Scheduler(dag);
    // The holder fits; big does not (5 + 8 > 10); small would (5 + 1) but must wait behind big.
    expect(scheduler.admit().map((n) => n.id)).toEqual(['holder']);
    expect(scheduler.waiting().map((n) => n.id)).toEqual(['big', 'small']);
    expect(scheduler.admit()).toEqual([]);
    scheduler.finish('holder');
    expect(scheduler.admit().map((n) => n.id)).toEqual(['big', 'small']);
  });

  it('admits disk in state order: a later state waits until the earlier one has started all its disk claims', () => {
    const dag = dagOf([{ id: 'a1', disk: 1, priority: 0, state: '17' }, { id: 'b1', disk: 1, priority: 10, state: '18' }], 10);
    // a2 of the earlier state is not ready yet (it depends on a1), but it will claim disk.
    dag.nodes.push({ ...dag.nodes[0]!, id: 'a2', deps: ['a1'], priority: 1 } as DagNode);
    dag.byId.set('a2', dag.nodes[2]!);
    const scheduler = new Scheduler(dag);
    expect(scheduler.admit().map((n) => n.id)).toEqual(['a1']);
    expect(scheduler.blockedOn()).toEqual([{ node: dag.byId.get('b1'), resources: [RESOURCE.disk] }]);
    scheduler.finish('a1');
    expect(scheduler.admit().map((n) => n.id)).toEqual(['a2', 'b1']);
  });
});
