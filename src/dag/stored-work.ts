/**
 * What earlier runs of a plan stored that an edit can make stale (`plan --diff`, issue 13
 * item 6): the states whose tile index is stored (with the fingerprint it was made from) and
 * the counties with stored outputs. Read-only, one quick try, like stored-figures.ts; when the
 * database cannot be read the reason is returned and the diff says only what kind of rerun
 * each edit implies.
 */
import { existsSync } from 'node:fs';
import { openStore } from '../db/open-store.js';
import { countOutputsByCounty } from '../db/parcel-outputs-repository.js';
import type { Store } from '../db/store.js';
import { getStateIndex } from '../db/tile-index-repository.js';
import type { Plan } from '../plan/plan.js';
import { redact } from '../secrets.js';

export interface StoredWork {
  /** States of the plan with a complete stored index. */
  indexed: Array<{ fips: string; fingerprint: string; completedAt: Date }>;
  /** Stored outputs per county. */
  outputs: Map<string, number>;
  source: string;
}

export async function readStoredWork(plan: Plan): Promise<StoredWork | { unreadable: string }> {
  const variable = plan.unresolved['database.url'];
  if (variable) return { unreadable: `\${${variable}} is unset` };
  if (plan.database.url === '' && !existsSync(plan.database.embeddedDir)) return { unreadable: `no embedded database yet (${plan.database.embeddedDir})` };
  let store: Store | undefined;
  try {
    store = await openStore(plan.database.url, plan.database.embeddedDir, {
      ...plan.database.pool, max: 1, connectTimeoutMs: 3_000, healthCheckIntervalMs: 0,
      retry: { attempts: 0, initialDelayMs: 0, maxDelayMs: 0 },
    });
    const exists = await store.query<{ t: string | null }>("SELECT to_regclass('biomass.parcel_outputs')::text AS t");
    if (!exists.rows[0]?.t) return { indexed: [], outputs: new Map(), source: `${store.description} (no biomass tables yet)` };
    const indexed: StoredWork['indexed'] = [];
    for (const fips of plan.rollout.states) {
      const index = await getStateIndex(store, plan.name, fips);
      if (index) indexed.push({ fips, fingerprint: index.fingerprint, completedAt: index.completedAt });
    }
    return { indexed, outputs: await countOutputsByCounty(store, plan.name), source: store.description };
  } catch (error) {
    return { unreadable: redact(((error as Error).message ?? String(error)).split('\n')[0] ?? '') };
  } finally {
    await store?.close();
  }
}
