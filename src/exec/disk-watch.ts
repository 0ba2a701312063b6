/**
 * The disk the scheduler may hand out, from the storage budget and the live free space under
 * storage.dir: what is free now, less storage.min_free, plus what biomass already wrote there
 * (those bytes are inside the claims already counted as in use). So a claim whose files are
 * not written yet still counts, and space other programs take shrinks the capacity.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { readFreeSpace } from '../dag/free-space.js';

export interface DiskReading {
  /** Free bytes on the file system of storage.dir, null when unreadable. */
  freeBytes: number | null;
  /** Bytes in files under storage.dir. */
  writtenBytes: number;
  /** What the scheduler may hand out in all: min(budget, free - min_free + written). */
  capacityBytes: number;
}

export async function readDisk(storage: { dir: string; budgetBytes: number; minFreeBytes: number }): Promise<DiskReading> {
  const [free, writtenBytes] = await Promise.all([readFreeSpace(storage.dir), bytesUnder(storage.dir)]);
  const capacityBytes = free.bytes === null
    ? storage.budgetBytes
    : Math.max(0, Math.min(storage.budgetBytes, free.bytes - storage.minFreeBytes + writtenBytes));
  return { freeBytes: free.bytes, writtenBytes, capacityBytes };
}

/** Sum of file sizes under a folder; 0 when it does not exist. */
export async function bytesUnder(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await bytesUnder(at);
    else if (entry.isFile()) total += await stat(at).then((s) => s.size, () => 0);
  }
  return total;
}
