/**
 * county:<fips>: the county's parcels in batches of processing.batch_size, up to
 * processing.parallel_batches at once per state, each batch holding one database connection.
 */
import { batchResource, RESOURCE, type CountyNode } from '../dag.js';
import type { NodeKind } from './node-kind.js';
import { notBuilt } from './not-built.js';

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
  run: async (node) => {
    throw notBuilt('county', node.id, 'the county processing issue (`biomass process-county`)');
  },
};
