/**
 * Commits a county's batches in batch order, several at a time. A batch computed early waits
 * for the ones before it (the checkpoint must never pass a batch that is not stored); when
 * it is the next one due and others after it are ready too, they all go in one transaction
 * (outputs and one checkpoint, at the last of them), which saves a round of BEGIN, upsert,
 * checkpoint and COMMIT per batch when the database is the slowest part.
 */

/** A computed batch, by its place in the county's order of batches still to do (0, 1, 2, ...). */
export interface ReadyBatch<T> {
  position: number;
  value: T;
}

interface Waiting<T> extends ReadyBatch<T> {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class BatchCommitter<T> {
  private readonly ready = new Map<number, Waiting<T>>();
  private next = 0;
  private running = false;
  private failure: { error: unknown } | undefined;
  /** Transactions made, and the batches they held (figures for tests and the summary). */
  readonly figures = { transactions: 0, batches: 0 };

  /**
   * @param commit stores a group of consecutive batches in one transaction, in order; a
   *   failure fails the group and every batch after it.
   * @param maxGroup the most batches in one transaction.
   */
  constructor(
    private readonly commit: (group: T[]) => Promise<void>,
    private readonly maxGroup: number,
  ) {}

  /** Queues a computed batch; resolves once it is committed, rejects if it never will be. */
  add(position: number, value: T): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise<void>((resolve, reject) => {
      this.ready.set(position, { position, value, resolve, reject });
      void this.drain();
    });
  }

  /** A batch that will never be added (its computation failed): nothing after it can be committed. */
  abandon(error: unknown): void {
    this.failure ??= { error };
    if (this.running) return; // the running commit rejects the rest when it ends
    for (const g of this.ready.values()) g.reject(error);
    this.ready.clear();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.ready.has(this.next)) {
        if (this.failure) break;
        const group: Waiting<T>[] = [];
        while (group.length < this.maxGroup && this.ready.has(this.next)) {
          group.push(this.ready.get(this.next)!);
          this.ready.delete(this.next);
          this.next++;
        }
        try {
          await this.commit(group.map((g) => g.value));
          this.figures.transactions++;
          this.figures.batches += group.length;
          for (const g of group) g.resolve();
        } catch (error) {
          this.failure = { error };
          for (const g of [...group, ...this.ready.values()]) g.reject(error);
          this.ready.clear();
        }
      }
    } finally {
      this.running = false;
      if (this.failure) {
        for (const g of this.ready.values()) g.reject(this.failure.error);
        this.ready.clear();
      }
    }
  }
}
