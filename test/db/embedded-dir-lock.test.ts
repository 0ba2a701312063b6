import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedDirLock } from '../../src/db/embedded-dir-lock.js';
import { PgliteStore } from '../../src/db/pglite-store.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const lockModule = fileURLToPath(new URL('../../src/db/embedded-dir-lock.ts', import.meta.url));
// pid 2^22 + 1 is above Linux's largest possible pid_max: no such process.
const DEAD_PID = 2 ** 22 + 1;

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
    await writeFile(`${dataDir}.lock`, String(DEAD_PID));
    const store = await PgliteStore.open(dataDir);
    try {
      expect((await store.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await store.close();
    }
  });
});

describe('EmbeddedDirLock', () => {
  it('treats a fresh lock file that names no process as held (its writer may not have written the pid yet)', async () => {
    const dataDir = path.join(dir, 'empty');
    await writeFile(`${dataDir}.lock`, '');
    await expect(EmbeddedDirLock.acquire(dataDir)).rejects.toMatchObject({
      code: 'DB_EMBEDDED_BUSY',
      exitCode: 2,
      message: expect.stringContaining('names no process yet'),
    });
    expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe('');
  });

  it('takes over a lock file that names no process once it is old', async () => {
    const dataDir = path.join(dir, 'empty-old');
    const file = `${dataDir}.lock`;
    await writeFile(file, 'not a pid');
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(file, longAgo, longAgo);
    const lock = await EmbeddedDirLock.acquire(dataDir);
    expect(await readFile(file, 'utf8')).toBe(String(process.pid));
    await lock.release();
  });

  it('refuses a lock held by another live process', async () => {
    const dataDir = path.join(dir, 'live');
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await once(other, 'spawn');
      await writeFile(`${dataDir}.lock`, String(other.pid));
      await expect(EmbeddedDirLock.acquire(dataDir)).rejects.toMatchObject({
        code: 'DB_EMBEDDED_BUSY',
        message: expect.stringContaining(`in use by process ${other.pid}`),
      });
      expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe(String(other.pid));
    } finally {
      other.kill();
    }
  });

  it('takes over a lock whose process is gone, and leaves no temp or guard file', async () => {
    const dataDir = path.join(dir, 'dead');
    await writeFile(`${dataDir}.lock`, String(DEAD_PID));
    const lock = await EmbeddedDirLock.acquire(dataDir);
    expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
    expect((await readdir(dir)).filter((name) => name.startsWith('dead.'))).toEqual(['dead.lock']);
    await lock.release();
    expect((await readdir(dir)).filter((name) => name.startsWith('dead'))).toEqual([]);
  });

  it('does not delete on release a lock that another process now holds', async () => {
    const dataDir = path.join(dir, 'replaced');
    const file = `${dataDir}.lock`;
    const lock = await EmbeddedDirLock.acquire(dataDir);
    // Someone removed our lock by hand and another process took it.
    await rm(file);
    await writeFile(file, String(process.ppid));
    await lock.release();
    expect(await readFile(file, 'utf8')).toBe(String(process.ppid));
  });

  it.each([
    ['no lock', undefined],
    ['the stale lock of a dead process', String(DEAD_PID)],
    ['an old lock that names no process', ''],
  ])('gives the lock to exactly one of several processes racing for it, starting from %s', async (_, staleContent) => {
    const dataDir = path.join(dir, `race-${staleContent ?? 'none'}`);
    if (staleContent !== undefined) {
      await writeFile(`${dataDir}.lock`, staleContent);
      const longAgo = new Date(Date.now() - 60_000);
      await utimes(`${dataDir}.lock`, longAgo, longAgo);
    }
    const racers = Array.from({ length: 6 }, () => startRacer(dataDir));
    try {
      await Promise.all(racers.map((racer) => racer.next()));
      // All have loaded the module; release them together so that their attempts overlap.
      for (const racer of racers) racer.child.stdin?.write('go\n');
      const outcomes = await Promise.all(racers.map((racer) => racer.next()));
      expect(outcomes.filter((outcome) => outcome === 'won')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome !== 'won')).toEqual(Array(5).fill('busy DB_EMBEDDED_BUSY'));
      const winner = racers[outcomes.indexOf('won')]!;
      expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe(String(winner.child.pid));
    } finally {
      for (const racer of racers) racer.child.stdin?.end();
      await Promise.all(racers.map((racer) => racer.exited));
    }
    // The winner released its lock when told to stop; nothing is left behind.
    expect((await readdir(dir)).filter((name) => name.startsWith(path.basename(dataDir)))).toEqual([]);
  });
});

/**
 * A child process that loads the lock module, says "ready", tries to acquire on "go", says
 * "won" or "busy <code>", and holds the lock until its stdin ends.
 */
function startRacer(dataDir: string): { child: ChildProcess; next: () => Promise<string>; exited: Promise<unknown> } {
  const script = `
    import { createInterface } from 'node:readline';
    const { EmbeddedDirLock } = await import(process.argv[1]);
    const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
    console.log('ready');
    await lines.next();
    let lock;
    try {
      lock = await EmbeddedDirLock.acquire(process.argv[2]);
      console.log('won');
    } catch (error) {
      console.log('busy ' + (error.code ?? error.message));
    }
    while (!(await lines.next()).done);
    await lock?.release();
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, lockModule, dataDir], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = once(child, 'exit');
  return {
    child,
    next: async () => {
      const line = await lines.next();
      if (line.done) throw new Error(`racer ${child.pid} exited without answering`);
      return line.value;
    },
    exited,
  };
}
