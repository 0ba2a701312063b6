// Batches are committed in order, consecutive ready ones together, and a failed commit
// stores nothing after it. The commit here records what it is given: what is under test is
// the ordering and grouping; the county tests run it against PostgreSQL and PGlite.
import { describe, expect, it } from 'vitest';
import { BatchCommitter } from '../../src/biomass/batch-committer.js';

function gate(): { open: () => void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { open, wait };
}

describe('the batch committer', () => {
  it('commits in batch order: a batch ready early waits for the ones before it', async () => {
    const groups: number[][] = [];
    const committer = new BatchCommitter<number>(async (group) => void groups.push(group), 1);
    const done: number[] = [];
    const later = committer.add(2, 2).then(() => done.push(2));
    const middle = committer.add(1, 1).then(() => done.push(1));
    await Promise.resolve();
    expect(groups).toEqual([]);
    await committer.add(0, 0).then(() => done.push(0));
    await Promise.all([later, middle]);
    expect(groups).toEqual([[0], [1], [2]]);
    expect(done).toEqual([0, 1, 2]);
    expect(committer.figures).toEqual({ transactions: 3, batches: 3 });
  });

  it('puts the batches that are ready while a commit runs into the next transaction, up to the group size', async () => {
    const groups: number[][] = [];
    const first = gate();
    const committer = new BatchCommitter<number>(async (group) => {
      groups.push(group);
      if (group[0] === 0) await first.wait;
    }, 3);
    const all = [committer.add(0, 0)];
    await Promise.resolve();
    for (const p of [1, 2, 3, 4]) all.push(committer.add(p, p));
    first.open();
    await Promise.all(all);
    expect(groups).toEqual([[0], [1, 2, 3], [4]]);
    expect(committer.figures).toEqual({ transactions: 3, batches: 5 });
  });

  it('fails the group whose commit fails and every batch after it, and commits nothing more', async () => {
    const groups: number[][] = [];
    const committer = new BatchCommitter<number>(async (group) => {
      if (group.includes(1)) throw new Error('connection lost');
      groups.push(group);
    }, 1);
    await committer.add(0, 0);
    const waiting = committer.add(2, 2);
    await expect(committer.add(1, 1)).rejects.toThrow('connection lost');
    await expect(waiting).rejects.toThrow('connection lost');
    await expect(committer.add(3, 3)).rejects.toThrow('connection lost');
    expect(groups).toEqual([[0]]);
    expect(committer.figures).toEqual({ transactions: 1, batches: 1 });
  });

  it('rejects the batches waiting behind one whose computation failed, and every later one', async () => {
    const groups: number[][] = [];
    const committer = new BatchCommitter<number>(async (group) => void groups.push(group), 4);
    await committer.add(0, 0);
    const waiting = committer.add(2, 2);
    committer.abandon(new Error('batch 1 failed'));
    await expect(waiting).rejects.toThrow('batch 1 failed');
    await expect(committer.add(1, 1)).rejects.toThrow('batch 1 failed');
    expect(groups).toEqual([[0]]);
  });
});
