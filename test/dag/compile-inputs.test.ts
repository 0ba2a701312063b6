/** What the compiler reads besides the plan: throughput (plan or measured) and the estimated tile index. */
import { describe, expect, it } from 'vitest';
import { estimatedAcquisitions, estimatedTileIndex, throughputOf } from '../../src/dag/compile-inputs.js';
import { planOf } from './builders.js';

describe('compile inputs', () => {
  it('throughput: the plan\'s figures, each replaced by a measured one where it is positive', () => {
    const plan = planOf({ estimates: '{ acquisitions_per_tile: 10, download_rate: 40MB, preprocess_time: 90s, parcel_rate: 300 }' });
    const fromPlan = {
      downloadBytesPerSecond: { value: 40e6, source: 'plan (estimates.download_rate)' },
      preprocessTimeMs: { value: 90_000, source: 'plan (estimates.preprocess_time)' },
      parcelRate: { value: 300, source: 'plan (estimates.parcel_rate)' },
    };
    expect(throughputOf(plan)).toEqual(fromPlan);
    expect(throughputOf(plan, { source: 'run r1 (measured)' })).toEqual(fromPlan);
    expect(throughputOf(plan, { downloadBytesPerSecond: 0, preprocessTimeMs: 30_000, parcelRate: 1200, source: 'run r1 (measured)' })).toEqual({
      downloadBytesPerSecond: fromPlan.downloadBytesPerSecond,
      preprocessTimeMs: { value: 30_000, source: 'run r1 (measured)' },
      parcelRate: { value: 1200, source: 'run r1 (measured)' },
    });
  });

  it('acquisitions per tile: the plan\'s figure, else the season\'s days over the revisit', () => {
    expect(estimatedAcquisitions(planOf({ estimates: '{ acquisitions_per_tile: 7 }' }))).toBe(7);
    const bySeason = planOf({ estimates: '{ acquisitions_per_tile: 10 }' });
    bySeason.estimates.acquisitionsPerTile = 0;
    // 2024-04-01..2024-09-30 is 183 days: 36 visits at 5 days, 18 at 10, at least 1.
    expect(estimatedAcquisitions(bySeason)).toBe(36);
    expect(estimatedTileIndex(bySeason)).toMatchObject({ source: 'estimated (36 dates/tile: season 2024-04-01..2024-09-30 / revisit 5 days)', estimated: true });
    bySeason.tiles.revisitDays = 10;
    expect(estimatedAcquisitions(bySeason)).toBe(18);
    // Both ends count: 183 days at a 61-day revisit is 3 visits (182 days would be 2).
    bySeason.tiles.revisitDays = 61;
    expect(estimatedAcquisitions(bySeason)).toBe(3);
    bySeason.tiles.revisitDays = 400;
    expect(estimatedAcquisitions(bySeason)).toBe(1);
    const index = estimatedTileIndex(planOf({ estimates: '{ acquisitions_per_tile: 7 }' }));
    expect(index).toMatchObject({ source: 'estimated (estimates.acquisitions_per_tile = 7)', estimated: true });
    expect([index.itemsOf('16TCK'), index.itemsOf('anything')]).toEqual([7, 7]);
  });
});
