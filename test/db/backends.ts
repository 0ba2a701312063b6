import { DEFAULT_POOL, type PoolConfig } from '../../src/db/database-config.js';
import { migrate } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import type { Store } from '../../src/db/store.js';
import type { FreshDatabase } from '../support/postgres.js';

/** Quick retries so that fault tests do not wait the production delays. */
export const TEST_POOL: PoolConfig = {
  ...DEFAULT_POOL,
  connectTimeoutMs: 10_000,
  healthCheckIntervalMs: 0,
  retry: { attempts: 4, initialDelayMs: 20, maxDelayMs: 200 },
};

export interface Backend {
  name: 'postgres' | 'pglite';
  /** A migrated store; the caller closes it. */
  open(): Promise<Store>;
}

/** The two implementations the same repository tests run on. */
export function backends(db: FreshDatabase): Backend[] {
  const opened = async (url: string): Promise<Store> => {
    const store = await openStore(url, '', TEST_POOL);
    await migrate(store, 'state');
    await migrate(store, 'forestry');
    return store;
  };
  return [
    { name: 'postgres', open: () => opened(db.url) },
    { name: 'pglite', open: () => opened('') },
  ];
}
