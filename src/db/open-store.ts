import type { DatabaseConfig, PoolConfig } from './database-config.js';
import { connectError } from './connect-error.js';
import { PgliteStore } from './pglite-store.js';
import { parsePostgresTarget } from './postgres-target.js';
import type { Store } from './store.js';

/**
 * Opens the store a URL names (PostgreSQL) or, for '', the embedded PGlite in `embeddedDir`,
 * and proves it works with one round trip. A server that is only briefly away is waited for
 * within the retry budget; anything else (bad URL, password, missing database) fails at once
 * with a BiomassError (exit 2) naming host and database, before any work.
 */
export async function openStore(
  url: string,
  embeddedDir: string,
  pool: PoolConfig,
  role = 'state',
): Promise<Store> {
  if (url === '') return PgliteStore.open(embeddedDir);
  const target = parsePostgresTarget(url);
  // pg is loaded only by the commands that reach a server (it costs start-up time).
  const { PostgresStore } = await import('./postgres-store.js');
  const store = new PostgresStore(url, target, pool);
  try {
    await store.query('SELECT 1');
  } catch (error) {
    await store.close();
    throw connectError(error, target, role);
  }
  return store;
}

/** The stores of a plan: the state database, and the forestry database (its own pool when its URL differs). */
export interface Stores {
  state: Store;
  forestry: Store;
  /** Closes both, in reverse order of opening. */
  close(): Promise<void>;
}

export async function openStores(config: DatabaseConfig): Promise<Stores> {
  const state = await openStore(config.url, config.embeddedDir, config.pool, 'state');
  if (config.forestryUrl === '' || config.forestryUrl === config.url) {
    return { state, forestry: state, close: () => state.close() };
  }
  let forestry: Store;
  try {
    forestry = await openStore(config.forestryUrl, '', config.pool, 'forestry');
  } catch (error) {
    await state.close();
    throw error;
  }
  return {
    state,
    forestry,
    close: async () => {
      try {
        await forestry.close();
      } finally {
        await state.close();
      }
    },
  };
}
