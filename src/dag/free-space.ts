/** Free space under storage.dir, read (never written) from its nearest existing folder. */
import { statfs } from 'node:fs/promises';
import path from 'node:path';

export interface FreeSpace {
  bytes: number | null;
  path: string;
  source: string;
}

export async function readFreeSpace(dir: string): Promise<FreeSpace> {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      const stats = await statfs(at);
      const bytes = Number(stats.bavail) * Number(stats.bsize);
      return { bytes, path: at, source: at === path.resolve(dir) ? `read from ${at}` : `read from ${at} (storage.dir does not exist yet)` };
    } catch {
      if (path.dirname(at) === at) return { bytes: null, path: dir, source: `not readable under ${dir}` };
    }
  }
}
