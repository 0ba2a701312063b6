import type { Command } from 'commander';
import { defaultDatabaseConfig, type DatabaseConfig } from '../db/database-config.js';
import { backupBeforeState } from '../db/backup.js';
import { inspectEmbeddedDir, writableEmbeddedDir } from '../db/embedded-dir.js';
import type { StoreAccess } from '../db/pglite-store.js';
import { migrate, migrationStatus, type MigrationSet, type MigrationStatus } from '../db/migrations.js';
import { openStores, type Stores } from '../db/open-store.js';
import { BiomassError } from '../biomass-error.js';
import { loadPlanOrThrow } from '../plan/load-plan.js';
import { databaseOf } from '../db/plan-database.js';
import { findState } from '../geo/states.js';
import type { CliIo } from './cli-io.js';

interface DbOptions {
  plan?: string;
  databaseUrl?: string;
  forestryDatabaseUrl?: string;
  json?: boolean;
}

async function configFrom(options: DbOptions, io: CliIo): Promise<DatabaseConfig> {
  if (options.plan) {
    if (options.databaseUrl || options.forestryDatabaseUrl) {
      throw new BiomassError('USAGE', '--plan and --database-url / --forestry-database-url do not go together', {
        hint: 'the plan names its databases (database.url, sources.forestry.url); give one or the other',
        exitCode: 2,
      });
    }
    const { plan } = await loadPlanOrThrow(options.plan, { env: io.env, machineChecks: 'skip', cwd: io.cwd });
    return databaseOf(plan);
  }
  const url = options.databaseUrl ?? io.env.DATABASE_URL ?? '';
  return { ...defaultDatabaseConfig(io.cwd, url), forestryUrl: options.forestryDatabaseUrl ?? '' };
}

/** The store each migration set lives in. */
function storeOf(stores: Stores, set: MigrationSet) {
  return set === 'state' ? stores.state : stores.forestry;
}

const SETS: MigrationSet[] = ['state', 'forestry'];

function pad(version: number): string {
  return String(version).padStart(4, '0');
}

async function withStores<T>(config: DatabaseConfig, access: StoreAccess, work: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = await openStores(config, access);
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}

export function registerDbCommand(program: Command, io: CliIo, _state: { exitCode: number }): void {
  const db = program
    .command('db')
    .description('the state database: apply migrations, show schema and pool status');
  const connection = (command: Command): Command =>
    command
      .option('--plan <file>', "the databases a plan names, with its pool settings (database, sources.forestry)")
      .option('--database-url <url>', 'postgres:// URL of the state database (default: $DATABASE_URL, else the embedded database in .biomass/db)')
      .option('--forestry-database-url <url>', 'postgres:// URL of the forestry database, when it is not the state database');

  connection(db.command('migrate'))
    .description('apply pending migrations (safe to run from several processes at once)')
    .action(async (options: DbOptions) => {
      const config = await configFrom(options, io);
      await withStores(config, 'write', async (stores) => {
        let applied = 0;
        for (const set of SETS) {
          const store = storeOf(stores, set);
          for (const migration of await migrate(store, set)) {
            io.stdout.write(`applied   ${set} ${pad(migration.version)} ${migration.name}  (${store.description})\n`);
            applied += 1;
          }
        }
        if (applied === 0) io.stdout.write(`up to date  ${stores.state.description}\n`);
      });
    });

  connection(db.command('backup'))
    .description("back up the project's tables now: pg_dump of schema biomass, or the embedded database as .tar.gz, into database.backup.dir")
    .option('--state-fips <code>', 'label the file with the state about to run', 'all')
    .action(async (options: DbOptions & { stateFips: string }) => {
      // The code becomes part of the file name: only a real state (or "all") may.
      const stateFips = options.stateFips === 'all' ? 'all' : findState(options.stateFips)?.fips;
      if (stateFips === undefined) {
        throw new BiomassError('USAGE', `--state-fips ${JSON.stringify(options.stateFips)} is not a US state`, {
          hint: 'give a 2-digit state FIPS code (17) or a postal code (IL), or leave it out for "all"',
          exitCode: 2,
        });
      }
      const config = await configFrom(options, io);
      const planName = options.plan ? (await loadPlanOrThrow(options.plan, { env: io.env, machineChecks: 'skip', cwd: io.cwd })).plan.name : 'manual';
      // A backup reads the database: it never creates one.
      await withStores(config, 'read', async (stores) => {
        // Asked for by hand: taken whether or not the plan turns the automatic one on.
        const asked = { ...config, backup: { ...config.backup, beforeState: true } };
        const file = await backupBeforeState(asked, stores.state, { planName, stateFips });
        io.stdout.write(`backup of ${stores.state.description} written to ${file}\n`);
      });
    });

  connection(db.command('status'))
    .description('which database is used, its schema versions and pending migrations, and pool figures')
    .option('--json', 'print one JSON object')
    .action(async (options: DbOptions) => {
      const config = await configFrom(options, io);
      const embedded = config.url === '' ? (await inspectEmbeddedDir(config.embeddedDir)).state : 'server';
      if (embedded === 'other') await writableEmbeddedDir(config.embeddedDir); // refuses the folder by name
      if (embedded === 'absent' || embedded === 'empty') {
        // Opening the embedded database would create it; status must not change anything.
        const report = { database: `pglite ${config.embeddedDir}`, exists: false, sets: [] as MigrationStatus[] };
        if (options.json) io.stdout.write(`${JSON.stringify(report)}\n`);
        else io.stdout.write(`database  ${report.database} (not created yet: biomass db migrate creates it)\n`);
        return;
      }
      await withStores(config, 'read', async (stores) => {
        const sets = [];
        for (const set of SETS) sets.push({ set, store: storeOf(stores, set), status: await migrationStatus(storeOf(stores, set), set) });
        const figures = stores.state.figures();
        if (options.json) {
          io.stdout.write(`${JSON.stringify({
            database: stores.state.description,
            forestryDatabase: stores.forestry.description,
            exists: true,
            sets: sets.map(({ set, status }) => ({
              set, current: status.current, latest: status.latest,
              pending: status.pending.map((m) => ({ version: m.version, name: m.name })),
            })),
            pool: figures,
          })}\n`);
          return;
        }
        io.stdout.write(`database  ${stores.state.description}\n`);
        for (const { set, store, status } of sets) {
          const where = store === stores.state ? '' : `  (${store.description})`;
          const pending = status.pending.length === 0
            ? 'up to date'
            : `${status.pending.length} pending: ${status.pending.map((m) => `${pad(m.version)} ${m.name}`).join(', ')} (run: biomass db migrate)`;
          io.stdout.write(`${set.padEnd(9)} version ${status.current} of ${status.latest}, ${pending}${where}\n`);
        }
        io.stdout.write(
          `pool      total ${figures.total}, idle ${figures.idle}, waiting ${figures.waiting}, max ${figures.max}, ` +
            `errors ${figures.errors}, retries ${figures.retries}\n`,
        );
      });
    });
}
