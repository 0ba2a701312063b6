import pg from 'pg';
import type { PoolConfig } from './database-config.js';
import { statementTimeoutError, unavailableError } from './connect-error.js';
import { describeTarget, type PostgresTarget } from './postgres-target.js';
import { breaksConnection, RetryBudgetSpent, withRetry } from './retry-policy.js';
import type { PoolFigures, QueryOptions, QueryResult, Queryable, Store } from './store.js';

/**
 * The Store over a PostgreSQL server, through one pg Pool. Each operation takes a connection,
 * runs, and gives it back; a connection that broke is destroyed rather than returned, and the
 * operation (a whole transaction, never a part) runs again on a fresh one within the budget.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly counters = { errors: 0, retries: 0, discarded: 0 };
  private readonly healthTimer: NodeJS.Timeout | undefined;
  private healthCheckRunning = false;
  private closed = false;

  constructor(
    url: string,
    readonly target: PostgresTarget,
    private readonly config: PoolConfig,
  ) {
    this.description = `postgres ${describeTarget(target)}`;
    this.pool = new pg.Pool({
      connectionString: url,
      max: config.max,
      connectionTimeoutMillis: config.connectTimeoutMs,
      idleTimeoutMillis: config.idleTimeoutMs,
      statement_timeout: config.statementTimeoutMs,
      // The server's statement_timeout cannot fire on a frozen server or across a partition:
      // the client stops waiting a connect timeout after it, and the operation is retried.
      query_timeout: clientQueryTimeoutMs(config),
      application_name: 'biomass',
      // Keepalives make a server that vanished without closing the socket show up as an error;
      // the first probe after connect_timeout of silence, not the OS default of two hours.
      keepAlive: true,
      keepAliveInitialDelayMillis: config.connectTimeoutMs,
    });
    // An idle connection the server closed (restart, pg_terminate_backend) is removed by the
    // pool, which then emits 'error'; without a listener that would crash the process.
    this.pool.on('error', () => {
      this.counters.errors += 1;
    });
    // A connection that breaks while checked out also emits 'error' on the client. The failing
    // query already reports the same error to its caller (and withClient counts it), so the
    // listener only keeps the unhandled event from crashing the process.
    this.pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    if (config.healthCheckIntervalMs > 0) {
      this.healthTimer = setInterval(() => {
        this.checkHealth().catch(() => {
          this.counters.errors += 1;
        });
      }, config.healthCheckIntervalMs);
      this.healthTimer.unref();
    }
  }

  async query<R = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult<R>> {
    return this.retrying(() => this.withClient((client) => runQuery<R>(client, sql, params)), options);
  }

  async exec(script: string): Promise<void> {
    await this.retrying(() => this.withClient((client) => client.query(script)), {});
  }

  async transaction<T>(body: (tx: Queryable) => Promise<T>, options: QueryOptions = {}): Promise<T> {
    return this.retrying(
      () =>
        this.withClient(async (client, markBroken) => {
          await client.query('BEGIN');
          try {
            const result = await body(clientQueryable(client));
            await client.query('COMMIT');
            return result;
          } catch (error) {
            // A broken connection has no transaction left to roll back; it is destroyed below.
            if (!breaksConnection(error)) {
              try {
                await client.query('ROLLBACK');
              } catch (rollbackError) {
                markBroken(rollbackError);
              }
            }
            throw error;
          }
        }),
      options,
    );
  }

  figures(): PoolFigures {
    return {
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.pool.waitingCount,
      max: this.config.max,
      ...this.counters,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    await this.pool.end();
  }

  /**
   * Checks every idle connection with a trivial query; one that fails is destroyed and a
   * fresh one opened in its place, so the next caller does not pay for the broken one.
   * Skipped while callers wait: then connections are in use and failures show up anyway.
   */
  async checkHealth(): Promise<{ checked: number; replaced: number }> {
    if (this.closed || this.healthCheckRunning || this.pool.waitingCount > 0) return { checked: 0, replaced: 0 };
    this.healthCheckRunning = true;
    try {
      const idle = this.pool.idleCount;
      const outcomes = await Promise.all(
        Array.from({ length: idle }, async () => {
          let client: pg.PoolClient;
          try {
            client = await this.pool.connect();
          } catch {
            this.counters.errors += 1;
            return false;
          }
          try {
            await client.query('SELECT 1');
            client.release();
            return true;
          } catch (error) {
            this.counters.errors += 1;
            this.counters.discarded += 1;
            client.release(error instanceof Error ? error : new Error(String(error)));
            return false;
          }
        }),
      );
      const broken = outcomes.filter((ok) => !ok).length;
      let replaced = 0;
      for (let i = 0; i < broken; i += 1) {
        try {
          (await this.pool.connect()).release();
          replaced += 1;
        } catch {
          // The server is not back yet; the next caller's retry handles it.
          break;
        }
      }
      return { checked: idle, replaced };
    } finally {
      this.healthCheckRunning = false;
    }
  }

  private async withClient<T>(
    work: (client: pg.PoolClient, markBroken: (error: unknown) => void) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      this.counters.errors += 1;
      throw error;
    }
    let broken: unknown;
    const markBroken = (error: unknown): void => {
      broken ??= error;
    };
    try {
      return await work(client, markBroken);
    } catch (error) {
      if (breaksConnection(error)) markBroken(error);
      throw error;
    } finally {
      if (broken !== undefined) {
        this.counters.errors += 1;
        this.counters.discarded += 1;
        // release(error) destroys the connection instead of returning it to the pool.
        client.release(broken instanceof Error ? broken : new Error(String(broken)));
      } else {
        client.release();
      }
    }
  }

  private async retrying<T>(operation: () => Promise<T>, options: QueryOptions): Promise<T> {
    try {
      return await withRetry(operation, options.retry ?? this.config.retry, {
        signal: options.signal,
        onRetry: () => {
          this.counters.retries += 1;
        },
      });
    } catch (error) {
      if (error instanceof RetryBudgetSpent) throw unavailableError(error, this.description, this.config);
      if (isStatementTimeout(error)) throw statementTimeoutError(error, this.description, this.config);
      throw error;
    }
  }
}

/** 57014 is also a cancel by hand (pg_cancel_backend); only the timeout names the setting. */
function isStatementTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '57014' && /statement timeout/.test((error as Error).message);
}

/** How long the client waits for a query's answer: the server's statement timeout plus the connect timeout. */
export function clientQueryTimeoutMs(config: PoolConfig): number {
  return config.statementTimeoutMs + config.connectTimeoutMs;
}

async function runQuery<R>(client: pg.ClientBase, sql: string, params: readonly unknown[]): Promise<QueryResult<R>> {
  const result = await client.query(sql, params as unknown[]);
  return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
}

function clientQueryable(client: pg.ClientBase): Queryable {
  return {
    query: <R>(sql: string, params: readonly unknown[] = []) => runQuery<R>(client, sql, params),
    exec: async (script: string) => {
      await client.query(script);
    },
  };
}
