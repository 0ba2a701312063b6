/**
 * Finding 3: a CLI value that becomes part of a path (state and county codes, plan names) is
 * validated, and the path it makes must stay inside its folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBeforeState } from '../../src/db/backup.js';
import { defaultDatabaseConfig } from '../../src/db/database-config.js';
import { openStore } from '../../src/db/open-store.js';
import { runBiomass } from '../support/cli.js';

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'biomass-path-values-'));
  expect((await runBiomass(['db', 'migrate'], { cwd })).code).toBe(0);
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('values that become paths', () => {
  it('db backup refuses a --state-fips that is not a state, and writes nothing', async () => {
    const escape = path.join(cwd, 'escaped');
    // What the backup folder holds before (another test of this file may have written a backup).
    const backups = () => (existsSync(path.join(cwd, '.biomass', 'backups')) ? readdirSync(path.join(cwd, '.biomass', 'backups')) : []);
    const before = backups();
    const folderBefore = existsSync(path.join(cwd, '.biomass', 'backups'));
    const result = await runBiomass(['db', 'backup', '--state-fips', `../../${path.basename(cwd)}/escaped`], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--state-fips "../../');
    expect(result.stderr).toContain('is not a US state');
    expect(backups()).toEqual(before);
    expect(existsSync(path.join(cwd, '.biomass', 'backups'))).toBe(folderBefore);
    expect(readdirSync(cwd).filter((f) => f.startsWith('escaped'))).toEqual([]);
    expect(existsSync(`${escape}-2026`)).toBe(false);
  });

  it('db backup takes a postal code and labels the file with its FIPS code', async () => {
    const result = await runBiomass(['db', 'backup', '--state-fips', 'IL'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(path.join(cwd, '.biomass', 'backups'))).toEqual([expect.stringMatching(/^manual-state-17-.*\.tar\.gz$/)]);
  });

  it('the backup hook refuses a label that would leave the backup folder', async () => {
    const config = { ...defaultDatabaseConfig(cwd), backup: { beforeState: true, dir: path.join(cwd, 'hook-backups') } };
    const store = await openStore('', config.embeddedDir, config.pool);
    try {
      await expect(backupBeforeState(config, store, { planName: 'p', stateFips: '../../x' })).rejects.toMatchObject({ code: 'BAD_STATE_FIPS', exitCode: 2 });
      await expect(backupBeforeState(config, store, { planName: '../../x', stateFips: '17' })).resolves.toMatch(
        new RegExp(`^${path.join(cwd, 'hook-backups')}/[^/]+-state-17-`),
      );
    } finally {
      await store.close();
    }
  });
});
