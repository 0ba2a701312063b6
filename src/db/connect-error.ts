import { BiomassError } from '../biomass-error.js';
import { redact } from '../secrets.js';
import { describeTarget, type PostgresTarget } from './postgres-target.js';
import type { RetryBudgetSpent } from './retry-policy.js';

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  return redact(error instanceof Error ? error.message : String(error));
}

/** What to check for each way a first connection fails. */
function hintFor(code: string | undefined, target: PostgresTarget): string {
  switch (code) {
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
export function connectError(error: unknown, target: PostgresTarget, role: string): BiomassError {
  // After retries the store reports DB_UNAVAILABLE with the last failure as its cause.
  const spent = error instanceof DatabaseUnavailable;
  const last = spent ? error.cause : error;
  const code = codeOf(last) ?? (last instanceof AggregateError ? codeOf(last.errors[0]) : undefined);
  // Only retries that were made are claimed (a dry run makes one quick try and no retry).
  const tries = spent && error.attempts > 1 ? ` (no answer in ${error.attempts} tries)` : '';
  return new BiomassError(
    'DB_CONNECT',
    `cannot connect to the ${role} database ${describeTarget(target)}${tries}: ${reasonOf(last)}`,
    { hint: hintFor(code, target), exitCode: 2, cause: last },
  );
}

/**
 * The error of an operation whose retry budget ran out in the middle of a run: the run
 * stops (exit 1) and resumes from its checkpoints when started again.
 */
export function unavailableError(error: RetryBudgetSpent, description: string): BiomassError {
  return new DatabaseUnavailable(error.attempts, description, error.lastError);
}

/** DB_UNAVAILABLE: the retry budget ran out; `attempts` is the number of tries made. */
export class DatabaseUnavailable extends BiomassError {
  constructor(readonly attempts: number, description: string, lastError: unknown) {
    super(
      'DB_UNAVAILABLE',
      `the database ${description} stayed unreachable after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reasonOf(lastError)}`,
      {
        hint: 'work stopped at its last committed checkpoint; when the server is back, start the same command again to resume',
        exitCode: 1,
        cause: lastError,
      },
    );
  }
}
