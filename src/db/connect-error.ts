import { BiomassError } from '../biomass-error.js';
import { formatDuration } from '../plan/units.js';
import { redact } from '../secrets.js';
import type { PoolConfig } from './database-config.js';
import { describeTarget, type PostgresTarget } from './postgres-target.js';
import type { RetryBudgetSpent } from './retry-policy.js';

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Which of the client's own timeouts an error is, if any: pg says it in words only. */
function clientTimeout(error: unknown): 'queue' | 'connect' | 'query' | undefined {
  const message = error instanceof Error ? error.message : '';
  if (/^timeout exceeded when trying to connect/.test(message)) return 'queue';
  if (/^Connection terminated due to connection timeout/.test(message)) return 'connect';
  if (/^Query read timeout/.test(message)) return 'query';
  return undefined;
}

function reasonOf(error: unknown, pool?: PoolConfig): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0], pool);
  const timeout = pool ? clientTimeout(error) : undefined;
  if (timeout === 'queue') {
    return `timeout exceeded when trying to connect: no connection of the pool came free within ${formatDuration(pool!.connectTimeoutMs)} ` +
      `(database.pool.connect_timeout; database.pool.max is ${pool!.max})`;
  }
  if (timeout === 'connect') return `the server did not answer within ${formatDuration(pool!.connectTimeoutMs)} (database.pool.connect_timeout)`;
  if (timeout === 'query') {
    return `no answer within ${formatDuration(pool!.statementTimeoutMs + pool!.connectTimeoutMs)} ` +
      '(database.pool.statement_timeout + connect_timeout): the server is frozen, overloaded or cut off';
  }
  return redact(error instanceof Error ? error.message : String(error));
}

/** What to check for each way a first connection fails. */
function hintFor(code: string | undefined, target: PostgresTarget, last: unknown): string {
  const timeout = clientTimeout(last);
  if (timeout === 'queue') return 'every connection of the pool was in use: raise database.pool.max or lower the parallel work';
  if (timeout !== undefined) {
    return `the server at ${target.host}:${target.port} took the connection but did not answer: check that it is not frozen, overloaded or behind a broken network path (pg_isready -h ${target.host} -p ${target.port}), or raise database.pool.connect_timeout`;
  }
  switch (code) {
    case '57014':
      return 'the first query was cancelled by a statement timeout: raise database.pool.statement_timeout, or check the server\'s own statement_timeout for this user';
    case '28P01':
    case '28000':
      return `check the user "${target.user}" and its password in DATABASE_URL / --database-url / database.url (the password is not shown)`;
    case '3D000':
      return `create the database (createdb -h ${target.host} -p ${target.port} ${target.database}) or fix its name in the URL`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `check the host name "${target.host}" in the database URL`;
    case 'ECONNREFUSED':
      return `check that PostgreSQL is running and listens on ${target.host}:${target.port} (pg_isready -h ${target.host} -p ${target.port})`;
    case '53300':
      return 'the server has no free connection slots: lower database.pool.max or raise max_connections on the server';
    default:
      return `check that PostgreSQL is running on ${target.host}:${target.port}, that the database "${target.database}" exists and the user "${target.user}" may connect`;
  }
}

/**
 * Turns the failure of a store's first connection into the one error the user sees: it names
 * host and database (never the password), says what went wrong and what to check, and exits
 * 2 because nothing was done yet.
 */
export function connectError(error: unknown, target: PostgresTarget, role: string, pool?: PoolConfig): BiomassError {
  // After retries the store reports DB_UNAVAILABLE with the last failure as its cause.
  const spent = error instanceof DatabaseUnavailable;
  const last = spent ? error.cause : error;
  const code = codeOf(last) ?? (last instanceof AggregateError ? codeOf(last.errors[0]) : undefined);
  // Only retries that were made are claimed (a dry run makes one quick try and no retry).
  const tries = spent && error.attempts > 1 ? ` (no answer in ${error.attempts} tries)` : '';
  return new BiomassError(
    'DB_CONNECT',
    `cannot connect to the ${role} database ${describeTarget(target)}${tries}: ${reasonOf(last, pool)}`,
    { hint: hintFor(code, target, last), exitCode: 2, cause: last },
  );
}

/**
 * The error of an operation whose retry budget ran out in the middle of a run: the run
 * stops (exit 1) and resumes from its checkpoints when started again.
 */
export function unavailableError(error: RetryBudgetSpent, description: string, pool?: PoolConfig): BiomassError {
  return new DatabaseUnavailable(error.attempts, error.waitedMs, description, error.lastError, pool);
}

/** DB_UNAVAILABLE: the retry budget ran out; `attempts` is the number of tries made. */
export class DatabaseUnavailable extends BiomassError {
  constructor(readonly attempts: number, waitedMs: number, description: string, lastError: unknown, pool?: PoolConfig) {
    const waited = attempts > 1 ? ` over ${formatDuration(waitedMs)}` : '';
    super(
      'DB_UNAVAILABLE',
      `the database ${description} stayed unreachable after ${attempts} attempt${attempts === 1 ? '' : 's'}${waited}: ${reasonOf(lastError, pool)}`,
      {
        hint: 'work stopped at its last committed checkpoint; when the server is back, start the same command again to resume',
        exitCode: 1,
        cause: lastError,
      },
    );
  }
}

/**
 * A statement the server cancelled after database.pool.statement_timeout (SQLSTATE 57014):
 * not retried, since the same statement would take as long again.
 */
export function statementTimeoutError(error: unknown, description: string, pool: PoolConfig): BiomassError {
  return new BiomassError(
    'DB_STATEMENT_TIMEOUT',
    `a statement on the database ${description} ran longer than database.pool.statement_timeout (${formatDuration(pool.statementTimeoutMs)}) and was cancelled: ${reasonOf(error)}`,
    {
      hint: 'raise database.pool.statement_timeout in the plan (e.g. 15m), or find what slows the server (locks, load); work resumes from its last checkpoint',
      exitCode: 1,
      cause: error,
    },
  );
}
