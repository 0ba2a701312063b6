import { beforeAll, describe, expect, it } from 'vitest';
import { throughputOf } from '../../src/dag/compile-inputs.js';
import { compile } from '../../src/dag/compile.js';
import { PREPROCESS_GROUP_ITEMS, RESOURCE, type CountyNode, type DagNode, type PreprocessNode } from '../../src/dag/dag.js';
import { dryRun } from '../../src/dag/dry-run.js';
import { kindOf } from '../../src/dag/kinds/node-kinds.js';
import { Scheduler } from '../../src/dag/scheduler.js';
import { simulate } from '../../src/dag/simulate.js';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { diffEstimates } from '../../src/report/plan-diff.js';
import { planOf } from './builders.js';

/**
 * The behaviours the DAG tests check on toyGeography (builders.ts), checked again on the real
 * us-atlas counties and their MGRS tile cover. Small real states keep it quick: Rhode Island
 * (44: 5 counties, 4 tiles), Connecticut (09: 8 counties, 7 tiles; it shares 19TBF and 19TBG
 * with Rhode Island) and Delaware (10: 3 counties, far from both). Expected values come from
 * the geography itself, not from numbers copied here.
 */
let geo: Geography;
beforeAll(async () => {
  geo = await loadGeography();
});

const ITEMS_PER_TILE = 10; // planOf: estimates.acquisitions_per_tile 10
const tilesOfState = (fips: string) => [...new Set(geo.countiesOf(fips).flatMap((c) => geo.tilesOfCounty(c.fips)))].sort();
const widestCounty = (fips: string) => Math.max(...geo.countiesOf(fips).map((c) => geo.tilesOfCounty(c.fips).length));
const preprocessOf = (nodes: DagNode[], tile: string) => nodes.filter((n): n is PreprocessNode => n.kind === 'preprocess' && n.tileId === tile);
/** A tile's items are converted in groups of PREPROCESS_GROUP_ITEMS, one node per group. */
const GROUPS = Math.ceil(ITEMS_PER_TILE / PREPROCESS_GROUP_ITEMS);
const groupIds = (tile: string, suffix = '') => Array.from({ length: GROUPS }, (_, g) => `preprocess:${tile}${suffix}/${g}`);

describe('compile on the real geography', () => {
  it('makes one node per step, and a county depends only on its index and its own tiles', () => {
    const dag = compile(planOf({ states: ['44'] }), geo);
    const counties = geo.countiesOf('44').map((c) => c.fips);
    const tiles = tilesOfState('44');
    expect(dag.nodes.map((n) => n.id).sort()).toEqual([
      'cleanup:44', ...tiles.map((t) => `cleanup:${t}`), ...counties.map((c) => `county:${c}`), 'index:44',
      ...tiles.flatMap((t) => groupIds(t)), 'verify:44',
    ].sort());
    for (const fips of counties) {
      expect(dag.byId.get(`county:${fips}`)!.deps.sort()).toEqual(['index:44', ...geo.tilesOfCounty(fips).flatMap((t) => groupIds(t))].sort());
    }
    expect(dag.byId.get('verify:44')!.deps.sort()).toEqual(counties.map((c) => `county:${c}`).sort());
    expect(dag.byId.get('cleanup:44')!.deps).toContain('verify:44');
    // A tile is deleted after its last reader: every county that reads it.
    for (const tile of tiles) {
      const readers = counties.filter((c) => geo.tilesOfCounty(c).includes(tile)).map((c) => `county:${c}`);
      expect(dag.byId.get(`cleanup:${tile}`)!.deps.sort()).toEqual(readers.sort());
    }
  });

  it('preprocesses a border tile once for consecutive states and frees it after its last user', () => {
    const shared = tilesOfState('09').filter((t) => tilesOfState('44').includes(t));
    expect(shared.length).toBeGreaterThan(0);
    const dag = compile(planOf({ states: ['09', '44'] }), geo);
    for (const tile of shared) {
      const made = preprocessOf(dag.nodes, tile);
      expect(made.map((n) => n.id)).toEqual(groupIds(tile));
      for (const group of made) expect(group.users).toEqual(['09', '44']);
      const readers = ['09', '44'].flatMap((s) => geo.countiesOf(s)).filter((c) => geo.tilesOfCounty(c.fips).includes(tile)).map((c) => `county:${c.fips}`);
      expect(dag.byId.get(`cleanup:${tile}`)!.deps.sort()).toEqual(readers.sort());
    }
    expect(dag.states[1]!.tilesReused).toBe(shared.length);
  });

  it('makes a tile again when the states that need it are not consecutive, and geographic order avoids it', () => {
    const shared = tilesOfState('09').filter((t) => tilesOfState('44').includes(t));
    const plan = planOf({ states: ['09', '10', '44'] });
    const dag = compile(plan, geo);
    for (const tile of shared) expect(preprocessOf(dag.nodes, tile).map((n) => n.id)).toEqual([...groupIds(tile), ...groupIds(tile, '#2')]);

    const geographic = compile(plan, geo, {}, 'geographic');
    const order = geographic.states.map((s) => s.fips);
    expect(Math.abs(order.indexOf('09') - order.indexOf('44'))).toBe(1);
    for (const tile of shared) expect(preprocessOf(geographic.nodes, tile)).toHaveLength(GROUPS);

    const { estimate } = dryRun(plan, geo);
    expect(estimate.orders.find((o) => o.order === 'plan')!.itemsMadeTwice).toBe(shared.length * ITEMS_PER_TILE);
    expect(estimate.orders.find((o) => o.order === 'geographic')!.itemsMadeTwice).toBe(0);
    expect(estimate.warnings.map((w) => w.code)).toContain('TILES_MADE_TWICE');
  });

  it('orders largest-first by area when the parcels were not counted, by parcels when they were', () => {
    const area = (s: string) => geo.countiesOf(s).reduce((sum, c) => sum + c.areaKm2, 0);
    expect(area('10')).toBeGreaterThan(area('44'));
    const plan = planOf({ rollout: '{ states: ["44", "10"], order: largest-first }' });
    expect(compile(plan, geo).states.map((s) => s.fips)).toEqual(['10', '44']);
    const parcels = { countOf: (f: string) => (f.startsWith('44') ? 90_000 : 10), source: 'test counts' };
    const counted = compile(plan, geo, { parcels });
    expect(counted.states.map((s) => s.fips)).toEqual(['44', '10']);
    expect((counted.byId.get('county:44001') as CountyNode).parcelsEstimated).toBe(false);
  });

  it('is pure: the same inputs give the same DAG', () => {
    const plan = planOf({ states: ['09', '44'] });
    expect(JSON.stringify(compile(plan, geo).nodes)).toBe(JSON.stringify(compile(plan, geo).nodes));
  });

  it('skips preprocessing under preprocess: never', () => {
    const plan = planOf({ states: ['44'] });
    plan.tiles.preprocess = 'never';
    const dag = compile(plan, geo);
    expect(dag.nodes.some((n) => n.kind === 'preprocess')).toBe(false);
    for (const c of geo.countiesOf('44')) expect(dag.byId.get(`county:${c.fips}`)!.deps).toEqual(['index:44']);
  });

  it('fills each node from its own kind\'s estimate, and sizes the seed storage from the real tile count', () => {
    const plan = planOf({ states: ['44'] });
    const dag = compile(plan, geo);
    for (const node of dag.nodes) {
      expect(kindOf(node).estimate(node, { plan, throughput: throughputOf(plan) })).toEqual({ durationMs: node.durationMs, claims: node.claims });
    }
    const items = tilesOfState('44').length * ITEMS_PER_TILE;
    const state = dryRun(plan, geo).estimate.states[0]!;
    expect([state.items, state.compressedBytes, state.uncompressedBytes, state.seedPeakBytes]).toEqual([items, items * 250e6, items * 750e6, items * 1e9]);
    expect(state.peakBytes).toBeLessThanOrEqual(state.seedPeakBytes);
  });
});

describe('the dry run on the real geography', () => {
  it('refuses a budget below a state\'s need, naming the widest county', () => {
    const widest = widestCounty('09');
    const plan = planOf({ states: ['09'], storage: '{ budget: 10GB, min_free: 1GB }' });
    const { estimate } = dryRun(plan, geo);
    const [state] = estimate.refused!.states;
    expect(state).toMatchObject({ fips: '09', postal: 'CT', county: { tiles: widest, items: widest * ITEMS_PER_TILE } });
    expect(geo.tilesOfCounty(state!.county!.fips)).toHaveLength(widest);
    expect(state!.needBytes).toBeGreaterThanOrEqual(widest * ITEMS_PER_TILE * 750e6 + 250e6);
    expect(estimate.refused!.message).toMatch(/^state 09 \(CT\) needs a peak of .* but storage.budget is 10 GB/);
  });

  it('uses measured throughput where it exists, and says where each number came from', () => {
    const plan = planOf({ states: ['44'] });
    const measured = { preprocessTimeMs: 30_000, source: 'run 2026-11-02 (measured)' };
    const { estimate } = dryRun(plan, geo, { inputs: { measured } });
    expect(estimate.inputs.throughput.preprocessTimeMs).toEqual({ value: 30_000, source: 'run 2026-11-02 (measured)' });
    expect(estimate.totals.totalMs).toBeLessThan(dryRun(plan, geo).estimate.totals.totalMs);
  });

  it('prices egress on the bytes downloaded for the real tiles', () => {
    const { estimate } = dryRun(planOf({ states: ['44'], costs: '{ currency: EUR, egress_per_gb: 0.1, storage_per_gb_month: 0.02 }' }), geo);
    const gb = (tilesOfState('44').length * ITEMS_PER_TILE * 250e6) / 1e9;
    expect(estimate.cost).toMatchObject({ currency: 'EUR', egressGb: gb });
    expect(estimate.cost!.egress).toBeCloseTo(gb * 0.1, 9);
  });

  it('warns when parallel_jobs exceeds the tiles there are to convert', () => {
    const { estimate } = dryRun(planOf({ states: ['44'], preprocess: '{ parallel_jobs: 64 }' }), geo);
    expect(estimate.warnings).toContainEqual(expect.objectContaining({ code: 'PARALLELISM_WASTED', message: expect.stringContaining('preprocess.parallel_jobs is 64 but at most') }));
  });

  it('says how much free space is missing for the peak plus min_free', () => {
    const plan = planOf({ states: ['44'] });
    const peak = dryRun(plan, geo).estimate.totals.peakBytes;
    const warnings = (bytes: number) => dryRun(plan, geo, { freeSpace: { bytes, path: '/tmp', source: 'test' } }).estimate.warnings.filter((w) => w.code === 'MIN_FREE');
    expect(warnings(peak)).toHaveLength(1);
    expect(warnings(peak + 1e9)).toEqual([]);
  });

  it('diffs two plans: states added, removed, reordered', () => {
    const diff = diffEstimates(dryRun(planOf({ states: ['09', '44'] }), geo).estimate, dryRun(planOf({ states: ['44', '10'] }), geo).estimate);
    expect(diff.added).toEqual(['10']);
    expect(diff.removed).toEqual(['09']);
    expect(diff.moved).toEqual([{ fips: '44', from: 1, to: 0 }]);
  });
});

describe('the scheduler on the real geography', () => {
  it('never holds more disk than the budget, nor more conversions than parallel_jobs, and cleans up everything', () => {
    // Room for the widest county's tiles plus one original: enough to finish, too little to hold the state.
    const budget = Math.ceil((widestCounty('09') * ITEMS_PER_TILE * 750e6 + 250e6) / 1e9) + 1;
    const dag = compile(planOf({ states: ['09'], storage: `{ budget: ${budget}GB, min_free: 1GB }`, preprocess: '{ parallel_jobs: 3 }' }), geo);
    const schedule = simulate(dag);
    expect(schedule.stalled).toBeUndefined();
    expect(schedule.peaks[RESOURCE.disk]).toBeLessThanOrEqual(budget * 1e9);
    expect(schedule.peaks[RESOURCE.jobs]).toBeLessThanOrEqual(3);
    expect(schedule.storageCurve.at(-1)![1]).toBe(0);
  });

  it('starts a county as soon as its own tiles are converted, while other tiles still convert', () => {
    const dag = compile(planOf({ states: ['09'], preprocess: '{ parallel_jobs: 2 }' }), geo);
    const schedule = simulate(dag);
    const counties = dag.nodes.filter((n) => n.kind === 'county');
    for (const county of counties) {
      expect(schedule.startMs.get(county.id)).toBeGreaterThanOrEqual(Math.max(...county.deps.map((d) => schedule.endMs.get(d)!)));
    }
    const firstCountyStart = Math.min(...counties.map((n) => schedule.startMs.get(n.id)!));
    const lastConversionEnd = Math.max(...dag.nodes.filter((n) => n.kind === 'preprocess').map((n) => schedule.endMs.get(n.id)!));
    expect(firstCountyStart).toBeLessThan(lastConversionEnd);
  });

  it('runs states one at a time under parallel_states 1, two at once under 2', () => {
    const one = simulate(compile(planOf({ states: ['44', '10'] }), geo));
    expect(one.startMs.get('index:10')).toBe(one.endMs.get('cleanup:44'));
    const both = simulate(compile(planOf({ rollout: '{ states: ["44", "10"], parallel_states: 2 }' }), geo));
    expect(both.startMs.get('index:10')).toBe(0);
    expect(both.peaks[RESOURCE.states]).toBe(2);
  });

  it('reports a stall when the widest county needs more tiles at once than the budget holds', () => {
    const tooSmall = Math.floor((widestCounty('09') * ITEMS_PER_TILE * 750e6) / 1e9) - 1;
    const schedule = simulate(compile(planOf({ states: ['09'], storage: `{ budget: ${tooSmall}GB, min_free: 1GB }` }), geo));
    expect(schedule.stalled).toBeDefined();
    expect(schedule.stalled!.waiting.some((w) => w.resources.includes(RESOURCE.disk))).toBe(true);
  });

  it('admits a node only after its dependencies finished, within every capacity, until all are done', () => {
    const dag = compile(planOf({ states: ['44'], preprocess: '{ parallel_jobs: 2 }' }), geo);
    const scheduler = new Scheduler(dag);
    const finished = new Set<string>();
    for (let round = 0; !scheduler.done; round += 1) {
      expect(round).toBeLessThan(dag.nodes.length + 1);
      const admitted = scheduler.admit();
      expect(admitted.length).toBeGreaterThan(0);
      for (const node of admitted) expect(node.deps.filter((d) => !finished.has(d))).toEqual([]);
      for (const resource of Object.keys(dag.capacities)) expect(scheduler.inUse(resource)).toBeLessThanOrEqual(dag.capacities[resource]!);
      for (const node of admitted) {
        scheduler.finish(node.id);
        finished.add(node.id);
      }
    }
    expect(finished.size).toBe(dag.nodes.length);
    expect(scheduler.inUse(RESOURCE.disk)).toBe(0);
    expect(scheduler.inUse(RESOURCE.states)).toBe(0);
  });
});
