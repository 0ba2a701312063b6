/**
 * What earlier runs of the plan stored, read from its database when that is reachable, for
 * the dry run: measured throughput, and the tile index of states already indexed (real item
 * counts per tile instead of the season / revisit estimate). Read-only: the embedded database is opened only when it
 * already exists, nothing is migrated, and any failure just means "use the plan's figures",
 * said in words.
 */
import { inspectEmbeddedDir } from '../db/embedded-dir.js';
import { openStore } from '../db/open-store.js';
import { latestThroughput } from '../db/performance-metrics-repository.js';
import type { Store } from '../db/store.js';
import type { Plan } from '../plan/plan.js';
import { redact } from '../secrets.js';
import { getStateIndex, listStateItems } from '../db/tile-index-repository.js';
import type { MeasuredThroughput } from './compile-inputs.js';
import type { TileCounts } from './tile-counts.js';
import { indexFingerprint } from '../tiles/stored-state-index.js';

export interface StoredFigures {
  measured?: MeasuredThroughput;
  /** Items per tile of the states whose stored index is complete. */
  tiles?: TileCounts;
  /** Where the numbers came from or why the database was not read. */
  note: string;
}

export async function readStoredFigures(plan: Plan): Promise<StoredFigures> {
  const variable = plan.unresolved['database.url'];
  if (variable) return { note: `not read (\${${variable}} is unset); throughput from plan defaults` };
  let store: Store | undefined;
  try {
    if (plan.database.url === '') {
      const { state } = await inspectEmbeddedDir(plan.database.embeddedDir);
      if (state === 'other') {
        return { note: `not read (${plan.database.embeddedDir} is not an embedded database: it holds other files); throughput from plan defaults` };
      }
      if (state !== 'pglite') return { note: `embedded database not created yet (${plan.database.embeddedDir}); throughput from plan defaults` };
    }
    // A dry run must answer in seconds: one quick try, no retries.
    store = await openStore(plan.database.url, plan.database.embeddedDir, {
      ...plan.database.pool, max: 1, connectTimeoutMs: 3_000, statementTimeoutMs: 10_000, healthCheckIntervalMs: 0,
      retry: { attempts: 0, initialDelayMs: 0, maxDelayMs: 0 },
    }, 'state', 'read');
    const exists = await store.query<{ t: string | null }>("SELECT to_regclass('biomass.performance_metrics')::text AS t");
    if (!exists.rows[0]?.t) return { note: `${store.description} has no biomass tables yet; throughput from plan defaults` };
    const tiles = await storedTileIndex(store, plan);
    const latest = await latestThroughput(store, plan.name);
    if (latest.runs.length === 0) {
      return { tiles, note: `${store.description}: no measured figures for plan ${plan.name} yet; throughput from plan defaults` };
    }
    const newest = latest.runs[0]!;
    const source = `run ${newest.runId} of ${newest.recordedAt.toISOString().slice(0, 10)} (measured)`;
    return {
      tiles,
      measured: { downloadBytesPerSecond: latest.downloadBytesPerSecond, preprocessTimeMs: latest.preprocessTimeMs, parcelRate: latest.parcelRate, source },
      note: `measured figures from ${store.description}, ${source}`,
    };
  } catch (error) {
    const reason = redact(((error as Error).message ?? String(error)).split('\n')[0] ?? '');
    return { note: `not read (${reason}); throughput from plan defaults` };
  } finally {
    await store?.close();
  }
}

/** Item counts per tile from the states whose stored index is complete; undefined when none is. */
async function storedTileIndex(store: Store, plan: Plan): Promise<TileCounts | undefined> {
  const counts = new Map<string, number>();
  const indexed: string[] = [];
  const fingerprint = indexFingerprint(plan);
  for (const fips of plan.rollout.states) {
    // Only an index made from the plan's current source, bands and season counts.
    if ((await getStateIndex(store, plan.name, fips))?.fingerprint !== fingerprint) continue;
    indexed.push(fips);
    const perTile = new Map<string, number>();
    for (const item of await listStateItems(store, plan.name, fips)) perTile.set(item.mgrsTile, (perTile.get(item.mgrsTile) ?? 0) + 1);
    // A border tile indexed by two states lists the same acquisitions: keep the larger count.
    for (const [tile, n] of perTile) counts.set(tile, Math.max(counts.get(tile) ?? 0, n));
  }
  if (indexed.length === 0) return undefined;
  return { counts, source: `the stored index of state${indexed.length === 1 ? '' : 's'} ${indexed.join(', ')} in ${store.description}` };
}
