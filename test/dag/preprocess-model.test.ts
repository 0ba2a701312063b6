/** Issue 13 items 3 and 4: the preprocessing model the dry run and the executor share. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dag/compile.js';
import { PREPROCESS_GROUP_ITEMS, RESOURCE, type PreprocessNode } from '../../src/dag/dag.js';
import { dryRun } from '../../src/dag/dry-run.js';
import { preprocessMs } from '../../src/dag/kinds/preprocess-kind.js';
import { preprocessItemsOf } from '../../src/dag/preprocess-items.js';
import { simulate } from '../../src/dag/simulate.js';
import { loadGeography } from '../../src/geo/geography.js';
import { parsePlan } from '../../src/plan/parse-plan.js';
import { planOf, toyGeography } from './builders.js';

describe('preprocessing in groups of items', () => {
  it('splits a tile into groups of items that run as separate jobs, so one downloads while another converts', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A'] }]);
    const plan = planOf({ preprocess: '{ parallel_jobs: 3 }', estimates: '{ acquisitions_per_tile: 36 }' });
    const dag = compile(plan, geo);
    const groups = dag.nodes.filter((n): n is PreprocessNode => n.kind === 'preprocess');
    expect(groups.map((g) => [g.id, g.firstItem, g.items, g.lastGroup])).toEqual(
      Array.from({ length: 6 }, (_, g) => [`preprocess:A/${g}`, g * PREPROCESS_GROUP_ITEMS, 6, g === 5]));
    const schedule = simulate(dag);
    expect(schedule.peaks[RESOURCE.jobs]).toBe(3); // three groups of the one tile at once
    const span = Math.max(...groups.map((g) => schedule.endMs.get(g.id)!)) - Math.min(...groups.map((g) => schedule.startMs.get(g.id)!));
    const oneJob = preprocessMs({ ...groups[0]!, items: 36 }, 1);
    expect(span).toBeLessThan(oneJob / 2);
    // The county reads the whole tile: it starts after the last group.
    expect(schedule.startMs.get('county:17001')).toBe(Math.max(...groups.map((g) => schedule.endMs.get(g.id)!)));
  });

  it('names the items a node converts: group g is items g*6 .. g*6+5 of its tile in acquisition order', () => {
    const items = ['2024-06-11', '2024-06-01', '2024-06-06', '2024-06-16', '2024-06-21', '2024-06-26', '2024-07-01', '2024-07-06']
      .map((d) => ({ itemId: `S2_${d}`, mgrsTile: 'A', acquiredOn: d }))
      .concat([{ itemId: 'S2_other', mgrsTile: 'B', acquiredOn: '2024-06-01' }]);
    const first = preprocessItemsOf({ tileId: 'A', firstItem: 0, items: 6, lastGroup: false }, items);
    expect(first.map((i) => i.acquiredOn)).toEqual(['2024-06-01', '2024-06-06', '2024-06-11', '2024-06-16', '2024-06-21', '2024-06-26']);
    // The last group takes whatever the index lists beyond the estimate.
    expect(preprocessItemsOf({ tileId: 'A', firstItem: 6, items: 1, lastGroup: true }, items).map((i) => i.acquiredOn)).toEqual(['2024-07-01', '2024-07-06']);
    // Two items of one date (two orbits) go by item id, whatever order the index lists them in.
    const sameDay = [{ itemId: 'S2B_0611', mgrsTile: 'A', acquiredOn: '2024-06-11' }, { itemId: 'S2A_0611', mgrsTile: 'A', acquiredOn: '2024-06-11' }];
    expect(preprocessItemsOf({ tileId: 'A', firstItem: 0, items: 2, lastGroup: true }, sameDay).map((i) => i.itemId)).toEqual(['S2A_0611', 'S2B_0611']);
  });

  it('shares the download rate among the jobs running, never more than the link delivers', () => {
    const node = { items: 6, downloadMsPerItem: 1_250, convertMsPerItem: 90_000 };
    expect(preprocessMs(node, 1)).toBe(6 * 91_250);
    expect(preprocessMs(node, 8)).toBe(6 * 91_250); // conversion-bound: eight jobs download in turn
    // Download-bound: 200 jobs of 6 items take at least 200 x 6 downloads' time.
    expect(preprocessMs(node, 200)).toBe(6 * 200 * 1_250);
  });

  it('more parallel_jobs than ever run is not slower: Illinois at 218 GB with 32 jobs vs 8 (issue 13)', async () => {
    const geography = await loadGeography();
    const total = (jobs: number) => {
      const text = readFileSync('plans/illinois.yaml', 'utf8').replace('budget: 1.5TB', 'budget: 218GB').replace('parallel_jobs: 8', `parallel_jobs: ${jobs}`);
      const plan = parsePlan('il.yaml', text, { env: {}, machineChecks: 'skip', cwd: process.cwd() }).plan!;
      return dryRun(plan, geography, { compareOrders: false }).estimate.totals.totalMs;
    };
    expect(total(32)).toBeLessThanOrEqual(total(8));
  });
});
