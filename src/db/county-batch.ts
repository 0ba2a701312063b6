import { saveCountyCheckpoint } from './county-checkpoints-repository.js';
import { upsertParcelOutputs, type ParcelOutput, type WrittenBy } from './parcel-outputs-repository.js';
import type { QueryOptions, Store } from './store.js';

/**
 * Commits one batch of a county: its outputs and the county checkpoint in one transaction,
 * retried as a whole on a lost connection. After it returns the batch is stored exactly once
 * and a resumed county starts after it; if it throws, neither is stored.
 */
export async function commitCountyBatch(
  store: Store,
  batch: WrittenBy & { countyFips: string; batchIndex: number; parcelsDone: number; outputs: readonly ParcelOutput[] },
  options: QueryOptions = {},
): Promise<void> {
  await store.transaction(async (tx) => {
    await upsertParcelOutputs(tx, batch, batch.outputs);
    await saveCountyCheckpoint(tx, {
      planName: batch.planName,
      countyFips: batch.countyFips,
      lastBatch: batch.batchIndex,
      parcelsDone: batch.parcelsDone,
      runId: batch.runId,
      attempt: batch.attempt,
    });
  }, options);
}
