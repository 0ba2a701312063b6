import { describe, expect, it } from 'vitest';
import { dryRun } from '../../src/dag/dry-run.js';
import { planOf, tiles, toyGeography } from './builders.js';

/** The dry run's warnings about parallelism that cannot be used, word for word. */
const wasted = (plan: ReturnType<typeof planOf>, geo: ReturnType<typeof toyGeography>) =>
  dryRun(plan, geo).estimate.warnings.filter((w) => w.code === 'PARALLELISM_WASTED').map((w) => `${w.message} | ${w.hint}`);

describe('warnings about parallelism that cannot be used', () => {
  it('preprocess.parallel_jobs above the tiles there are', () => {
    expect(wasted(planOf({ preprocess: '{ parallel_jobs: 8 }' }), toyGeography([{ fips: '17001', tiles: ['A', 'B'] }]))).toEqual([
      // Two tiles of 10 items each, converted in groups of at most 6 items: 4 groups.
      'preprocess.parallel_jobs is 8 but at most 4 conversions ran at once: the plan converts only 4 groups of tile items | lower preprocess.parallel_jobs to 4',
    ]);
    expect(wasted(planOf({ preprocess: '{ parallel_jobs: 4 }' }), toyGeography([{ fips: '17001', tiles: ['A', 'B'] }]))).toEqual([]);
  });

  it('preprocess.parallel_jobs above what the storage budget admits', () => {
    // One conversion (a group of 6 items) holds 6 x 750 MB + 250 MB: 10 GB admits two at a time.
    const plan = planOf({ storage: '{ budget: 10GB, min_free: 1GB }', preprocess: '{ parallel_jobs: 3 }' });
    expect(wasted(plan, toyGeography(tiles(4).map((t, i) => ({ fips: `1700${i + 1}`, tiles: [t] }))))).toEqual([
      'preprocess.parallel_jobs is 3 but at most 2 conversions ran at once: the storage budget admits no more conversions at once | lower preprocess.parallel_jobs to 2 or raise storage.budget',
    ]);
  });

  it('no warning about rollout.parallel_states when the states did run side by side', () => {
    const plan = planOf({ rollout: '{ states: ["17", "18"], parallel_states: 2 }', preprocess: '{ parallel_jobs: 1 }' });
    expect(wasted(plan, toyGeography([{ fips: '17001', tiles: ['A'] }, { fips: '18001', tiles: ['B'] }]))).toEqual([]);
  });

  it('processing.parallel_batches above the batches a county has', () => {
    // 50 km2 x 2 parcels per km2 = 100 parcels: one batch of 100.
    expect(wasted(planOf({ preprocess: '{ parallel_jobs: 1 }' }), toyGeography([{ fips: '17001', tiles: ['A'], areaKm2: 50 }]))).toEqual([
      'processing.parallel_batches is 2 but at most 1 batch ran at once in any state: its counties have too few parcels | lower processing.parallel_batches to 1 or processing.batch_size',
    ]);
    expect(wasted(planOf({ preprocess: '{ parallel_jobs: 1 }' }), toyGeography([{ fips: '17001', tiles: ['A'], areaKm2: 100 }]))).toEqual([]);
  });

  it('processing.parallel_batches above what the pool holds', () => {
    const plan = planOf({ processing: '{ batch_size: 100, parallel_batches: 30 }', preprocess: '{ parallel_jobs: 1 }' });
    expect(wasted(plan, toyGeography([{ fips: '17001', tiles: ['A'], areaKm2: 5000 }]))).toEqual([
      'processing.parallel_batches is 30 but at most 25 batches ran at once in any state: database.pool.max limits them | raise database.pool.max',
    ]);
  });

  it('preprocess.parallel_jobs exactly the groups there are, but the budget admits one at a time; none when nothing is converted', () => {
    // One tile of 10 items: 2 groups (6 + 4) for 2 jobs. One after the other they need
    // 7.5 GB unpacked + 250 MB; both at once 8 GB: 7.8 GB admits one group at a time.
    const plan = planOf({ storage: '{ budget: 7.8GB, min_free: 1GB }', preprocess: '{ parallel_jobs: 2 }' });
    expect(wasted(plan, toyGeography([{ fips: '17001', tiles: ['A'] }]))).toEqual([
      'preprocess.parallel_jobs is 2 but at most 1 conversion ran at once: the storage budget admits no more conversions at once | lower preprocess.parallel_jobs to 1 or raise storage.budget',
    ]);
    // With a single group to convert, the plan itself is the reason.
    expect(wasted(planOf({ preprocess: '{ parallel_jobs: 2 }', estimates: '{ acquisitions_per_tile: 6 }' }), toyGeography([{ fips: '17001', tiles: ['A'] }]))).toEqual([
      'preprocess.parallel_jobs is 2 but at most 1 conversion ran at once: the plan converts only 1 group of tile items | lower preprocess.parallel_jobs to 1',
    ]);
    const never = planOf({ preprocess: '{ parallel_jobs: 8 }' });
    never.tiles.preprocess = 'never';
    expect(wasted(never, toyGeography([{ fips: '17001', tiles: ['A'] }])).filter((w) => w.startsWith('preprocess.'))).toEqual([]);
  });
});

describe('warning about tile items made twice', () => {
  it('names the order that makes fewer twice, and is silent when the chosen order makes none', () => {
    // 17 and 18 share tile S; plan order puts 19 between them, so S is deleted after 17 and made again for 18.
    const geo = toyGeography([{ fips: '17001', tiles: ['A', 'S'] }, { fips: '18001', tiles: ['S', 'B'] }, { fips: '19001', tiles: ['C'] }]);
    const twice = (order: string) => dryRun(planOf({ rollout: `{ states: ["17", "19", "18"], order: ${order} }` }), geo).estimate.warnings
      .filter((w) => w.code === 'TILES_MADE_TWICE').map((w) => `${w.message} | ${w.hint}`);
    expect(twice('plan')).toEqual([
      'rollout.order plan downloads and converts 10 tile items a second time (border tiles deleted between two states that need them); largest-first makes 0 twice | set rollout.order: largest-first, or list neighbouring states next to each other',
    ]);
    expect(twice('geographic')).toEqual([]);
  });
});
