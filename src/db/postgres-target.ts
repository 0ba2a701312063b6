import { BiomassError } from '../biomass-error.js';
import { registerSecret } from '../secrets.js';

/** Where a postgres:// URL points, without its password: what errors and status may show. */
export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

/**
 * Reads host, port, database and user from a postgres:// URL (libpq defaults for what it
 * leaves out) and registers its password as a secret so no later message can print it.
 */
export function parsePostgresTarget(url: string, env: NodeJS.ProcessEnv = process.env): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not echoed: a URL that does not parse may hide its password where redact cannot find it.
    throw new BiomassError('DB_URL', 'the database URL is not a valid URL', {
      hint: 'use the form postgres://user:<password>@host:5432/database (in DATABASE_URL, --database-url or database.url)',
      exitCode: 2,
    });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new BiomassError('DB_URL', `the database URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`, {
      hint: 'use the form postgres://user:<password>@host:5432/database; leave the URL empty for the embedded database',
      exitCode: 2,
    });
  }
  if (parsed.password) registerSecret(decoded(parsed.password));
  registerSecret(parsed.searchParams.get('password') ?? undefined);
  const user = decoded(parsed.username) || env.PGUSER || env.USER || 'postgres';
  // A socket directory may come as ?host=/var/run/postgresql, as libpq allows.
  const host = parsed.hostname || parsed.searchParams.get('host') || env.PGHOST || 'localhost';
  const database = decoded(parsed.pathname.replace(/^\//, '')) || env.PGDATABASE || user;
  return { host, port: Number(parsed.port || env.PGPORT || 5432), database, user };
}

/** A %-escaped part of the URL; a broken escape (%ZZ) is a bad URL, said without echoing it. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BiomassError('DB_URL', 'the database URL is not a valid URL: it holds a "%" that is not followed by two hex digits', {
      hint: 'write a "%" in the user, password or database name as %25 (postgres://user:<password>@host:5432/database)',
      exitCode: 2,
    });
  }
}

/** `host:port/database`, the way messages name a database. */
export function describeTarget(target: PostgresTarget): string {
  return `${target.host}:${target.port}/${target.database}`;
}
