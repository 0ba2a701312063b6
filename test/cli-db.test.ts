import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/cli-io.js';
import { main } from '../src/cli/main.js';
import { planText } from './support/plan-text.js';
import { useFreshDatabase } from './support/postgres.js';

const run = promisify(execFile);
const db = useFreshDatabase();
const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'biomass-cli-db-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
    cwd,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('biomass db', () => {
  it('status without a URL reports the embedded database without creating it', async () => {
    const result = await cli(['db', 'status']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`pglite ${path.join(cwd, '.biomass', 'db')} (not created yet`);
    expect(existsSync(path.join(cwd, '.biomass'))).toBe(false);
  });

  it('migrate without a URL creates the embedded database under .biomass/db, once', async () => {
    const first = await cli(['db', 'migrate']);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter((l) => l.startsWith('applied'))).toHaveLength(8);
    expect(first.stdout).toContain('applied   state 0001 runs_and_status');
    expect(existsSync(path.join(cwd, '.biomass', 'db', 'PG_VERSION'))).toBe(true);
    const second = await cli(['db', 'migrate']);
    expect(second).toMatchObject({ code: 0, stdout: `up to date  pglite ${path.join(cwd, '.biomass', 'db')}\n` });
    const status = await cli(['db', 'status']);
    expect(status.stdout).toContain('state     version 7 of 7, up to date');
    expect(status.stdout).toContain('forestry  version 2 of 2, up to date');
    // The lock on the embedded directory was released.
    expect(existsSync(path.join(cwd, '.biomass', 'db.lock'))).toBe(false);
  });

  it('--plan uses the databases the plan names, and refuses an unset ${DATABASE_URL} by name', async () => {
    const plan = (database: string) => planText({ name: 'p', database });
    await mkdir(path.join(cwd, 'plans'), { recursive: true });
    await writeFile(path.join(cwd, 'plans', 'embedded.yaml'), plan('{ embedded_dir: ../state/db }'));
    const migrated = await cli(['db', 'migrate', '--plan', 'plans/embedded.yaml']);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain(`(pglite ${path.join(cwd, 'state', 'db')})`);

    const backup = await cli(['db', 'backup', '--plan', 'plans/embedded.yaml', '--state-fips', '17']);
    expect(backup.code).toBe(0);
    const file = /written to (\S+)\n$/.exec(backup.stdout)?.[1] ?? '';
    expect(file).toMatch(new RegExp(`^${path.join(cwd, 'plans', '.biomass', 'backups')}/p-state-17-.*\\.tar\\.gz$`));
    expect(existsSync(file)).toBe(true);

    await writeFile(path.join(cwd, 'plans', 'server.yaml'), plan('{ url: "${DATABASE_URL}" }'));
    const unset = await cli(['db', 'status', '--plan', 'plans/server.yaml']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/database\.url comes from \$\{DATABASE_URL\}, which is not set/);
    const set = await cli(['db', 'status', '--plan', 'plans/server.yaml', '--json'], { DATABASE_URL: db.url });
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ database: `postgres 127.0.0.1:5432/${db.name}` });
  });

  it('uses DATABASE_URL, and --database-url over it', async () => {
    const pending = await cli(['db', 'status'], { DATABASE_URL: db.url });
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain(`database  postgres 127.0.0.1:5432/${db.name}`);
    expect(pending.stdout).toMatch(/state     version 0 of 7, 6 pending: 0001 runs_and_status, 0002 tile_index, 0003 outputs_and_metrics, 0004 tile_item_product, 0005 index_fingerprint, 0007 parcel_output_columns \(run: biomass db migrate\)/);
    const migrated = await cli(['db', 'migrate', '--database-url', db.url], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/wrong' });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain(`applied   state 0003 outputs_and_metrics  (postgres 127.0.0.1:5432/${db.name})`);
    const json = await cli(['db', 'status', '--json'], { DATABASE_URL: db.url });
    expect(JSON.parse(json.stdout)).toMatchObject({
      database: `postgres 127.0.0.1:5432/${db.name}`,
      sets: [{ set: 'state', current: 7, latest: 7, pending: [] }, { set: 'forestry', current: 2, latest: 2, pending: [] }],
      pool: { max: 25, retries: 0 },
    });
  });

  it('a refused connection exits 2 with one error naming host and database, never the password', async () => {
    const result = await cli(['db', 'migrate', '--database-url', 'postgres://me:hunter2hunter2@127.0.0.1:1/biomass']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error  cannot connect to the state database 127\.0\.0\.1:1\/biomass/);
    expect(result.stderr).toMatch(/pg_isready -h 127\.0\.0\.1 -p 1/);
    expect(result.stderr).not.toContain('hunter2');
  });

  it('a missing database exits 2 and says how to create it', async () => {
    const result = await cli(['db', 'status'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/biomass_missing_cli' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('127.0.0.1:5432/biomass_missing_cli');
    expect(result.stderr).toContain('createdb -h 127.0.0.1 -p 5432 biomass_missing_cli');
  });

  it('two processes migrating the same database at once apply each migration once', async () => {
    const store = new pg.Client({ connectionString: db.url });
    await store.connect();
    try {
      await store.query('DROP SCHEMA IF EXISTS biomass CASCADE');
      const bin = path.join(ROOT, 'bin', 'biomass.js');
      const outputs = await Promise.all(
        [0, 1].map(() => run(process.execPath, [bin, 'db', 'migrate', '--database-url', db.url], { cwd })),
      );
      const applied = outputs.flatMap((o) => o.stdout.split('\n').filter((l) => l.startsWith('applied')));
      expect(applied).toHaveLength(8);
      const rows = await store.query<{ n: string }>('SELECT count(*) AS n FROM biomass.schema_migrations');
      expect(Number(rows.rows[0]!.n)).toBe(8);
    } finally {
      await store.end();
    }
  });
});
