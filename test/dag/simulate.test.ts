/**
 * The dry run's clock (simulate), what a stalled schedule says (stall), and the least budget
 * (least-budget), each on a DAG of a few nodes built by hand, with every time and byte worked
 * out in the comments. The same code on compiled plans of the real geography:
 * real-geography.test.ts, rollout-deadlock.test.ts and dry-run.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { RESOURCE, type Claim } from '../../src/dag/dag.js';
import { leastBudget } from '../../src/dag/least-budget.js';
import { simulate, type Schedule } from '../../src/dag/simulate.js';
import { stallOf, stallText, type Stall } from '../../src/dag/stall.js';
import { handBuiltDag, type HandNode } from './builders.js';

const disk = (amount: number, until?: string[]): Claim => ({ resource: RESOURCE.disk, amount, ...(until ? { until } : {}) });
const jobs = (amount: number): Claim => ({ resource: RESOURCE.jobs, amount });
const GB = 1e9;

describe('simulate', () => {
  it('starts, ends and charges disk at the times the durations give, in event order', () => {
    // t=0: a, b, c, d start (65 bytes). t=10: b and d end together (b first: lower priority
    // number), e starts with a claim of 0 bytes. t=20: c ends, f starts (40). t=25: e gives
    // back its 0 bytes (no change, no point on the curve). t=28: f ends. t=30: a ends.
    const dag = handBuiltDag([
      { id: 'a', priority: 1, durationMs: 30, claims: [disk(10)] },
      { id: 'b', priority: 2, durationMs: 10, claims: [disk(20)] },
      { id: 'c', priority: 3, durationMs: 20, claims: [disk(30)] },
      { id: 'd', priority: 4, durationMs: 10, claims: [disk(5)] },
      { id: 'e', priority: 5, durationMs: 15, deps: ['b'], claims: [disk(0)] },
      { id: 'f', priority: 0, durationMs: 8, deps: ['c'], claims: [disk(40)] },
    ], { disk: 100 });
    const schedule = simulate(dag);
    expect(Object.fromEntries(schedule.startMs)).toEqual({ a: 0, b: 0, c: 0, d: 0, e: 10, f: 20 });
    expect(Object.fromEntries(schedule.endMs)).toEqual({ a: 30, b: 10, c: 20, d: 10, e: 25, f: 28 });
    expect(schedule.storageCurve).toEqual([[0, 65], [10, 40], [20, 50], [28, 10], [30, 0]]);
    expect(schedule.diskSpans).toEqual([
      { nodeId: 'b', bytes: 20, fromMs: 0, toMs: 10 },
      { nodeId: 'd', bytes: 5, fromMs: 0, toMs: 10 },
      { nodeId: 'c', bytes: 30, fromMs: 0, toMs: 20 },
      { nodeId: 'e', bytes: 0, fromMs: 10, toMs: 25 },
      { nodeId: 'f', bytes: 40, fromMs: 20, toMs: 28 },
      { nodeId: 'a', bytes: 10, fromMs: 0, toMs: 30 },
    ]);
    expect(schedule.peaks).toEqual({ disk: 65 });
    expect(schedule.totalMs).toBe(30);
    expect(schedule.stalled).toBeUndefined();
  });

  it('pops many events in time order whatever order they were pushed in', () => {
    // Twelve independent nodes whose durations are a shuffle of 1..12; each has a follower
    // that starts when it ends, so every start time shows the order the events came out in.
    const durations = [7, 3, 11, 1, 12, 5, 9, 2, 10, 4, 8, 6];
    const specs: HandNode[] = durations.flatMap((ms, i) => [
      { id: `n${i}`, priority: i, durationMs: ms, claims: [disk(1)] },
      { id: `m${i}`, priority: 100 + i, durationMs: 100, deps: [`n${i}`] },
    ]);
    const schedule = simulate(handBuiltDag(specs, { disk: 100 }));
    durations.forEach((ms, i) => {
      expect(schedule.endMs.get(`n${i}`)).toBe(ms);
      expect(schedule.startMs.get(`m${i}`)).toBe(ms);
    });
    // One byte given back per millisecond, 1..12: the curve steps down once per event.
    expect(schedule.storageCurve).toEqual([[0, 12], ...durations.map((_, k) => [k + 1, 11 - k])]);
    expect(schedule.diskSpans.map((s) => s.toMs)).toEqual([...durations].sort((x, y) => x - y));
    expect(schedule.totalMs).toBe(112);
  });

  it('times a conversion by the jobs running when it starts, after everything due at that instant has ended', () => {
    // p1 and p2 hold both jobs until t=10, so q waits. Both end at t=10 and q starts alone:
    // per item max(10 + 1, 1 x 10) = 11 ms, 2 items, ends at 32. Had q started while p2 still
    // counted, it would share the download rate (max(11, 2 x 10) = 20 ms an item, ending at 50);
    // its durationMs (999, the figure with every job busy) is not what the clock uses.
    const dag = handBuiltDag([
      { id: 'p1', priority: 1, durationMs: 10, claims: [jobs(1)] },
      { id: 'p2', priority: 2, durationMs: 10, claims: [jobs(1)] },
      {
        id: 'q', priority: 3, durationMs: 999, claims: [jobs(1)],
        extra: { kind: 'preprocess', items: 2, downloadMsPerItem: 10, convertMsPerItem: 1, tileId: 'T', group: 0, firstItem: 0, lastGroup: true, making: 1, users: ['17'], cleanupId: 'x' },
      },
    ], { jobs: 2 });
    const schedule = simulate(dag);
    expect(schedule.startMs.get('q')).toBe(10);
    expect(schedule.endMs.get('q')).toBe(32);
    expect(schedule.totalMs).toBe(32);
  });

  it('stops where nothing runs and what waits cannot get its claims, and says what waits', () => {
    const dag = handBuiltDag([
      { id: 'small', priority: 1, durationMs: 5, claims: [disk(4)] },
      { id: 'big', priority: 2, durationMs: 5, deps: ['small'], claims: [disk(11)] },
    ], { disk: 10 });
    const schedule = simulate(dag);
    expect(schedule.totalMs).toBe(5);
    expect(schedule.stalled).toEqual({ atMs: 5, waiting: [{ node: dag.byId.get('big'), resources: [RESOURCE.disk] }] });
  });
});

describe('stall', () => {
  const tile = (id: string, tileId: string, making: number, users: string[], cleanupId: string): HandNode => ({
    id, durationMs: 1, extra: { kind: 'preprocess', tileId, making, users, cleanupId, group: 0, firstItem: 0, items: 1, lastGroup: true, downloadMsPerItem: 1, convertMsPerItem: 1 },
  });
  // Tiles on disk for state 17: A (two groups of one copy count once), A made a second time,
  // and B. Not counted: C (its cleanup ran), D (not converted yet), E (read by state 18 only).
  const dag = handBuiltDag([
    tile('A/0', 'A', 1, ['17'], 'cleanup:A'),
    tile('A/1', 'A', 1, ['17', '18'], 'cleanup:A'),
    tile('A#2/0', 'A', 2, ['17'], 'cleanup:A#2'),
    tile('B/0', 'B', 1, ['17'], 'cleanup:B'),
    tile('C/0', 'C', 1, ['17'], 'cleanup:C'),
    tile('D/0', 'D', 1, ['17'], 'cleanup:D'),
    tile('E/0', 'E', 1, ['18'], 'cleanup:E'),
    { id: 'cleanup:C' },
    { id: 'county:17001', claims: [disk(3 * GB), jobs(1), { resource: RESOURCE.pool, amount: 2 }] },
  ], { disk: 10 * GB });
  const ended = ['A/0', 'A/1', 'A#2/0', 'B/0', 'C/0', 'cleanup:C', 'E/0'];
  const stalledOn = (resources: string[], storageCurve: Schedule['storageCurve'] = [[0, 0], [7, 9 * GB]]): Schedule => ({
    startMs: new Map(), endMs: new Map(ended.map((id) => [id, 1])), storageCurve, diskSpans: [], peaks: {}, totalMs: 7,
    stalled: { atMs: 7, waiting: [{ node: dag.byId.get('county:17001')!, resources }, { node: dag.byId.get('A/0')!, resources: [] }] },
  });

  it('names the state, the disk held, the tiles its counties wait on and what the first waiting node needs', () => {
    expect(stallOf(dag, stalledOn([RESOURCE.disk]))).toEqual({
      state: '17', heldBytes: 9 * GB, tilesHeld: 3,
      waitingFor: { id: 'county:17001', label: 'county:17001', diskBytes: 3 * GB, resources: [RESOURCE.disk] },
    } satisfies Stall);
    // An empty curve holds nothing.
    expect(stallOf(dag, stalledOn([RESOURCE.disk], []))?.heldBytes).toBe(0);
  });

  it('is nothing for a schedule that finished', () => {
    const done = stalledOn([]);
    delete done.stalled;
    expect(stallOf(dag, done)).toBeUndefined();
  });

  it('says what is waited for: disk in bytes when disk is the want, else the resources', () => {
    const stall = (diskBytes: number, resources: string[], tilesHeld: number): Stall => ({
      state: '17', heldBytes: 198 * GB, tilesHeld, waitingFor: { id: 'x', label: '16TBK items 1-6', diskBytes, resources },
    });
    expect(stallText(stall(4.75 * GB, [RESOURCE.disk], 7))).toBe(
      'stalls holding 198 GB (7 tiles converted, waiting for their counties) while 16TBK items 1-6 waits for 4.75 GB of disk');
    expect(stallText(stall(4.75 * GB, [RESOURCE.jobs, RESOURCE.pool], 1))).toBe(
      'stalls holding 198 GB (1 tile converted, waiting for their counties) while 16TBK items 1-6 waits for jobs, pool');
    expect(stallText(stall(0, [RESOURCE.disk], 0))).toBe(
      'stalls holding 198 GB (0 tiles converted, waiting for their counties) while 16TBK items 1-6 waits for disk');
  });
});

describe('least budget', () => {
  // Three steps one after another, 10 GB each, beside a fourth whose 2 GB stay on disk until
  // the last step ends: 12 GB is the least budget that finishes. A resource other than disk,
  // however large, does not count.
  const dag = handBuiltDag([
    { id: 'keep', durationMs: 1, claims: [disk(2 * GB, ['s3'])] },
    { id: 's1', durationMs: 10, claims: [disk(10 * GB), { resource: 'other', amount: 500 * GB }] },
    { id: 's2', durationMs: 10, deps: ['s1'], claims: [disk(10 * GB)] },
    { id: 's3', durationMs: 10, deps: ['s2'], claims: [disk(6 * GB), disk(4 * GB)] },
  ], { disk: 1000 * GB, other: 1000 * GB });
  const finishes = (bytes: number) => simulate(dag, { ...dag.capacities, disk: bytes }).stalled === undefined;

  it('finishes with the budget it names, and stalls one step of its precision below', () => {
    const least = leastBudget(dag);
    expect(finishes(12 * GB)).toBe(true);
    expect(finishes(12 * GB - 1)).toBe(false);
    expect(finishes(least)).toBe(true);
    // Bisection to 1 GB (0.5 % of the 32 GB claimed in all is less): at most 1 GB too much.
    expect(least).toBeGreaterThanOrEqual(12 * GB);
    expect(least).toBeLessThanOrEqual(13 * GB);
  });

  it('is 0 for a DAG that claims no disk', () => {
    expect(leastBudget(handBuiltDag([{ id: 'a', claims: [jobs(1)] }], {}))).toBe(0);
  });
});
