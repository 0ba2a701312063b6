/**
 * Preprocessing as a command or a DAG node performs it: the state's items from its stored
 * index (indexed first when there is none), optionally only those of one MGRS tile, through
 * preprocessItems, with the figures recorded as metrics of the run.
 */
import { recordMetrics, THROUGHPUT_METRICS, type Metric } from '../db/performance-metrics-repository.js';
import type { Store } from '../db/store.js';
import { getStateIndex, listStateItems } from '../db/tile-index-repository.js';
import type { Geography } from '../geo/geography.js';
import type { PreprocessNode } from '../dag/dag.js';
import { preprocessItemsOf } from '../dag/preprocess-items.js';
import type { Plan } from '../plan/plan.js';
import { preprocessItems, type PreprocessProgress, type PreprocessSummary } from './preprocess-items.js';
import { checkStorageDir } from './storage-dir-guard.js';
import { indexStateIntoStore } from './stored-state-index.js';

export interface StoredPreprocessOptions {
  plan: Plan;
  db: Store;
  geography: Geography;
  /** State FIPS or postal code. */
  state: string;
  /** Only the items of these MGRS tiles; default every item of the state. */
  tileIds?: readonly string[];
  /** Only the items of this group of a tile (a DAG node's: the rule in src/dag/dag.ts). */
  group?: Pick<PreprocessNode, 'tileId' | 'firstItem' | 'items' | 'lastGroup'>;
  parallelJobs?: number;
  storageDir?: string;
  /** Records the figures under this run when given. */
  runId?: string;
  signal?: AbortSignal;
  onProgress?: (progress: PreprocessProgress) => void;
  /** Told when the state had to be indexed first. */
  onIndexing?: () => void;
}

export async function preprocessStateFromStore(options: StoredPreprocessOptions): Promise<PreprocessSummary & { state: string }> {
  const { plan, db, geography, signal } = options;
  const state = geography.state(options.state).fips;
  const storageDir = await checkStorageDir(options.storageDir ?? plan.storage.dir);
  if (!(await getStateIndex(db, plan.name, state))) {
    options.onIndexing?.();
    await indexStateIntoStore({ plan, db, geography, state, signal });
  }
  const wanted = options.tileIds && new Set(options.tileIds);
  const stateItems = await listStateItems(db, plan.name, state);
  const items = options.group ? preprocessItemsOf(options.group, stateItems) : stateItems.filter((item) => !wanted || wanted.has(item.mgrsTile));
  const summary = await preprocessItems({
    plan, db, state, items, signal, storageDir, parallelJobs: options.parallelJobs, onProgress: options.onProgress,
  });
  if (options.runId) await recordMetrics(db, options.runId, summaryMetrics(`preprocess:${state}`, summary, options.parallelJobs ?? plan.preprocess.parallelJobs, plan.tiles.bands.length));
  return { ...summary, state };
}

/** The figures of a preprocessing run, and the throughput later dry runs estimate from. */
export function summaryMetrics(scope: string, s: PreprocessSummary, jobs: number, bandsPerItem: number): Metric[] {
  const seconds = s.ms / 1000;
  const metrics: Metric[] = [
    { scope, name: 'band_files_converted', value: s.converted, unit: 'count' },
    { scope, name: 'band_files_streamable', value: s.skippedStreamable, unit: 'count' },
    { scope, name: 'band_files_already_done', value: s.alreadyDone, unit: 'count' },
    { scope, name: 'band_files_failed', value: s.failed.length, unit: 'count' },
    { scope, name: 'bytes_in', value: s.bytesIn, unit: 'bytes' },
    { scope, name: 'bytes_out', value: s.bytesOut, unit: 'bytes' },
    { scope, name: 'seconds', value: seconds, unit: 's' },
  ];
  s.downloads.connectionsBytesPerSecond.forEach((rate, k) => {
    metrics.push({ scope: `${scope}.download`, name: `connection_${k + 1}_bytes_per_second`, value: rate, unit: 'bytes/s' });
  });
  if (s.downloads.connectionsBytesPerSecond.length > 0) {
    const total = s.downloads.connectionsBytesPerSecond.reduce((a, b) => a + b, 0);
    metrics.push({ scope: `${scope}.download`, name: 'bytes', value: s.downloads.bytes, unit: 'bytes' });
    metrics.push({ scope: THROUGHPUT_METRICS.scope, name: THROUGHPUT_METRICS.downloadBytesPerSecond, value: total, unit: 'bytes/s' });
  }
  if (s.converted > 0) {
    // The estimate's figure is one job's time per item: wall time x jobs / items converted.
    const itemsConverted = s.converted / Math.max(1, bandsPerItem);
    metrics.push({ scope: THROUGHPUT_METRICS.scope, name: THROUGHPUT_METRICS.preprocessTimeMs, value: (s.ms * jobs) / itemsConverted, unit: 'ms' });
  }
  return metrics;
}
