/**
 * index:<state>: county geometries x MGRS grid x catalog listing -> the state's tile items.
 * Holds one rollout slot (rollout.parallel_states) from its start until the state's cleanup.
 */
import { RESOURCE, type IndexNode } from '../dag.js';
import type { NodeKind } from './node-kind.js';
import { indexStateIntoStore } from '../../tiles/stored-state-index.js';

/** Listing one tile's acquisitions in the catalog; a fixed assumption (no plan key), small next to preprocessing. */
export const INDEX_MS_PER_TILE = 2_000;

export const indexKind: NodeKind<IndexNode> = {
  kind: 'index',
  estimate: (node) => ({
    durationMs: node.tiles * INDEX_MS_PER_TILE,
    claims: [
      { resource: RESOURCE.states, amount: 1, until: [node.cleanupId] },
      { resource: RESOURCE.pool, amount: 1 },
    ],
  }),
  // Stryker disable all: a pipeline runner, not the pure core: it is tested end to end in test/exec and test/tiles with GDAL, PostgreSQL and Azurite, which the mutation run's worker threads cannot load (docs/testing.md)
  run: async (node, { plan, stores, signal, onProgress }) => {
    await indexStateIntoStore({ plan, db: stores.db, geography: stores.geography, state: node.state, signal, onProgress });
  },
  // Stryker restore all
};
