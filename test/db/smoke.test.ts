import { describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../../src/db/database-config.js';
import { migrate, migrationStatus } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import { useFreshDatabase } from '../support/postgres.js';

const db = useFreshDatabase();
describe('smoke', () => {
  it('migrates pg and pglite', async () => {
    for (const url of [db.url, '']) {
      const store = await openStore(url, '', DEFAULT_POOL);
      try {
        expect((await migrate(store, 'state')).length).toBe(3);
        expect((await migrate(store, 'forestry')).length).toBe(1);
        expect((await migrationStatus(store, 'state')).pending).toEqual([]);
      } finally {
        await store.close();
      }
    }
  });
});
