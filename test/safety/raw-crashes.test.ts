/**
 * Findings 11 and 12: each input that crashed raw (a stack trace, "[object Object]", a hang)
 * ends in a clear error with the right exit code; messages say what actually happened.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePostgresTarget } from '../../src/db/postgres-target.js';
import { runBiomass } from '../support/cli.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-raw-crashes-'));
const plan = path.join(dir, 'plan.yaml');
writeFileSync(plan, MINIMAL_PLAN);

/** A FIFO nobody writes to: opening it for reading would block for ever. */
function fifo(name: string): string {
  const file = path.join(dir, name);
  execFileSync('mkfifo', [file]);
  return file;
}

describe('raw crashes become clear errors', () => {
  it('%ZZ in a database URL is a DB_URL error (exit 2), not a URIError', async () => {
    const result = await runBiomass(['db', 'status', '--database-url', 'postgres://me:%ZZsecret@127.0.0.1:1/db'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the database URL is not a valid URL');
    expect(result.stderr).not.toContain('URIError');
    expect(result.stderr).not.toContain('ZZsecret');
  });

  it('plan --report into a folder that does not exist names the file (exit 2), no stack trace', async () => {
    const result = await runBiomass(['plan', plan, '--report', '/no/such/dir/r.html'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot write the report /no/such/dir/r.html');
    expect(result.stderr).not.toContain('    at ');
  });

  it('a FIFO as the plan file is refused, not read', async () => {
    const result = await runBiomass(['validate', fifo('plan-fifo.yaml')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('is not a regular file');
  });

  it('a FIFO as sources.parcels.uri is refused by validate and not opened by plan', async () => {
    fifo('parcels.gpkg');
    const file = path.join(dir, 'fifo-parcels.yaml');
    writeFileSync(file, MINIMAL_PLAN.replace('"PG:dbname=parcels"', 'parcels.gpkg'));
    const validate = await runBiomass(['validate', file], { cwd: dir });
    expect(validate.code).toBe(2);
    expect(validate.stdout).toContain('sources.parcels.uri');
    expect(validate.stdout).toContain('is not a regular file');
    const dryRun = await runBiomass(['plan', file], { cwd: dir });
    expect(dryRun.code).toBe(2);
  });
});

describe('messages say what happened', () => {
  it('the DB_URL hint shows where the password goes', async () => {
    const result = await runBiomass(['db', 'status', '--database-url', 'postgres://a:b@[bad/x'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('postgres://user:<password>@host:5432/database');
  });

  it('biomass plan does not claim retries it did not make', async () => {
    // A port that accepts and closes at once: the one quick try of the dry run fails.
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const withDb = path.join(dir, 'with-db.yaml');
      writeFileSync(withDb, MINIMAL_PLAN.replace('rollout:\n', 'database: { url: "${DATABASE_URL}" }\nrollout:\n'));
      const withUrl = await runBiomass(['plan', withDb], { cwd: dir, env: { DATABASE_URL: `postgres://u@127.0.0.1:${port}/db` } });
      expect(withUrl.code).toBe(0);
      expect(withUrl.stdout).toContain('database     not read (cannot connect');
      expect(withUrl.stdout).not.toContain('every retry');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('parsePostgresTarget: a bad escape is a BiomassError, not a URIError', () => {
    expect(() => parsePostgresTarget('postgres://me:%ZZ@h/db')).toThrow(expect.objectContaining({ code: 'DB_URL' }));
  });
});

afterAll(() => rm(dir, { recursive: true, force: true }));
