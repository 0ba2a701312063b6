/**
 * cleanup:<tile> deletes one converted tile once its last reader (county) is done, which
 * gives its disk back; cleanup:<state> runs after the state's verification, deletes what is
 * left of the state's folder and checks the space was reclaimed.
 */
import { BiomassError } from '../../biomass-error.js';
import type { CleanupNode } from '../dag.js';
import type { NodeKind } from './node-kind.js';

/** Deleting files and checking free space; a fixed assumption (no plan key). */
export const CLEANUP_MS = 1_000;

export const cleanupKind: NodeKind<CleanupNode> = {
  kind: 'cleanup',
  estimate: () => ({ durationMs: CLEANUP_MS, claims: [] }),
  // Stryker disable all: a pipeline runner, not the pure core: it is tested end to end in test/exec and test/tiles with GDAL, PostgreSQL and Azurite, which the mutation run's worker threads cannot load (docs/testing.md)
  // The same function as `biomass cleanup --state-fips`: without --force, so a failed
  // county's tiles stay. A tile-scope node frees what of the state is free to go now.
  run: async (node, { plan, stores }) => {
    const { cleanupState } = await import('../../tiles/state-cleanup.js');
    const report = await cleanupState({ plan, db: stores.db, state: node.state });
    if (report.refused.length > 0) {
      throw new BiomassError('CLEANUP_REFUSED', `${node.id}: ${report.refused.length} files were not deleted, e.g. ${report.refused[0]}`, {
        hint: 'storage.dir must hold only what the plan wrote; remove links or foreign files by hand',
      });
    }
  },
  // Stryker restore all
};
