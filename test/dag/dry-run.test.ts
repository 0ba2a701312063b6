import { describe, expect, it } from 'vitest';
import { dryRun } from '../../src/dag/dry-run.js';
import { diffEstimates } from '../../src/report/plan-diff.js';
import { planOf, tiles, toyGeography } from './builders.js';

describe('dry run', () => {
  it('refuses a plan whose budget is below one state\'s need, naming the state, its need and the fix', () => {
    const geo = toyGeography([
      { fips: '17001', tiles: ['A'] },
      { fips: '18001', tiles: tiles(6, 'W') }, // 6 tiles x 10 items x 750 MB = 45 GB at once
    ]);
    const plan = planOf({ states: ['17', '18'], storage: '{ budget: 30GB, min_free: 1GB }' });
    const { estimate } = dryRun(plan, geo);
    expect(estimate.refused).not.toBeNull();
    const [state] = estimate.refused!.states;
    expect(state).toMatchObject({ fips: '18', postal: 'IN', county: { fips: '18001', tiles: 6, items: 60 } });
    expect(state!.needBytes).toBeGreaterThanOrEqual(45e9 + 250e6);
    expect(state!.needBytes).toBeLessThan(48e9);
    expect(estimate.refused!.message).toMatch(/^state 18 \(IN\) needs a peak of 4\d(\.\d+)? GB but storage.budget is 30 GB/);
    expect(estimate.refused!.hint).toMatch(/raise storage.budget to \d+ GB/);
    // The schedule is still complete, simulated with the least budget that lets it finish.
    expect(estimate.totals.scheduledWithBytes).toBe(state!.needBytes);
    expect(estimate.states.find((s) => s.fips === '18')!.needBytes).toBe(state!.needBytes);
  });

  it('uses measured throughput where it exists and says which numbers came from where', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A'] }]);
    const plan = planOf();
    const measured = { preprocessTimeMs: 30_000, source: 'run 2026-11-02 (measured)' };
    const { estimate } = dryRun(plan, geo, { inputs: { measured } });
    expect(estimate.inputs.throughput.preprocessTimeMs).toEqual({ value: 30_000, source: 'run 2026-11-02 (measured)' });
    expect(estimate.inputs.throughput.downloadBytesPerSecond.source).toBe('plan (estimates.download_rate)');
    expect(estimate.inputs.database).toBe('measured figures from run 2026-11-02 (measured)');
    const planOnly = dryRun(plan, geo).estimate;
    expect(planOnly.inputs.database).toBe('not read; plan defaults used');
    expect(estimate.totals.totalMs).toBeLessThan(planOnly.totals.totalMs);
    expect(planOnly.inputs.parcels.source).toMatch(/^estimated \(county area x estimates.parcels_per_km2 = 2\)/);
    expect(planOnly.inputs.tileItems).toMatchObject({ estimated: true, perTile: 10 });
  });

  it('turns prices into a cost line: egress on bytes downloaded, storage on the simulated curve', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A', 'B'] }]);
    const slow = '{ acquisitions_per_tile: 10, preprocess_time: 2h }'; // enough GB-months to show after rounding
    const { estimate } = dryRun(planOf({ estimates: slow, costs: '{ currency: EUR, egress_per_gb: 0.1, storage_per_gb_month: 0.02 }' }), geo);
    expect(estimate.cost).toMatchObject({ currency: 'EUR', egressGb: 5, egress: 0.5 }); // 20 items x 250 MB
    expect(estimate.cost!.storageGbMonths).toBeGreaterThan(0);
    expect(dryRun(planOf(), geo).estimate.cost).toBeNull();
  });

  it('warns when parallel_jobs exceeds the tiles there are to convert', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A'] }]);
    const { estimate } = dryRun(planOf({ preprocess: '{ parallel_jobs: 8 }' }), geo);
    expect(estimate.warnings).toContainEqual(expect.objectContaining({ code: 'PARALLELISM_WASTED', message: expect.stringContaining('preprocess.parallel_jobs is 8 but at most 2 conversions ran at once: the plan converts only 2 groups of tile items') }));
  });

  it('says how much free space is missing for the peak plus min_free, also when free space is below the peak itself', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A'] }]);
    const plan = planOf({ preprocess: '{ parallel_jobs: 1 }' });
    const minFreeWarning = (bytes: number) =>
      dryRun(plan, geo, { freeSpace: { bytes, path: '/tmp', source: 'test' } }).estimate.warnings.filter((w) => w.code === 'MIN_FREE');
    // One tile: 10 items x 750 MB unpacked + 250 MB downloaded at once (its second group's original); min_free is 1 GB.
    expect(dryRun(plan, geo).estimate.totals.peakBytes).toBe(7.75e9);
    expect(minFreeWarning(5e9)).toEqual([{
      code: 'MIN_FREE',
      message: '/tmp has 5 GB (4.66 GiB) free here; the scheduled peak of 7.75 GB plus storage.min_free 1 GB needs 8.75 GB, 3.75 GB more than is free',
      hint: 'run where storage.dir has at least 8.75 GB free, or lower storage.budget (the scheduler then holds less at once)',
    }]);
    expect(minFreeWarning(8e9)[0]!.message).toBe('/tmp has 8 GB (7.45 GiB) free here; the scheduled peak of 7.75 GB plus storage.min_free 1 GB needs 8.75 GB, 750 MB more than is free');
    expect(minFreeWarning(8.75e9)).toEqual([]);
  });

  it('diffs two plans: states added, removed, reordered, totals before and after', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A'] }, { fips: '18001', tiles: ['B'] }, { fips: '19001', tiles: ['C'] }]);
    const before = dryRun(planOf({ states: ['17', '18'] }), geo).estimate;
    const after = dryRun(planOf({ states: ['18', '19'] }), geo).estimate;
    const diff = diffEstimates(before, after);
    expect(diff.added).toEqual(['19']);
    expect(diff.removed).toEqual(['17']);
    expect(diff.moved).toEqual([{ fips: '18', from: 1, to: 0 }]);
    expect(diff.totals.find((t) => t.key === 'states')).toEqual({ key: 'states', before: 2, after: 2 });
  });
});
