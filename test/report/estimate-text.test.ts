/** Issue 13 items 8-11: units, rounding, column names and item counts in the dry run's text. */
import { describe, expect, it } from 'vitest';
import { dryRun } from '../../src/dag/dry-run.js';
import { bytesAgainst, bytesWithBinary, duration } from '../../src/report/display-units.js';
import { clock, estimateText } from '../../src/report/estimate-text.js';
import { planOf, toyGeography } from '../dag/builders.js';

describe('dry run text', () => {
  const geo = toyGeography([
    { fips: '17001', tiles: ['A', 'BORDER'] },
    { fips: '18001', tiles: ['BORDER', 'C'] },
  ]);
  const plan = planOf({ states: ['17', '18'] });

  it('says once that sizes are decimal and shows free space in df\'s binary units too (item 8)', () => {
    const text = estimateText(dryRun(plan, geo, { freeSpace: { bytes: 81.1e9, path: '/tmp', source: 'read from /tmp' } }).estimate);
    expect(text.match(/Sizes are decimal \(1 GB = 10\^9 bytes/g)).toHaveLength(1);
    expect(text).toContain('`df -h` shows binary units (1 GiB = 1.074 GB');
    expect(text).toContain('  free space   81.1 GB (75.5 GiB) free; read from /tmp');
    expect(bytesWithBinary(2.5e12)).toBe('2.5 TB (2.27 TiB)');
  });

  it('never shows a peak equal to the budget when it is not, and rounds durations as the clock does (item 9)', () => {
    expect(bytesAgainst(2.495e12, 2.5e12)).toBe('2.495 TB');
    expect(bytesAgainst(2.5e12, 2.5e12)).toBe('2.5 TB');
    expect(bytesAgainst(281e9, 299e9)).toBe('281 GB');
    expect(bytesAgainst(2.50004e12, 2.5e12)).toBe('2.50004 TB');
    const ms = (12 * 60 + 17) * 60_000 + 40_000; // 12:17:40
    expect(clock(ms)).toBe('12:18');
    expect(duration(ms)).toBe('12h 18m');
    expect(duration((43 * 60 + 42) * 60_000)).toBe('1d 19h 42m');
    expect(duration(45_000)).toBe('45s');
  });

  it('names every column once (item 10)', () => {
    const text = estimateText(dryRun(plan, geo).estimate);
    const header = text.split('\n').find((l) => l.startsWith('state '))!;
    const names = header.trim().split(/\s{2,}/);
    expect(names).toEqual(['state', 'counties', 'tiles', 'items', 'compressed', 'uncompressed', 'seed peak', 'peak', 'preprocess time', 'county time', 'window']);
    expect(new Set(names).size).toBe(names.length);
  });

  it('heads with distinct and downloaded items, and says per-state figures count a shared tile in both (item 11)', () => {
    // 3 tiles x 10 items: BORDER is read by both states, kept between them, downloaded once.
    const { estimate } = dryRun(plan, geo);
    expect(estimate.totals).toMatchObject({ items: 40, distinctItems: 30, itemsMade: 30 });
    const text = estimateText(estimate);
    expect(text).toMatch(/^Plan test-plan: 2 states, 2 counties, 3 MGRS tiles, 30 distinct tile items, 30 downloaded \(estimated: 10 dates\/tile\)/);
    expect(text).toContain('Per state, items and peaks count a tile read by two states in both (40 items summed per state).');
  });
});
