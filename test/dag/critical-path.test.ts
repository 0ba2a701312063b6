/**
 * The critical path of a simulated schedule, on hand-built nodes whose times are worked out in
 * the comments: back from the last node to end, through the dependency that ended last, or,
 * where a node waited for a resource, through the node whose end freed it.
 */
import { describe, expect, it } from 'vitest';
import { RESOURCE, type Claim } from '../../src/dag/dag.js';
import { criticalPath } from '../../src/dag/schedule-summary.js';
import { simulate } from '../../src/dag/simulate.js';
import { handBuiltDag } from './builders.js';

const disk = (amount: number): Claim => ({ resource: RESOURCE.disk, amount });
const ids = (nodes: Array<{ id: string }>) => nodes.map((n) => n.id);

describe('critical path', () => {
  it('goes back through dependencies and through the node that freed a resource, preferring one of the same kind', () => {
    // z ends at 0 (no duration). a holds the whole disk 0-5; e, an index node, also ends at 5.
    // b waits for the disk, runs 5-10; c follows b, 10-13. d runs 0-13 and ties with c at the
    // end, but c's higher priority number marks it as the later one to finish.
    const dag = handBuiltDag([
      { id: 'z', priority: 10, durationMs: 0 },
      { id: 'e', priority: 9, durationMs: 5, extra: { kind: 'index', tiles: 0, cleanupId: 'x' } },
      { id: 'a', priority: 1, durationMs: 5, claims: [disk(10)] },
      { id: 'b', priority: 2, durationMs: 5, claims: [disk(10)] },
      { id: 'c', priority: 3, durationMs: 3, deps: ['b'] },
      { id: 'd', priority: 0, durationMs: 13 },
    ], { disk: 10 });
    const schedule = simulate(dag);
    expect(Object.fromEntries(schedule.endMs)).toEqual({ z: 0, e: 5, a: 5, b: 10, c: 13, d: 13 });
    expect(ids(criticalPath(dag, schedule))).toEqual(['a', 'b', 'c']);
  });

  it('takes the freeing node of the highest priority number when none is of the waiting kind', () => {
    // w (a county) waits for the disk held by p and q, both verify nodes ending at 4.
    const dag = handBuiltDag([
      { id: 'p', priority: 1, durationMs: 4, claims: [disk(5)] },
      { id: 'q', priority: 7, durationMs: 4, claims: [disk(5)] },
      { id: 'w', priority: 8, durationMs: 1, claims: [disk(10)], extra: { kind: 'county' } },
    ], { disk: 10 });
    const schedule = simulate(dag);
    expect(schedule.startMs.get('w')).toBe(4);
    expect(ids(criticalPath(dag, schedule))).toEqual(['q', 'w']);
  });

  it('follows the dependency that ended last', () => {
    const dag = handBuiltDag([
      { id: 'early', priority: 1, durationMs: 2 },
      { id: 'late', priority: 2, durationMs: 6 },
      { id: 'join', priority: 3, durationMs: 1, deps: ['early', 'late'] },
    ], {});
    expect(ids(criticalPath(dag, simulate(dag)))).toEqual(['late', 'join']);
  });

  it('of the nodes that end last, starts from the highest priority number, wherever it stands in the list', () => {
    // x and y both run 0-10; y, listed second, has the higher priority number. w ends at 2 with
    // a higher number still, but ends earlier.
    const dag = handBuiltDag([
      { id: 'x', priority: 1, durationMs: 10 },
      { id: 'y', priority: 5, durationMs: 10 },
      { id: 'w', priority: 9, durationMs: 2 },
    ], {});
    const schedule = simulate(dag);
    expect(Object.fromEntries(schedule.endMs)).toEqual({ x: 10, y: 10, w: 2 });
    expect(ids(criticalPath(dag, schedule))).toEqual(['y']);
  });

  it('prefers the dependency that ended at the start over a freeing node of the same kind', () => {
    // p (a county) and q both end at 4; r, a county, depends on q and starts at 4.
    const dag = handBuiltDag([
      { id: 'p', priority: 1, durationMs: 4, extra: { kind: 'county' } },
      { id: 'q', priority: 2, durationMs: 4 },
      { id: 'r', priority: 3, durationMs: 1, deps: ['q'], extra: { kind: 'county' } },
    ], {});
    const schedule = simulate(dag);
    expect(schedule.startMs.get('r')).toBe(4);
    expect(ids(criticalPath(dag, schedule))).toEqual(['q', 'r']);
  });
});
