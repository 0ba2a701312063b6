/**
 * preprocess:<tile>: download a tile's items (originals, compressed) and convert each to a
 * streamable COG, one item at a time per job. Disk: the converted items stay until the
 * tile's cleanup; one original is on disk beside them while it is converted, then deleted.
 */
import { BiomassError } from '../../biomass-error.js';
import { RESOURCE, type PreprocessNode } from '../dag.js';
import type { NodeKind } from './node-kind.js';

export const preprocessKind: NodeKind<PreprocessNode> = {
  kind: 'preprocess',
  estimate: (node, { plan, throughput }) => {
    const { compressedBytes, uncompressedBytes } = plan.storage.tileSize;
    // The download rate is for all connections together; with every job busy each gets its share.
    const perJobRate = throughput.downloadBytesPerSecond.value / plan.preprocess.parallelJobs;
    const perItemMs = (compressedBytes / perJobRate) * 1000 + throughput.preprocessTimeMs.value;
    return {
      durationMs: node.items * perItemMs,
      claims: [
        { resource: RESOURCE.jobs, amount: 1 },
        { resource: RESOURCE.disk, amount: compressedBytes },
        { resource: RESOURCE.disk, amount: node.items * uncompressedBytes, until: [node.cleanupId] },
      ],
    };
  },
  // The same function as `biomass preprocess`, over the items of the node's tile.
  run: async (node, { plan, stores, signal, onProgress }) => {
    const { preprocessStateFromStore } = await import('../../tiles/stored-preprocess.js');
    const summary = await preprocessStateFromStore({
      plan, db: stores.db, geography: stores.geography, state: node.state, tileIds: [node.tileId], signal,
      onProgress: (p) => onProgress?.(p.itemsDone, p.itemsTotal),
    });
    if (summary.failed.length > 0) {
      const first = summary.failed[0]!;
      throw new BiomassError('PREPROCESS_FAILED', `${node.id}: ${summary.failed.length} band files failed, e.g. ${first.reason}`, {
        hint: 'the failures are recorded with their reasons; fix the originals or rerun: converted files are kept and skipped',
      });
    }
  },
};
