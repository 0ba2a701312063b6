import type { DatabaseConfig, PoolConfig } from './database-config.js';
import { connectError } from './connect-error.js';
import { PgliteStore, type StoreAccess } from './pglite-store.js';
import { parsePostgresTarget } from './postgres-target.js';
import type { Store } from './store.js';

/** Retries of the first round trip (0.5 + 1 + 2 + 4 s at most with the default delays). */
const FIRST_CONNECT_RETRIES = 4;

/**
 * Opens the store a URL names (PostgreSQL) or, for '', the embedded PGlite in `embeddedDir`,
 * and proves it works with one round trip. A server that is only briefly away is waited for
 * within the retry budget; anything else (bad URL, password, missing database) fails at once
 * with a BiomassError (exit 2) naming host and database, before any work. `access` 'read'
 * opens only an embedded database that exists (see PgliteStore.open).
 */
export async function openStore(
  url: string,
  embeddedDir: string,
  pool: PoolConfig,
  role = 'state',
  access: StoreAccess = 'write',
): Promise<Store> {
  if (url === '') return PgliteStore.open(embeddedDir, access);
  const target = parsePostgresTarget(url);
  // pg is loaded only by the commands that reach a server (it costs start-up time).
  const { PostgresStore } = await import('./postgres-store.js');
  const store = new PostgresStore(url, target, pool);
  try {
    // Nothing is done yet: a server that is down at the start is reported within seconds
    // (exit 2, start again later); the pool's full budget rides through outages mid-run.
    await store.query('SELECT 1', [], { retry: { ...pool.retry, attempts: Math.min(pool.retry.attempts, FIRST_CONNECT_RETRIES) } });
  } catch (error) {
    await store.close();
    throw connectError(error, target, role, pool);
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

/** Opens a plan's stores; `read` (read-only commands) never creates the embedded database. */
export async function openStores(config: DatabaseConfig, access: StoreAccess = 'write'): Promise<Stores> {
  const state = await openStore(config.url, config.embeddedDir, config.pool, 'state', access);
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
