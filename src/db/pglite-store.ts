import { mkdir } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { BiomassError } from '../biomass-error.js';
import type { PoolFigures, QueryResult, Queryable, Store } from './store.js';
import { inspectEmbeddedDir, writableEmbeddedDir } from './embedded-dir.js';
import { EmbeddedDirLock } from './embedded-dir-lock.js';

/** Whether opening may create the database (commands that write) or must find one (read-only commands). */
export type StoreAccess = 'read' | 'write';

/**
 * The Store over embedded PGlite: the same SQL as PostgreSQL, in-process, one connection.
 * PGlite queues statements itself and holds them back while a transaction is open, so many
 * callers may share it. Nothing here can lose a connection, so nothing is retried.
 */
export class PgliteStore implements Store {
  readonly kind = 'pglite' as const;
  readonly description: string;
  private inFlight = 0;
  private readonly counters = { errors: 0, retries: 0, discarded: 0 };
  private closed = false;

  private constructor(
    private readonly db: PGlite,
    private readonly lock: EmbeddedDirLock | undefined,
    where: string,
  ) {
    this.description = `pglite ${where}`;
  }

  /**
   * Opens the database in `dataDir` ('' keeps it in memory). With access 'write' it is created
   * in an absent or empty folder; with 'read' only an existing one is opened (DB_EMBEDDED_ABSENT
   * otherwise). A folder holding anything else is refused either way (DB_EMBEDDED_DIR).
   */
  static async open(dataDir: string, access: StoreAccess = 'write'): Promise<PgliteStore> {
    // Loaded here, not at the top: only commands that use the embedded database pay for it.
    const { PGlite } = await import('@electric-sql/pglite');
    if (dataDir === '') return new PgliteStore(await PGlite.create(), undefined, 'in memory');
    const dir = access === 'write' ? await writableEmbeddedDir(dataDir) : await existingEmbeddedDir(dataDir);
    await mkdir(dir, { recursive: true });
    // PGlite's files must never be opened by two processes at once: that corrupts them.
    const lock = await EmbeddedDirLock.acquire(dir);
    try {
      return new PgliteStore(await createPglite(PGlite, dir), lock, dataDir);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    return this.tracked(async () => toResult<R>(await this.db.query<R>(sql, params as unknown[])));
  }

  async exec(script: string): Promise<void> {
    await this.tracked(() => this.db.exec(script));
  }

  async transaction<T>(body: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.tracked(() =>
      this.db.transaction((tx) =>
        body({
          query: async <R>(sql: string, params: readonly unknown[] = []) =>
            toResult<R>(await tx.query<R>(sql, params as unknown[])),
          exec: async (script: string) => {
            await tx.exec(script);
          },
        }),
      ),
    );
  }

  /** The whole data directory as a gzipped tar (the embedded backup); extract it to restore. */
  async dumpDataDir(): Promise<Buffer> {
    const file = await this.tracked(() => this.db.dumpDataDir('gzip'));
    return Buffer.from(await file.arrayBuffer());
  }

  figures(): PoolFigures {
    return {
      total: this.closed ? 0 : 1,
      idle: this.closed || this.inFlight > 0 ? 0 : 1,
      waiting: Math.max(0, this.inFlight - 1),
      max: 1,
      ...this.counters,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.db.close();
    } finally {
      await this.lock?.release();
    }
  }

  private async tracked<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await work();
    } catch (error) {
      this.counters.errors += 1;
      throw error;
    } finally {
      this.inFlight -= 1;
    }
  }
}

/** A folder a read-only command may open: one that already holds the embedded database. */
async function existingEmbeddedDir(dataDir: string): Promise<string> {
  const found = await inspectEmbeddedDir(dataDir);
  if (found.state === 'pglite') return found.dir;
  if (found.state === 'other') await writableEmbeddedDir(dataDir); // throws DB_EMBEDDED_DIR, naming it
  throw new BiomassError('DB_EMBEDDED_ABSENT', `the embedded database ${dataDir} is not created yet`, {
    hint: 'biomass db migrate (or a command that writes, such as biomass index) creates it',
    exitCode: 2,
  });
}

/** PGlite's own failures are Emscripten objects, not Errors: give them a message that names the folder. */
async function createPglite(PGliteClass: typeof PGlite, dataDir: string): Promise<PGlite> {
  try {
    return await PGliteClass.create({ dataDir });
  } catch (error) {
    if (error instanceof Error && error.name !== 'ErrnoError') throw error;
    const errno = (error as { errno?: unknown } | null)?.errno;
    throw new BiomassError('DB_EMBEDDED_OPEN', `cannot open the embedded database in ${dataDir} (PGlite file error${errno === undefined ? '' : ` ${String(errno)}`})`, {
      hint: 'check that the folder is readable and writable and holds a database made by this version of biomass',
      exitCode: 2,
      cause: error,
    });
  }
}

function toResult<R>(result: { rows: R[]; affectedRows?: number }): QueryResult<R> {
  // PGlite reports 0 affected rows for a SELECT; pg counts the rows returned.
  return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
}
