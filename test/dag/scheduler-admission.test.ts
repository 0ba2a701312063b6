/**
 * The scheduler's admission rules, each on a DAG of a few nodes built by hand: a synthetic
 * stand-in (no geography, no plan) so that each rule has one test whose nodes exercise it and
 * nothing else. The same rules on compiled plans of the real geography: real-geography.test.ts
 * and rollout-deadlock.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { RESOURCE, type Claim, type DagNode } from '../../src/dag/dag.js';
import { Scheduler, type ClaimEvent } from '../../src/dag/scheduler.js';
import { handBuiltDag } from './builders.js';

const ids = (nodes: readonly DagNode[]) => nodes.map((n) => n.id);
const disk = (amount: number, until?: string[]): Claim => ({ resource: RESOURCE.disk, amount, ...(until ? { until } : {}) });
const jobs = (amount: number): Claim => ({ resource: RESOURCE.jobs, amount });

describe('scheduler admission', () => {
  it('admits a claim that fills the capacity exactly, and not one more unit', () => {
    const exact = new Scheduler(handBuiltDag([{ id: 'a', claims: [disk(10)] }], { disk: 10 }));
    expect(ids(exact.admit())).toEqual(['a']);
    expect(exact.inUse(RESOURCE.disk)).toBe(10);
    const over = new Scheduler(handBuiltDag([{ id: 'a', claims: [disk(11)] }], { disk: 10 }));
    expect(over.admit()).toEqual([]);
    expect(over.blockedOn()).toEqual([{ node: expect.objectContaining({ id: 'a' }), resources: [RESOURCE.disk] }]);
  });

  it('a resource with no capacity set is unlimited', () => {
    const s = new Scheduler(handBuiltDag([{ id: 'a', claims: [jobs(1e9)] }, { id: 'b', claims: [jobs(1e9)] }], {}));
    expect(ids(s.admit())).toEqual(['a', 'b']);
    expect(s.inUse(RESOURCE.jobs)).toBe(2e9);
    expect(s.blockedOn()).toEqual([]);
  });

  it('no later node takes a resource an earlier one waits for, even a small one of another kind; other resources go on', () => {
    const s = new Scheduler(handBuiltDag([
      { id: 'big', priority: 1, claims: [disk(8), jobs(1)] },
      { id: 'small', priority: 2, claims: [disk(5)] },
      { id: 'other', priority: 3, claims: [{ resource: RESOURCE.pool, amount: 1 }] },
    ], { disk: 10, jobs: 1, pool: 1 }));
    // Only 5 of the disk free at first (the executor lowers it to the free space), so `big` cannot start.
    s.setCapacity(RESOURCE.disk, 5);
    expect(ids(s.admit())).toEqual(['other']); // `small` would fit, but `big` waits for disk first
    expect(ids(s.waiting())).toEqual(['big', 'small']);
    // `small` fills the disk exactly: it waits for `big`, not for space.
    expect(s.blockedOn().map((b) => [b.node.id, b.resources])).toEqual([['big', [RESOURCE.disk]], ['small', []]]);
    s.setCapacity(RESOURCE.disk, 13);
    expect(ids(s.admit())).toEqual(['big', 'small']);
    expect(s.peaks()).toEqual({ disk: 13, jobs: 1, pool: 1 });
  });

  it('starts ready nodes in priority order, equal priorities in the order they became ready', () => {
    const s = new Scheduler(handBuiltDag([
      { id: 'root' },
      { id: 'late', priority: 5, deps: ['root'], claims: [jobs(1)] },
      { id: 'first', priority: 1, deps: ['root'], claims: [jobs(1)] },
      { id: 'tie-a', priority: 3, claims: [jobs(1)] },
      { id: 'tie-b', priority: 3, claims: [jobs(1)] },
    ], { jobs: 1 }));
    expect(ids(s.admit())).toEqual(['root', 'tie-a']);
    s.finish('root');
    expect(ids(s.waiting())).toEqual(['first', 'tie-b', 'late']);
    const order: string[] = [];
    for (const running of ['tie-a', 'first', 'tie-b', 'late']) {
      s.finish(running);
      order.push(...ids(s.admit()));
    }
    expect(order).toEqual(['first', 'tie-b', 'late']);
    expect(s.done).toBe(true);
    expect([s.finishedCount, s.runningCount]).toEqual([5, 0]);
  });

  it('lists waiting nodes of equal priority in the order they became ready, across resources', () => {
    // Ready in the order a0, b0, a1; a0 starts and a1 waits behind it, b0 waits for the pool.
    const s = new Scheduler(handBuiltDag([
      { id: 'a0', priority: 7, claims: [disk(1)] },
      { id: 'b0', priority: 7, claims: [{ resource: RESOURCE.pool, amount: 1 }] },
      { id: 'a1', priority: 7, claims: [disk(1)] },
    ], { disk: 1, pool: 0 }));
    expect(ids(s.admit())).toEqual(['a0']);
    expect(ids(s.waiting())).toEqual(['b0', 'a1']);
  });

  it('gives a claim back when its node finishes, or with `until` when the last of those nodes finishes', () => {
    const events: string[] = [];
    const hooks = { onTake: (e: ClaimEvent) => events.push(`take ${e.node.id} ${e.claim.amount}`), onGive: (e: ClaimEvent) => events.push(`give ${e.node.id} ${e.claim.amount}`) };
    const s = new Scheduler(handBuiltDag([
      { id: 'make', claims: [disk(6, ['read-1', 'read-2']), jobs(1)] },
      { id: 'read-1', deps: ['make'] },
      { id: 'read-2', deps: ['make'] },
    ], { disk: 10, jobs: 1 }), undefined, hooks);
    s.admit();
    s.finish('make');
    expect(s.inUse(RESOURCE.jobs)).toBe(0);
    expect(s.inUse(RESOURCE.disk)).toBe(6);
    expect(ids(s.admit())).toEqual(['read-1', 'read-2']);
    s.finish('read-2');
    expect(s.inUse(RESOURCE.disk)).toBe(6);
    s.finish('read-1');
    expect(s.inUse(RESOURCE.disk)).toBe(0);
    expect(events).toEqual(['take make 6', 'take make 1', 'give make 1', 'give make 6']);
  });

  it('gives an `until` claim back at once when those nodes have all finished already', () => {
    const s = new Scheduler(handBuiltDag([{ id: 'early' }, { id: 'late', deps: ['gate'], claims: [disk(4, ['early'])] }, { id: 'gate', deps: ['early'] }], { disk: 10 }));
    expect(ids(s.admit())).toEqual(['early']);
    s.finish('early');
    expect(ids(s.admit())).toEqual(['gate']);
    s.finish('gate');
    expect(ids(s.admit())).toEqual(['late']);
    s.finish('late');
    expect(s.inUse(RESOURCE.disk)).toBe(0);
  });

  it('refuses to finish a node that is not running', () => {
    const s = new Scheduler(handBuiltDag([{ id: 'a' }, { id: 'b', deps: ['a'] }], {}));
    expect(() => s.finish('b')).toThrow('scheduler: b is not running');
    expect(() => s.finish('nope')).toThrow('scheduler: nope is not running');
    s.admit();
    s.finish('a');
    expect(() => s.finish('a')).toThrow('scheduler: a is not running');
  });

  it('lets a later state take disk only once every disk node of the states before it has started', () => {
    const s = new Scheduler(handBuiltDag([
      { id: 'il-index', state: '17' },
      { id: 'il-tile', state: '17', deps: ['il-index'], claims: [disk(1)] },
      { id: 'in-tile', state: '18', claims: [disk(1)] },
      { id: 'in-jobs', state: '18', claims: [jobs(1)] },
    ], { disk: 10, jobs: 1 }));
    // Indiana's tile is ready at once and disk is free, but Illinois has a disk node not started.
    expect(ids(s.admit())).toEqual(['il-index', 'in-jobs']);
    expect(s.blockedOn().map((b) => [b.node.id, b.resources])).toEqual([['in-tile', [RESOURCE.disk]]]);
    s.finish('il-index');
    expect(ids(s.admit())).toEqual(['il-tile', 'in-tile']);
  });

  it('skips states with no disk nodes when it decides whose turn it is', () => {
    const s = new Scheduler(handBuiltDag([
      { id: 'il-index', state: '17' },
      { id: 'in-tile', state: '18', claims: [disk(1)] },
      { id: 'oh-tile', state: '39', claims: [disk(1)] },
    ], { disk: 10 }, ['17', '18', '39']));
    expect(ids(s.admit())).toEqual(['il-index', 'in-tile', 'oh-tile']);
  });
});
