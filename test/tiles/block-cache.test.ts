import { describe, expect, it } from 'vitest';
import { BlockCache, type Eviction } from '../../src/tiles/block-cache.js';

/** Replays an access sequence as the county step does: get, and on a miss read and set. */
function replay(sequence: string[], eviction: Eviction, capacity: number): { misses: number; peak: number } {
  const cache = new BlockCache<Uint8Array>({ maxBytes: capacity * 100, eviction });
  cache.plan(sequence);
  for (const key of sequence) if (!cache.get(key)) cache.set(key, new Uint8Array(100), 100);
  const f = cache.figures();
  expect(f.hits + f.misses).toBe(sequence.length);
  return { misses: f.misses, peak: f.peakBytes };
}

describe('block cache', () => {
  it('plan-aware eviction makes strictly fewer misses where LRU thrashes', () => {
    // Four blocks cycled through a cache of three: LRU always evicts the one needed next.
    const sequence = Array.from({ length: 40 }, (_, i) => `b${i % 4}`);
    const lru = replay(sequence, 'lru', 3);
    const planAware = replay(sequence, 'plan-aware', 3);
    expect(lru.misses).toBe(40);
    expect(planAware.misses).toBeLessThan(lru.misses);
    expect(planAware.misses).toBe(4 + Math.ceil(36 / 3)); // cold misses, then one in three
  });

  it('plan-aware eviction never makes more misses than LRU on a recorded batch sequence', () => {
    // Batches along a Hilbert-like walk over a 12 x 12 block grid, each touching a 2 x 2 to 3 x 3 patch.
    const sequence: string[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let batch = 0; batch < 200; batch++) {
      const x = Math.floor(batch / 17) % 10 + Math.floor(random() * 2);
      const y = (batch % 17) % 10 + Math.floor(random() * 2);
      const side = 2 + Math.floor(random() * 2);
      for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) sequence.push(`${x + i}:${y + j}`);
    }
    for (const capacity of [4, 8, 16, 32, 64]) {
      const lru = replay(sequence, 'lru', capacity);
      const planAware = replay(sequence, 'plan-aware', capacity);
      expect(planAware.misses, `capacity ${capacity}`).toBeLessThanOrEqual(lru.misses);
      expect(planAware.peak).toBeLessThanOrEqual(capacity * 100);
      expect(lru.peak).toBeLessThanOrEqual(capacity * 100);
    }
  });

  it('keeps its bytes within max_bytes and refuses a value larger than the cache', () => {
    const cache = new BlockCache<string>({ maxBytes: 1000, eviction: 'lru' });
    for (let i = 0; i < 50; i++) cache.set(`k${i}`, 'v', 300);
    expect(cache.figures()).toMatchObject({ bytes: 900, entries: 3, evictions: 47, peakBytes: 900 });
    cache.set('huge', 'v', 5000);
    expect(cache.has('huge')).toBe(false);
    expect(cache.get('k49')).toBe('v');
    expect(cache.get('k0')).toBeUndefined();
  });
});
