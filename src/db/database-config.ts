import path from 'node:path';

/** Retry budget for operations that failed with an error that is safe to retry. */
export interface RetryConfig {
  /** Retries after the first failure (so 12 means up to 13 tries), as database.pool.retry.attempts says. Default 12. */
  attempts: number;
  /** Delay before the second attempt, doubled each time (with jitter). Default 500 ms. */
  initialDelayMs: number;
  /** Upper bound of one delay. Default 10 s. */
  maxDelayMs: number;
}

export interface PoolConfig {
  /** Most connections the pool opens. Default 25. */
  max: number;
  /** Longest wait for a connection, in the pool queue or while connecting. Default 30 s. */
  connectTimeoutMs: number;
  /** An idle connection is closed after this long. Default 30 s. */
  idleTimeoutMs: number;
  /**
   * The server cancels one statement after this long (SQLSTATE 57014). Default 5 min. The client
   * gives up on an answer after this plus connectTimeoutMs (a frozen server sends no cancel).
   */
  statementTimeoutMs: number;
  /** How often idle connections are checked and broken ones replaced. Default 30 s; 0 turns it off. */
  healthCheckIntervalMs: number;
  retry: RetryConfig;
}

/** The database part of a plan, normalized: numbers in milliseconds, paths absolute. */
export interface DatabaseConfig {
  /** postgres:// URL of the state database; '' => embedded PGlite in `embeddedDir`. */
  url: string;
  /** Absolute data directory of the embedded database, used when `url` is ''. */
  embeddedDir: string;
  pool: PoolConfig;
  /** `beforeState`: dump the project's tables into `dir` before a state starts. */
  backup: { beforeState: boolean; dir: string };
  /** postgres:// URL of the forestry coefficients database; '' => the state database. */
  forestryUrl: string;
}

export const DEFAULT_POOL: PoolConfig = {
  max: 25,
  connectTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  statementTimeoutMs: 5 * 60_000,
  healthCheckIntervalMs: 30_000,
  // Delays of 0.5, 1, 2, 4, 8, then 10 s: 42-85 s in all, so a 30 s restart or failover
  // is ridden through (docs/database.md).
  retry: { attempts: 12, initialDelayMs: 500, maxDelayMs: 10_000 },
};

/**
 * The configuration used when no plan is given (e.g. `biomass db status`): the URL from the
 * argument or DATABASE_URL, otherwise the embedded database under `<cwd>/.biomass/db`.
 */
export function defaultDatabaseConfig(cwd: string, url = ''): DatabaseConfig {
  return {
    url,
    embeddedDir: path.resolve(cwd, '.biomass', 'db'),
    pool: { ...DEFAULT_POOL, retry: { ...DEFAULT_POOL.retry } },
    backup: { beforeState: false, dir: path.resolve(cwd, '.biomass', 'backups') },
    forestryUrl: '',
  };
}
