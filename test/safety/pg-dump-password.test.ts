/**
 * Finding 5: pg_dump gets the password through its environment (PGPASSWORD) or a 0600
 * PGPASSFILE, never on its command line, also when the URL carries it as ?password=.
 * A real pg_dump against a private password-protected server; the wrapper in front of it
 * only records the arguments it was given, as the process list would show them.
 */
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBeforeState } from '../../src/db/backup.js';
import { defaultDatabaseConfig } from '../../src/db/database-config.js';
import { openStore } from '../../src/db/open-store.js';
import { TEST_POOL } from '../db/backends.js';
import { PrivateServer } from '../db/private-server.js';

let server: PrivateServer;
let dir: string;
beforeAll(async () => {
  server = await PrivateServer.create('pw-in-query-9f3k');
  dir = await mkdtemp(path.join(os.tmpdir(), 'biomass-pgdump-'));
}, 300_000);
afterAll(async () => {
  await server?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('pg_dump and the password', () => {
  for (const form of ['userinfo', 'query'] as const) {
    it(`keeps a ${form} password off pg_dump's command line`, async () => {
      const url = form === 'userinfo'
        ? server.url()
        : `postgres://postgres@127.0.0.1:${server.port}/postgres?password=${server.password}`;
      const argsFile = path.join(dir, `${form}.args`);
      const wrapper = path.join(dir, `${form}-pg_dump.sh`);
      await writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\nexec pg_dump "$@"\n`);
      await chmod(wrapper, 0o755);
      const config = { ...defaultDatabaseConfig(dir, url), pool: TEST_POOL, backup: { beforeState: true, dir: path.join(dir, form) } };
      const store = await openStore(url, '', TEST_POOL);
      try {
        await store.exec('CREATE SCHEMA IF NOT EXISTS biomass; CREATE TABLE IF NOT EXISTS biomass.t (x int)');
        const file = await backupBeforeState(config, store, { planName: 'p', stateFips: '17' }, { pgDump: wrapper });
        expect((await stat(file!)).size).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
      const args = await readFile(argsFile, 'utf8');
      expect(args).toContain(`--dbname=`);
      expect(args).not.toContain(server.password);
      // Nothing but the dump is left in the backup folder (no password file).
      expect(await readdir(path.join(dir, form))).toEqual([expect.stringMatching(/\.dump$/)]);
    }, 300_000);
  }
});
