import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteStore } from '../../src/db/pglite-store.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'biomass-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the embedded database is opened by one process at a time', () => {
  it('refuses a second opening while the first is open, and allows it after close', async () => {
    const dataDir = path.join(dir, 'db');
    const first = await PgliteStore.open(dataDir);
    try {
      await expect(PgliteStore.open(dataDir)).rejects.toMatchObject({ code: 'DB_EMBEDDED_BUSY', exitCode: 2 });
    } finally {
      await first.close();
    }
    const again = await PgliteStore.open(dataDir);
    await again.close();
  });

  it('takes over the lock of a process that is gone', async () => {
    const dataDir = path.join(dir, 'stale');
    // pid 2^22 + 1 is above Linux's pid_max default: no such process.
    await writeFile(`${dataDir}.lock`, String(2 ** 22 + 1));
    const store = await PgliteStore.open(dataDir);
    try {
      expect((await store.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await store.close();
    }
  });
});
