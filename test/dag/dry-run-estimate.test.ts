/**
 * The dry run's estimate as a whole: every total agrees with the states, the DAG and the
 * schedule it came from (checked here from those, not from the code's own sums), and the whole
 * estimate of two small rollouts, one that fits and one refused, is held in a reviewed snapshot
 * (test/dag/__snapshots__/dry-run-estimate.test.ts.snap): a change there is a change users see
 * in `biomass plan`. The toy geography is the synthetic stand-in of test/dag/builders.ts; the
 * same dry run on the real geography: real-geography.test.ts and cli-plan.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { RESOURCE } from '../../src/dag/dag.js';
import { dryRun } from '../../src/dag/dry-run.js';
import { planOf, tiles, toyGeography } from './builders.js';

const geo = () => toyGeography([
  { fips: '17001', tiles: ['A', 'B'], areaKm2: 500 },
  { fips: '17003', tiles: ['B', 'C'], areaKm2: 2000 },
  { fips: '18001', tiles: ['C', ...tiles(3, 'W')], areaKm2: 1500 },
  { fips: '19001', tiles: ['D'], areaKm2: 800 },
  { fips: '20001', tiles: tiles(5, 'K'), areaKm2: 3000 },
]);
const COSTS = '{ currency: USD, egress_per_gb: 0.09, storage_per_gb_month: 0.02 }';
const SLOW = '{ acquisitions_per_tile: 10, preprocess_time: 2h }';

describe('dry-run estimate', () => {
  it('totals agree with the states, the DAG and the schedule', () => {
    const plan = planOf({ states: ['17', '18', '19'], estimates: SLOW, costs: COSTS, rollout: '{ states: ["17", "18", "19"], order: geographic }' });
    const { estimate, dag, schedule } = dryRun(plan, geo());
    const { totals, states } = estimate;
    const { compressedBytes: c, uncompressedBytes: u } = plan.storage.tileSize;
    expect(estimate.refused).toBeNull();
    expect(estimate.order).toEqual({ strategy: 'geographic', states: dag.states.map((s) => s.fips) });
    expect(totals.states).toBe(3);
    expect(totals.counties).toBe(4);
    expect(totals.tiles).toBe(7); // A B C D W00 W01 W02
    expect(states.map((s) => [s.fips, s.tiles, s.counties])).toEqual(estimate.order.states.map((f) => [f, { 17: 3, 18: 4, 19: 1 }[f], { 17: 2, 18: 1, 19: 1 }[f]]));
    // 10 items per tile (estimated): items count per state, a tile shared by two states twice.
    expect(states.map((s) => s.items)).toEqual(states.map((s) => s.tiles * 10));
    expect(totals.items).toBe(80);
    expect(totals.distinctItems).toBe(70); // 7 distinct tiles x 10
    const made = dag.nodes.filter((n) => n.kind === 'preprocess');
    const itemsMade = made.reduce((sum, n) => sum + (n.kind === 'preprocess' ? n.items : 0), 0);
    expect(totals.itemsMade).toBe(itemsMade);
    expect(totals.itemsMadeTwice).toBe(made.reduce((sum, n) => sum + (n.kind === 'preprocess' && n.making > 1 ? n.items : 0), 0));
    expect(totals).toMatchObject({
      compressedBytes: 80 * c, uncompressedBytes: 80 * u, downloadedBytes: itemsMade * c,
      seedPeakBytes: Math.max(...states.map((s) => s.items * (c + u))),
      peakBytes: schedule.peaks[RESOURCE.disk], budgetBytes: plan.storage.budgetBytes, minFreeBytes: plan.storage.minFreeBytes,
      scheduledWithBytes: plan.storage.budgetBytes, totalMs: schedule.totalMs,
    });
    for (const s of states) {
      expect(s.compressedBytes).toBe(s.items * c);
      expect(s.uncompressedBytes).toBe(s.items * u);
      expect(s.startMs).toBe(schedule.startMs.get(`index:${s.fips}`));
      expect(s.endMs).toBe(schedule.endMs.get(`cleanup:${s.fips}`));
      const own = dag.nodes.filter((n) => n.state === s.fips);
      const spanOf = (kind: string) => {
        const nodes = own.filter((n) => n.kind === kind);
        return Math.max(...nodes.map((n) => schedule.endMs.get(n.id)!)) - Math.min(...nodes.map((n) => schedule.startMs.get(n.id)!));
      };
      expect(s.countiesMs).toBe(spanOf('county'));
      if (own.some((n) => n.kind === 'preprocess')) expect(s.preprocessMs).toBe(spanOf('preprocess'));
      else expect(s.preprocessMs).toBe(0);
      expect(s.peakBytes).toBeGreaterThan(0);
      expect(s.peakBytes).toBeLessThanOrEqual(totals.peakBytes);
    }
    // The critical path: a chain of nodes in time order, each starting when the one before ended, ending at the end.
    const path = totals.criticalPath;
    expect(path.at(-1)!.endMs).toBe(schedule.totalMs);
    expect(path[0]!.startMs).toBe(0);
    for (const [i, step] of path.entries()) {
      expect(step).toEqual({ id: step.id, label: dag.byId.get(step.id)!.label, startMs: schedule.startMs.get(step.id), endMs: schedule.endMs.get(step.id) });
      if (i > 0) expect(step.startMs).toBe(path[i - 1]!.endMs);
    }
    // Every order once, the chosen one with this schedule's figures.
    expect(estimate.orders.map((o) => o.order)).toEqual(['plan', 'largest-first', 'geographic']);
    expect(estimate.orders.filter((o) => o.chosen).map((o) => o.order)).toEqual(['geographic']);
    expect(estimate.orders.find((o) => o.chosen)).toMatchObject({ itemsMadeTwice: totals.itemsMadeTwice, peakBytes: totals.peakBytes, totalMs: totals.totalMs });
    // Cost: storage on the area under the storage curve (GB-months of 730 h), egress on bytes downloaded.
    let byteMs = 0;
    schedule.storageCurve.forEach(([t, bytes], i) => (byteMs += bytes * ((schedule.storageCurve[i + 1]?.[0] ?? schedule.totalMs) - t)));
    const gbMonths = byteMs / 1e9 / (730 * 3_600_000);
    const round2 = (x: number) => Math.round(x * 100) / 100;
    expect(estimate.cost).toEqual({
      currency: 'USD', storageGbMonths: round2(gbMonths), storage: round2(gbMonths * 0.02),
      egressGb: round2(itemsMade * c / 1e9), egress: round2(itemsMade * c / 1e9 * 0.09),
      total: round2(round2(gbMonths * 0.02) + round2(itemsMade * c / 1e9 * 0.09)),
    });
    expect(dryRun(plan, geo(), { compareOrders: false }).estimate.orders.map((o) => o.order)).toEqual(['geographic']);
  });

  it('largest-first says what it measured size by', () => {
    const { estimate } = dryRun(planOf({ states: ['17', '18', '19'], rollout: '{ states: ["17", "18", "19"], order: largest-first }' }), geo());
    expect(estimate.order).toEqual({ strategy: 'largest-first', basis: 'area', states: ['17', '18', '19'] });
  });

  it('the estimate of a rollout that fits, whole', () => {
    const plan = planOf({ states: ['19', '17', '18'], estimates: SLOW, costs: COSTS, rollout: '{ states: ["19", "17", "18"], order: plan }' });
    expect(dryRun(plan, geo(), { freeSpace: { bytes: 2e12, path: '/data', source: 'test' }, database: 'test database' }).estimate).toMatchSnapshot();
  });

  it('the estimate of a rollout refused for its budget, whole', () => {
    // State 18 reads 4 tiles at once (40 items x 750 MB = 30 GB unpacked): more than 20 GB.
    const plan = planOf({ states: ['17', '18'], storage: '{ budget: 20GB, min_free: 1GB }', rollout: '{ states: ["17", "18"], order: plan }' });
    expect(dryRun(plan, geo()).estimate).toMatchSnapshot();
  });

  it('a refusal of two states names the first, the others with their needs, and a budget for the worst', () => {
    // 18 reads 4 tiles at once (30 GB unpacked), 20 reads 5 (37.5 GB): both over 20 GB. (The toy
    // geography names no state 20: its postal code is XX.)
    const plan = planOf({ states: ['18', '20'], storage: '{ budget: 20GB, min_free: 1GB }', rollout: '{ states: ["18", "20"], order: plan }' });
    const { refused } = dryRun(plan, geo()).estimate;
    expect(refused!.states.map((s) => s.fips)).toEqual(['18', '20']);
    expect(refused!.message).toMatch(/^state 18 \(IN\) needs a peak of 30\.3 GB but storage\.budget is 20 GB; .* \(and 20 XX 37\.\d+ GB\)$/);
    expect(refused!.hint).toBe('raise storage.budget to 38 GB, or run IN, XX in a plan of their own with a larger budget; lowering preprocess.parallel_jobs saves 250 MB per job');
  });

  it('a refusal of three states lists the two others, separated by commas', () => {
    // At 14 GB, 17's counties read 2 tiles at once (15 GB unpacked) and 18 and 20 more: all three are over.
    const plan = planOf({ states: ['17', '18', '20'], storage: '{ budget: 14GB, min_free: 1GB }', rollout: '{ states: ["17", "18", "20"], order: plan }' });
    const { refused } = dryRun(plan, geo()).estimate;
    expect(refused!.states.map((s) => s.fips)).toEqual(['17', '18', '20']);
    expect(refused!.message).toMatch(/^state 17 \(IL\) needs a peak of [\d.]+ GB but storage\.budget is 14 GB; .* \(and 18 IN [\d.]+ GB, 20 XX [\d.]+ GB\)$/);
    expect(refused!.hint).toMatch(/^raise storage\.budget to \d+ GB, or run IL, IN, XX in a plan of their own with a larger budget;/);
  });
});
