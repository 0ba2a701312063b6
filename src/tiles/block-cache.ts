/**
 * Decoded COG blocks kept in memory up to cache.max_bytes, so a block shared by two batches
 * is read and decoded once. Eviction (cache.eviction):
 * - `lru`: the least recently used block goes first;
 * - `plan-aware`: Belady's rule on the known access order: the block whose next use in the
 *   remaining planned accesses is furthest away (or never) goes first. The county step knows
 *   its batches in advance, so it announces their block accesses with `plan()`.
 * Hits, misses, evictions and bytes are counted for the run's metrics.
 */
export type Eviction = 'lru' | 'plan-aware';

export interface CacheFigures {
  hits: number;
  misses: number;
  evictions: number;
  /** Bytes held now. */
  bytes: number;
  /** Most bytes ever held (always <= maxBytes). */
  peakBytes: number;
  entries: number;
  maxBytes: number;
}

interface Entry<V> {
  value: V;
  bytes: number;
}

export class BlockCache<V> {
  readonly maxBytes: number;
  readonly eviction: Eviction;
  /** Insertion order = recency order (a hit moves the entry to the end). */
  private readonly entries = new Map<string, Entry<V>>();
  /** Planned positions of each key's future accesses, ascending, consumed from the front. */
  private readonly future = new Map<string, { at: number[]; head: number }>();
  private planned = 0;
  private bytes = 0;
  private readonly counts = { hits: 0, misses: 0, evictions: 0, peakBytes: 0 };

  constructor(options: { maxBytes: number; eviction: Eviction }) {
    this.maxBytes = options.maxBytes;
    this.eviction = options.eviction;
  }

  /** Announces accesses that will follow, in order (used by plan-aware eviction). */
  plan(keys: Iterable<string>): void {
    if (this.eviction !== 'plan-aware') return;
    for (const key of keys) {
      let f = this.future.get(key);
      if (!f) this.future.set(key, (f = { at: [], head: 0 }));
      f.at.push(this.planned++);
    }
  }

  /** The cached value, counting a hit or a miss; the access consumes the key's next planned use. */
  get(key: string): V | undefined {
    this.consume(key);
    const entry = this.entries.get(key);
    if (!entry) {
      this.counts.misses++;
      return undefined;
    }
    this.counts.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /**
   * An access answered by a read already in flight (two batches wanting the same block at
   * once): a hit, since the block is read once; it consumes the key's next planned use.
   */
  shared(key: string): void {
    this.consume(key);
    this.counts.hits++;
  }

  /** Whether the key is cached, without counting an access. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Stores a value, evicting as needed; a value larger than the whole cache is not kept. */
  set(key: string, value: V, bytes: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    if (bytes > this.maxBytes) return;
    while (this.bytes + bytes > this.maxBytes && this.entries.size > 0) this.evictOne();
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    this.counts.peakBytes = Math.max(this.counts.peakBytes, this.bytes);
  }

  figures(): CacheFigures {
    return { ...this.counts, bytes: this.bytes, entries: this.entries.size, maxBytes: this.maxBytes };
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private consume(key: string): void {
    const f = this.future.get(key);
    if (!f) return;
    f.head++;
    if (f.head >= f.at.length) this.future.delete(key);
  }

  private nextUse(key: string): number {
    const f = this.future.get(key);
    return f ? f.at[f.head]! : Infinity;
  }

  private evictOne(): void {
    let victim: string | undefined;
    if (this.eviction === 'lru') {
      victim = this.entries.keys().next().value;
    } else {
      // Furthest next use; among equals (e.g. never used again) the least recently used.
      let furthest = -1;
      for (const key of this.entries.keys()) {
        const next = this.nextUse(key);
        if (next > furthest) {
          furthest = next;
          victim = key;
          if (next === Infinity) break;
        }
      }
    }
    if (victim === undefined) return;
    this.bytes -= this.entries.get(victim)!.bytes;
    this.entries.delete(victim);
    this.counts.evictions++;
  }
}
