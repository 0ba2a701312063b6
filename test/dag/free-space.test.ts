/** Free space under storage.dir, read from the folder itself or its nearest existing parent. */
import { mkdtempSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFreeSpace } from '../../src/dag/free-space.js';

describe('free space', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'biomass-free-space-'));
  // Other tests write to this disk meanwhile: the figure is compared within 1 %, the folder exactly.
  const statfsBytes = () => {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  };

  it('reads the folder itself when it exists', async () => {
    const free = await readFreeSpace(dir);
    expect(free).toMatchObject({ path: dir, source: `read from ${dir}` });
    expect(Math.abs(free.bytes! - statfsBytes())).toBeLessThan(statfsBytes() * 0.01);
  });

  it('reads the nearest existing parent of a folder not made yet, and says so', async () => {
    const free = await readFreeSpace(path.join(dir, 'not', 'yet'));
    expect(free).toMatchObject({ path: dir, source: `read from ${dir} (storage.dir does not exist yet)` });
    expect(Math.abs(free.bytes! - statfsBytes())).toBeLessThan(statfsBytes() * 0.01);
  });
});
