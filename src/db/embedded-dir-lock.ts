import { randomBytes } from 'node:crypto';
import { link, open, rm, stat, writeFile } from 'node:fs/promises';
import { BiomassError } from '../biomass-error.js';

/**
 * A lock file younger than this that names no process is taken to be held: an older biomass
 * wrote the pid after creating the file, and a reader in between must not call it stale.
 */
const UNNAMED_LOCK_GRACE_MS = 10_000;

/** What a lock file held when it was read: its inode, the pid it names (if any) and its age. */
interface LockSnapshot {
  ino: bigint;
  owner: number | undefined;
  ageMs: number;
}

/**
 * An exclusive claim on an embedded database directory by one process: a `<dir>.lock` file
 * holding the owner's pid. A lock whose process is gone is taken over.
 *
 * Two PGlite instances on one folder corrupt it, so every step is atomic on the file system:
 * the lock appears already holding its pid (written to a temp file, then `link`ed), and a
 * stale lock is cleared only under a guard file named after its inode, so two processes
 * clearing the same stale lock cannot both remove it and then each other's fresh lock.
 */
export class EmbeddedDirLock {
  private constructor(
    private readonly file: string,
    private readonly ino: bigint,
  ) {}

  static async acquire(dataDir: string): Promise<EmbeddedDirLock> {
    const file = `${dataDir}.lock`;
    // One try, one after clearing a stale lock, one more if a lock vanished while we read it.
    for (let tries = 0; tries < 3; tries += 1) {
      const ino = await linkNew(file);
      if (ino !== undefined) return new EmbeddedDirLock(file, ino);
      const held = await readLock(file);
      if (held === undefined) continue; // released between our link and our read
      refuseIfHeld(dataDir, file, held);
      await clearStale(dataDir, file, held);
    }
    throw new BiomassError('DB_EMBEDDED_BUSY', `cannot lock the embedded database ${dataDir}`, {
      hint: 'other processes keep taking the lock; wait for them to finish, or give a PostgreSQL URL (DATABASE_URL)',
      exitCode: 2,
    });
  }

  /** Removes the lock, unless it is no longer ours (removed by hand and taken by another process). */
  async release(): Promise<void> {
    const held = await readLock(this.file);
    if (held !== undefined && held.ino === this.ino && held.owner === process.pid) {
      await rm(this.file, { force: true });
    }
  }
}

/**
 * Creates `target` already holding our pid: a temp file is written and hard-linked to it, which
 * fails with EEXIST if `target` exists. Returns the inode of the new file, or undefined if
 * `target` already existed.
 */
async function linkNew(target: string): Promise<bigint | undefined> {
  const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, String(process.pid), { flag: 'wx' });
    const { ino } = await stat(tmp, { bigint: true });
    await link(tmp, target);
    return ino;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Reads a lock through one handle so that inode and content belong to the same file. */
async function readLock(file: string): Promise<LockSnapshot | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const info = await handle.stat({ bigint: true });
    const text = (await handle.readFile('utf8')).trim();
    const pid = /^\d+$/.test(text) ? Number(text) : 0;
    return {
      ino: info.ino,
      owner: pid > 0 ? pid : undefined,
      ageMs: Date.now() - Number(info.mtimeMs),
    };
  } finally {
    await handle.close();
  }
}

/** Throws DB_EMBEDDED_BUSY unless the lock is stale (its process is gone, or it is old and names none). */
function refuseIfHeld(dataDir: string, file: string, held: LockSnapshot): void {
  if (held.owner === process.pid) {
    throw new BiomassError('DB_EMBEDDED_BUSY', `the embedded database ${dataDir} is already open in this process`, {
      hint: 'open it once and share the store',
      exitCode: 2,
    });
  }
  if (held.owner !== undefined && processAlive(held.owner)) {
    throw new BiomassError('DB_EMBEDDED_BUSY', `the embedded database ${dataDir} is in use by process ${held.owner}`, {
      hint: 'wait for that biomass command to finish, or give a PostgreSQL URL (DATABASE_URL) to run several processes',
      exitCode: 2,
    });
  }
  if (held.owner === undefined && held.ageMs < UNNAMED_LOCK_GRACE_MS) {
    throw new BiomassError('DB_EMBEDDED_BUSY', `the embedded database ${dataDir} is being locked by another process (${file} names no process yet)`, {
      hint: `wait for that biomass command to finish; if none is running, remove ${file}`,
      exitCode: 2,
    });
  }
}

/**
 * Removes a stale lock. Only the holder of `<lock>.<inode>.takeover` may remove that inode, and
 * it re-reads the lock under the guard: a process that saw the same stale lock a moment later
 * either fails to take the guard or finds a different (live) lock, and leaves it alone.
 */
async function clearStale(dataDir: string, file: string, stale: LockSnapshot): Promise<void> {
  const guard = `${file}.${stale.ino}.takeover`;
  if ((await linkNew(guard)) === undefined) {
    throw new BiomassError('DB_EMBEDDED_BUSY', `another process is taking over the stale lock of the embedded database ${dataDir}`, {
      hint: `try again; if no biomass command is running, remove ${file} and ${guard}`,
      exitCode: 2,
    });
  }
  try {
    const now = await readLock(file);
    if (now === undefined || now.ino !== stale.ino) return; // already replaced: the caller retries
    refuseIfHeld(dataDir, file, now);
    await rm(file, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
