/**
 * preprocess:<tile>/<group>: a group of a tile's items (dag.ts says which), one job: each item's
 * original (compressed) is downloaded, converted to a streamable COG, and deleted, then the
 * next. Disk: the converted items stay until the tile's cleanup; one original is on disk beside
 * them while it is converted. Only local downloads are deleted: the source blobs are never
 * touched.
 */
import { BiomassError } from '../../biomass-error.js';
import { RESOURCE, type PreprocessNode } from '../dag.js';
import type { NodeKind } from './node-kind.js';

/**
 * How long a group takes while `jobs` groups run at once. One job's item cycle is a download
 * at the full rate plus a conversion; the jobs share the link, which delivers at most one
 * original per `downloadMsPerItem`, so with many jobs each waits its turn: per item
 * max(download + convert, jobs x download). The rate is shared among the jobs actually running
 * (the simulation passes them), never among parallel_jobs that do not run (issue 13 item 3).
 */
export function preprocessMs(node: Pick<PreprocessNode, 'items' | 'downloadMsPerItem' | 'convertMsPerItem'>, jobs: number): number {
  const perItem = Math.max(node.downloadMsPerItem + node.convertMsPerItem, Math.max(1, jobs) * node.downloadMsPerItem);
  return node.items * perItem;
}

export const preprocessKind: NodeKind<PreprocessNode> = {
  kind: 'preprocess',
  // durationMs is the figure with every job busy; the simulation refines it by the jobs running.
  estimate: (node, { plan }) => {
    const { compressedBytes, uncompressedBytes } = plan.storage.tileSize;
    return {
      durationMs: preprocessMs(node, plan.preprocess.parallelJobs),
      claims: [
        { resource: RESOURCE.jobs, amount: 1 },
        { resource: RESOURCE.disk, amount: compressedBytes },
        { resource: RESOURCE.disk, amount: node.items * uncompressedBytes, until: [node.cleanupId] },
      ],
    };
  },
  // Stryker disable all: a pipeline runner, not the pure core: it is tested end to end in test/exec and test/tiles with GDAL, PostgreSQL and Azurite, which the mutation run's worker threads cannot load (docs/testing.md)
  // The same function as `biomass preprocess`, over the node's group of its tile's items, as one
  // job (the scheduler admits preprocess.parallel_jobs of them at once).
  run: async (node, { plan, stores, signal, onProgress, runId }) => {
    const { preprocessStateFromStore } = await import('../../tiles/stored-preprocess.js');
    const summary = await preprocessStateFromStore({
      plan, db: stores.db, geography: stores.geography, state: node.state, group: node, parallelJobs: 1, runId, signal,
      onProgress: (p) => onProgress?.(p.itemsDone, p.itemsTotal),
    });
    if (summary.failed.length > 0) {
      const first = summary.failed[0]!;
      throw new BiomassError('PREPROCESS_FAILED', `${node.id}: ${summary.failed.length} band files failed, e.g. ${first.reason}`, {
        hint: 'the failures are recorded with their reasons; fix the originals or rerun: converted files are kept and skipped',
      });
    }
  },
  // Stryker restore all
};
