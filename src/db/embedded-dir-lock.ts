import { open, readFile, rm } from 'node:fs/promises';
import { BiomassError } from '../biomass-error.js';

/**
 * An exclusive claim on an embedded database directory by one process: a `<dir>.lock` file
 * holding the owner's pid. A lock whose process is gone is taken over.
 */
export class EmbeddedDirLock {
  private constructor(private readonly file: string) {}

  static async acquire(dataDir: string): Promise<EmbeddedDirLock> {
    const file = `${dataDir}.lock`;
    for (let tries = 0; tries < 2; tries += 1) {
      try {
        const handle = await open(file, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return new EmbeddedDirLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
        if (owner > 0 && owner !== process.pid && processAlive(owner)) {
          throw new BiomassError('DB_EMBEDDED_BUSY', `the embedded database ${dataDir} is in use by process ${owner}`, {
            hint: 'wait for that biomass command to finish, or give a PostgreSQL URL (DATABASE_URL) to run several processes',
            exitCode: 2,
          });
        }
        if (owner === process.pid) {
          throw new BiomassError('DB_EMBEDDED_BUSY', `the embedded database ${dataDir} is already open in this process`, {
            hint: 'open it once and share the store',
            exitCode: 2,
          });
        }
        // The owner is gone (crash, kill -9): its lock is stale.
        await rm(file, { force: true });
      }
    }
    throw new BiomassError('DB_EMBEDDED_BUSY', `cannot lock the embedded database ${dataDir}`, { exitCode: 2 });
  }

  async release(): Promise<void> {
    await rm(this.file, { force: true });
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
