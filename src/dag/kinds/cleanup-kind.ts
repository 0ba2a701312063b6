/**
 * cleanup:<tile> deletes one converted tile once its last reader (county) is done, which
 * gives its disk back; cleanup:<state> runs after the state's verification, deletes what is
 * left of the state's folder and checks the space was reclaimed.
 */
import type { CleanupNode } from '../dag.js';
import type { NodeKind } from './node-kind.js';
import { notBuilt } from './not-built.js';

/** Deleting files and checking free space; a fixed assumption (no plan key). */
export const CLEANUP_MS = 1_000;

export const cleanupKind: NodeKind<CleanupNode> = {
  kind: 'cleanup',
  estimate: () => ({ durationMs: CLEANUP_MS, claims: [] }),
  run: async (node) => {
    throw notBuilt('cleanup', node.id, 'the cleanup issue (`biomass cleanup`)');
  },
};
