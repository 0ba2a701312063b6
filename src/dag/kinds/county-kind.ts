/**
 * county:<fips>: the county's parcels in batches of processing.batch_size, up to
 * processing.parallel_batches at once per state, each batch holding one database connection.
 */
import type { KernelPool } from '../../biomass/kernel-pool.js';
import type { Store } from '../../db/store.js';
import type { BlockCache } from '../../tiles/block-cache.js';
import type { BandLocator, BlockPixels } from '../../tiles/block-reader.js';
import { batchResource, RESOURCE, type CountyNode } from '../dag.js';
import type { NodeKind, RunContext } from './node-kind.js';

/**
 * What an executor may share with the county runner (all optional: alone, the runner opens
 * its own worker pool and block cache, so a worker on another machine needs only the plan,
 * the node and the stores).
 */
export interface CountyRunShared {
  pool?: KernelPool;
  cache?: BlockCache<BlockPixels>;
  runId?: string;
  attempt?: number;
  /** Where each band is read from (the tiles capability's locateBand). */
  locator?: BandLocator;
  /** The forestry database when it is not the state database. */
  forestry?: Store;
}

/** Batches a county runs at once: no more than it has, the state allows, or the pool holds. */
export function countyBatches(node: CountyNode, plan: { processing: { batchSize: number; parallelBatches: number }; database: { pool: { max: number } } }): number {
  const batches = Math.max(1, Math.ceil(node.parcels / plan.processing.batchSize));
  return Math.max(1, Math.min(batches, plan.processing.parallelBatches, plan.database.pool.max));
}

export const countyKind: NodeKind<CountyNode> = {
  kind: 'county',
  estimate: (node, { plan, throughput }) => {
    const batches = countyBatches(node, plan);
    return {
      durationMs: (node.parcels / (throughput.parcelRate.value * batches)) * 1000,
      claims: [
        { resource: batchResource(node.state), amount: batches },
        { resource: RESOURCE.pool, amount: batches },
      ],
    };
  },
  run: async (node, context: RunContext & { shared?: CountyRunShared }) => {
    // Loaded here: the county step pulls in GDAL and Piscina, which the CLI must not load at start.
    const { processCounty } = await import('../../biomass/county-step.js');
    const shared = context.shared ?? {};
    await processCounty({
      plan: context.plan,
      countyFips: node.fips,
      stores: { db: context.stores.db, forestry: shared.forestry, geography: context.stores.geography },
      signal: context.signal,
      pool: shared.pool,
      cache: shared.cache,
      locator: shared.locator,
      runId: shared.runId,
      attempt: shared.attempt,
      onProgress: (p) => context.onProgress?.(p.done, p.total),
    });
  },
};
