import type { RetryConfig } from './database-config.js';

/** What a query gives back: the rows, and how many rows a write touched. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface QueryOptions {
  /** Stops waiting between retries (and before the next attempt) when aborted. */
  signal?: AbortSignal;
  /** Retry budget of this call instead of the pool's (the first connection uses a short one). */
  retry?: RetryConfig;
}

/** Anything that runs SQL: the store itself (autocommit) or an open transaction. */
export interface Queryable {
  /** One statement with $1..$n parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * A script of several statements without parameters (migrations). On the store itself (not
   * in a transaction) a retried script may run again after a partial failure: use it only
   * for scripts that are safe to repeat.
   */
  exec(script: string): Promise<void>;
}

/** Figures of the connection pool, exposed as metrics. Counters run from the store's opening. */
export interface PoolFigures {
  /** Connections open now. */
  total: number;
  /** Open connections nobody is using. */
  idle: number;
  /** Callers queued for a connection. */
  waiting: number;
  /** Configured maximum of connections. */
  max: number;
  /** Errors seen: failed statements that broke a connection, idle connections dropped by the server. */
  errors: number;
  /** Operations run again after an error that is safe to retry. */
  retries: number;
  /** Broken connections thrown away (health check or failed statement). */
  discarded: number;
}

/**
 * The state database. Everything else reads and writes through this interface; it is backed
 * by PostgreSQL (a pg Pool) or by embedded PGlite, with the same SQL.
 *
 * `query` and `transaction` retry errors that are safe to retry (lost connections, server
 * restarts, serialization failures, deadlocks) within the configured budget. A transaction is
 * retried as a whole, so its body may run more than once: its writes must be idempotent
 * (upserts keyed by natural keys), which all repositories in src/db are.
 */
export interface Store extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Where it points, without secrets: `postgres 127.0.0.1:5432/biomass` or `pglite /path`. */
  readonly description: string;
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>>;
  transaction<T>(body: (tx: Queryable) => Promise<T>, options?: QueryOptions): Promise<T>;
  figures(): PoolFigures;
  /** Closes every connection; the store cannot be used afterwards. */
  close(): Promise<void>;
}
