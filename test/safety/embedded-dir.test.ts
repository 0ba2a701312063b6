/**
 * Finding 1 (and the symlink crash of finding 11): read-only commands never create or change
 * an embedded database; a command that writes uses only an absent or empty folder or an
 * existing data directory, and refuses any other folder by name, leaving it untouched.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBiomass } from '../support/cli.js';
import { planText } from '../support/plan-text.js';

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'biomass-embedded-dir-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

/** A folder holding a file PGlite would replace, and a plan naming it as embedded_dir. */
async function foreignFolder(name: string): Promise<{ plan: string; dir: string }> {
  const dir = path.join(cwd, name);
  await mkdir(dir);
  await writeFile(path.join(dir, 'pg_hba.conf'), 'ORIGINAL\n');
  const plan = path.join(cwd, `${name}.yaml`);
  await writeFile(plan, planText({ name, database: `{ embedded_dir: ${name} }` }));
  return { plan, dir };
}

function untouched(dir: string): void {
  expect(readdirSync(dir)).toEqual(['pg_hba.conf']);
  expect(readFileSync(path.join(dir, 'pg_hba.conf'), 'utf8')).toBe('ORIGINAL\n');
}

describe('the embedded database folder', () => {
  it('biomass plan leaves a foreign folder named by embedded_dir untouched', async () => {
    const { plan, dir } = await foreignFolder('plan-foreign');
    const result = await runBiomass(['plan', plan], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${dir} is not an embedded database`);
    untouched(dir);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('biomass db status refuses a foreign folder by name and leaves it untouched', async () => {
    const { plan, dir } = await foreignFolder('status-foreign');
    const result = await runBiomass(['db', 'status', '--plan', plan], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`database.embedded_dir ${dir} is a folder that holds other files`);
    untouched(dir);
  });

  it('biomass db migrate refuses a foreign folder by name and leaves it untouched', async () => {
    const { plan, dir } = await foreignFolder('migrate-foreign');
    const result = await runBiomass(['db', 'migrate', '--plan', plan], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`database.embedded_dir ${dir} is a folder that holds other files`);
    untouched(dir);
  });

  it('biomass plan and db status create nothing where the folder is absent or empty', async () => {
    const plan = path.join(cwd, 'absent.yaml');
    await writeFile(plan, planText({ name: 'absent', database: '{ embedded_dir: absent-db }' }));
    expect((await runBiomass(['plan', plan], { cwd })).code).toBe(0);
    expect((await runBiomass(['db', 'status', '--plan', plan], { cwd })).code).toBe(0);
    expect(existsSync(path.join(cwd, 'absent-db'))).toBe(false);
    await mkdir(path.join(cwd, 'absent-db'));
    const status = await runBiomass(['db', 'status', '--plan', plan], { cwd });
    expect(status.stdout).toContain('not created yet');
    expect((await runBiomass(['plan', plan], { cwd })).code).toBe(0);
    expect(readdirSync(path.join(cwd, 'absent-db'))).toEqual([]);
  });

  it('migrate creates the database in an empty folder, and a symlink to it is followed', async () => {
    await mkdir(path.join(cwd, 'empty-db'));
    await symlink(path.join(cwd, 'empty-db'), path.join(cwd, 'linked-db'));
    const plan = path.join(cwd, 'linked.yaml');
    await writeFile(plan, planText({ name: 'linked', database: '{ embedded_dir: linked-db }' }));
    const migrate = await runBiomass(['db', 'migrate', '--plan', plan], { cwd });
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);
    expect(existsSync(path.join(cwd, 'empty-db', 'PG_VERSION'))).toBe(true);
    const status = await runBiomass(['db', 'status', '--plan', plan], { cwd });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('up to date');
  });

  it('an embedded_dir that is a file is refused by name, not a crash', async () => {
    await writeFile(path.join(cwd, 'a-file'), 'x');
    const plan = path.join(cwd, 'file.yaml');
    await writeFile(plan, planText({ name: 'file', database: '{ embedded_dir: a-file }' }));
    const result = await runBiomass(['db', 'migrate', '--plan', plan], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`database.embedded_dir ${path.join(cwd, 'a-file')} cannot hold the embedded database: it is not a folder`);
    expect(readFileSync(path.join(cwd, 'a-file'), 'utf8')).toBe('x');
  });
});
