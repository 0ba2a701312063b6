/**
 * preprocess:<tile>: download a tile's items (originals, compressed) and convert each to a
 * streamable COG, one item at a time per job. Disk: the converted items stay until the
 * tile's cleanup; one original is on disk beside them while it is converted, then deleted.
 */
import { RESOURCE, type PreprocessNode } from '../dag.js';
import type { NodeKind } from './node-kind.js';
import { notBuilt } from './not-built.js';

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
  run: async (node) => {
    throw notBuilt('preprocess', node.id, 'the tile preprocessing issue');
  },
};
