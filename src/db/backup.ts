import { execFile } from 'node:child_process';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BiomassError } from '../biomass-error.js';
import { redact } from '../secrets.js';
import type { DatabaseConfig } from './database-config.js';
import { PgliteStore } from './pglite-store.js';
import { describeTarget, parsePostgresTarget } from './postgres-target.js';
import type { Store } from './store.js';

const run = promisify(execFile);

export interface BackupOptions {
  /** The pg_dump to run; it must be as new as the server. Default `pg_dump` on PATH. */
  pgDump?: string;
  now?: Date;
}

/**
 * The backup hook run before a state starts, when the plan asks for it (database.backup):
 * the project's tables (schema `biomass`) in pg_dump's custom format for PostgreSQL, or the
 * embedded database's data directory as a .tar.gz for PGlite. Returns the file written, or
 * undefined when backups are off. The file appears whole or not at all (written aside, then
 * renamed). Restore: docs/database.md.
 */
export async function backupBeforeState(
  config: DatabaseConfig,
  store: Store,
  label: { planName: string; stateFips: string },
  options: BackupOptions = {},
): Promise<string | undefined> {
  if (!config.backup.beforeState) return undefined;
  if (!/^(\d{2}|all)$/.test(label.stateFips)) {
    throw new BiomassError('BAD_STATE_FIPS', `cannot label a backup with "${label.stateFips}": a state is a 2-digit FIPS code`, {
      hint: 'give a state FIPS code such as 17, or "all"',
      exitCode: 2,
    });
  }
  const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const base = `${label.planName.replace(/[^A-Za-z0-9_-]/g, '_')}-state-${label.stateFips}-${stamp}`;
  if (store instanceof PgliteStore) {
    const file = insideFolder(config.backup.dir, `${base}.tar.gz`);
    await mkdir(config.backup.dir, { recursive: true });
    await writeAtomically(file, async (tmp) => writeFile(tmp, await store.dumpDataDir()));
    return file;
  }
  const file = insideFolder(config.backup.dir, `${base}.dump`);
  await mkdir(config.backup.dir, { recursive: true });
  await writeAtomically(file, (tmp) => pgDump(config.url, tmp, options.pgDump ?? 'pg_dump'));
  return file;
}

/**
 * Runs pg_dump of schema `biomass`. The password travels in PGPASSWORD, never on the
 * command line, where any user of the machine could read it in the process list.
 */
async function pgDump(url: string, file: string, command: string): Promise<void> {
  const target = parsePostgresTarget(url);
  // The password may stand in the userinfo or, as libpq allows, as ?password=: both go.
  const withoutPassword = new URL(url);
  const password = decodeURIComponent(withoutPassword.password) || withoutPassword.searchParams.get('password') || '';
  withoutPassword.password = '';
  withoutPassword.searchParams.delete('password');
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) };
  try {
    await run(command, ['--format=custom', '--schema=biomass', `--file=${file}`, `--dbname=${withoutPassword.toString()}`], { env });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new BiomassError('DB_BACKUP_TOOL', `cannot run ${command} for the backup before this state`, {
        hint: 'install the PostgreSQL client tools (apt-get install postgresql-client) or set database.backup.before_state: false',
        exitCode: 2,
        cause: error,
      });
    }
    throw new BiomassError('DB_BACKUP', `pg_dump of ${describeTarget(target)} failed: ${redact(String(failure.stderr ?? failure.message).trim())}`, {
      hint: 'pg_dump must be at least as new as the server; check disk space in database.backup.dir',
      cause: error,
    });
  }
}

/** `folder/name`, refused unless it lies directly in `folder` (a name made of plan or CLI text). */
function insideFolder(folder: string, name: string): string {
  const file = path.resolve(folder, name);
  if (path.dirname(file) !== path.resolve(folder)) {
    throw new BiomassError('BAD_BACKUP_NAME', `the backup name ${name} would leave the backup folder ${folder}`, { exitCode: 2 });
  }
  return file;
}

async function writeAtomically(file: string, write: (tmp: string) => Promise<unknown>): Promise<void> {
  const tmp = `${file}.tmp`;
  try {
    await write(tmp);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
