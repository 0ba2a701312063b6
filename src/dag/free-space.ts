/** Free space under storage.dir, read (never written) from its nearest existing folder. */
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { nearestExistingFolder } from '../plan/machine-checks.js';

export interface FreeSpace {
  bytes: number | null;
  path: string;
  source: string;
}

export async function readFreeSpace(dir: string): Promise<FreeSpace> {
  const at = nearestExistingFolder(dir);
  try {
    if (at === undefined) throw new Error('no existing folder');
    const stats = await statfs(at);
    const bytes = Number(stats.bavail) * Number(stats.bsize);
    return { bytes, path: at, source: at === path.resolve(dir) ? `read from ${at}` : `read from ${at} (storage.dir does not exist yet)` };
  } catch {
    return { bytes: null, path: dir, source: `not readable under ${dir}` };
  }
}
