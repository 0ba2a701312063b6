/**
 * county:<fips>: the county's parcels in batches of processing.batch_size, up to
 * processing.parallel_batches at once per state, each batch holding one database connection.
 */
import { batchResource, RESOURCE, type CountyNode } from '../dag.js';
import type { NodeKind } from './node-kind.js';

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
  // Stryker disable all: a pipeline runner, not the pure core: it is tested end to end in test/exec and test/tiles with GDAL, PostgreSQL and Azurite, which the mutation run's worker threads cannot load (docs/testing.md)
  // The same function as `biomass process-county`. Under `biomass run` the counties share the
  // run's one worker pool; alone it opens its own. Tiles are read where locateBand says.
  run: async (node, context) => {
    // Loaded here: the county step pulls in GDAL and Piscina, which the CLI must not load at start.
    const { processCounty } = await import('../../biomass/county-step.js');
    const { kernelPoolOn } = await import('../../biomass/kernel-pool.js');
    const shared = context.workerPool ? await context.workerPool() : undefined;
    const summary = await processCounty({
      plan: context.plan,
      countyFips: node.fips,
      stores: { db: context.stores.db, forestry: context.stores.forestry, geography: context.stores.geography },
      signal: context.signal,
      pool: shared ? kernelPoolOn(shared, shared.options.maxThreads) : undefined,
      runId: context.runId,
      attempt: context.attempt,
      onProgress: (p) => context.onProgress?.(p.done, p.total),
    });
    // The run's figures: parcels committed by this attempt, blocks read by path, cache lookups.
    const metrics = context.metrics;
    if (metrics) {
      metrics.addParcels(Object.values(summary.byStatus).reduce((a, b) => a + b, 0));
      for (const [path, read] of Object.entries(summary.reads.byPath)) if (read.blocks > 0) metrics.addRead(path, read.bytes, read.blocks);
      metrics.addCache(summary.cache.hits, summary.cache.misses);
    }
  },
  // Stryker restore all
};
