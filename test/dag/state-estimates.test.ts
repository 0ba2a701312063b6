import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/dag/compile.js';
import type { DagNode } from '../../src/dag/dag.js';
import { dryRun } from '../../src/dag/dry-run.js';
import { simulate, type Schedule } from '../../src/dag/simulate.js';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { planOf } from './builders.js';

/**
 * Each state's line of the estimate, read back from the schedule it came from: every figure
 * recomputed here from the compiled DAG and its simulation (real geography: Connecticut and
 * Rhode Island, which share two tiles, so the second state reuses them).
 */
let geo: Geography;
beforeAll(async () => {
  geo = await loadGeography();
});

function span(nodes: DagNode[], schedule: Schedule): number {
  if (nodes.length === 0) return 0;
  return Math.max(...nodes.map((n) => schedule.endMs.get(n.id)!)) - Math.min(...nodes.map((n) => schedule.startMs.get(n.id)!));
}

describe('the estimate of each state', () => {
  it('matches the DAG and the simulated schedule it was read from', () => {
    const plan = planOf({ states: ['09', '44'] });
    const dag = compile(plan, geo);
    const schedule = simulate(dag);
    const { estimate } = dryRun(plan, geo);
    expect(estimate.states.map((s) => s.fips)).toEqual(['09', '44']);
    for (const [i, s] of estimate.states.entries()) {
      const info = dag.states[i]!;
      const own = dag.nodes.filter((n) => n.state === s.fips);
      const made = own.filter((n) => n.kind === 'preprocess');
      const counties = own.filter((n) => n.kind === 'county');
      const items = info.tiles.length * 10;
      expect(s).toMatchObject({
        fips: info.fips, postal: info.postal, name: info.name, position: i, counties: geo.countiesOf(s.fips).length,
        tiles: info.tiles.length, tilesReused: info.tilesReused, items, itemsMade: made.reduce((sum, n) => sum + (n.kind === 'preprocess' ? n.items : 0), 0),
        compressedBytes: items * 250e6, uncompressedBytes: items * 750e6, seedPeakBytes: items * 1e9,
        preprocessMs: span(made, schedule), countiesMs: span(counties, schedule),
        startMs: schedule.startMs.get(`index:${s.fips}`), endMs: schedule.endMs.get(`cleanup:${s.fips}`),
      });
      expect(s.preprocessMs).toBeGreaterThan(0);
      expect(s.countiesMs).toBeGreaterThan(0);
      expect(s.endMs).toBeGreaterThan(s.startMs);
      // At least one converted tile on disk at some point, never more than all of them.
      expect(s.peakBytes).toBeGreaterThanOrEqual(10 * 750e6);
      expect(s.peakBytes).toBeLessThanOrEqual(s.seedPeakBytes);
    }
    // Rhode Island reuses the two tiles Connecticut converted: it makes fewer than it reads.
    const [ct, ri] = estimate.states;
    expect(ri!.tilesReused).toBe(2);
    expect(ri!.itemsMade).toBe(ri!.items - 2 * 10);
    expect(ct!.itemsMade).toBe(ct!.items);
    // One state after the other (parallel_states 1).
    expect(ri!.startMs).toBe(ct!.endMs);
    expect(estimate.totals.totalMs).toBe(schedule.totalMs);
  });

  it('counts a state that makes no tile with spans of 0 (preprocess: never)', () => {
    const plan = planOf({ states: ['44'] });
    plan.tiles.preprocess = 'never';
    const [ri] = dryRun(plan, geo).estimate.states;
    expect(ri).toMatchObject({ itemsMade: 0, preprocessMs: 0, peakBytes: 0 });
    expect(ri!.countiesMs).toBeGreaterThan(0);
  });
});
