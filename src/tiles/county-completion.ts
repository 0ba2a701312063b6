/**
 * Whether the counties that read a state's tiles are done, from the database: the county
 * node's status (biomass.node_status), its checkpoint (biomass.county_checkpoints) and, when
 * asked, a recount of its outputs (biomass.parcel_outputs) against the parcel source.
 * Read only: the county step owns these tables.
 */
import { getCountyCheckpoint } from '../db/county-checkpoints-repository.js';
import { listNodeStatus } from '../db/node-status-repository.js';
import { countOutputs } from '../db/parcel-outputs-repository.js';
import type { Queryable } from '../db/store.js';

export type CountyState = 'complete' | 'failed' | 'incomplete';

export interface CountyCompletion {
  countyFips: string;
  state: CountyState;
  /** In words: "succeeded", "failed: ...", "running", "not started", "12 of 40 outputs". */
  detail: string;
}

export interface CompletionOptions {
  /** Also recount outputs against the parcel source (--verify-completion). */
  verify?: boolean;
  /** Parcels per county in the parcel source; needed with verify. */
  parcelCountOf?: (countyFips: string) => number | undefined;
}

export async function countyCompletion(db: Queryable, planName: string, counties: readonly string[], options: CompletionOptions = {}): Promise<Map<string, CountyCompletion>> {
  const status = new Map((await listNodeStatus(db, planName, { kind: 'county' })).map((row) => [row.countyFips ?? row.nodeId.replace(/^county:/, ''), row]));
  const out = new Map<string, CountyCompletion>();
  for (const fips of counties) {
    const row = status.get(fips);
    let result: CountyCompletion;
    if (row?.status === 'succeeded') result = { countyFips: fips, state: 'complete', detail: 'succeeded' };
    else if (row?.status === 'failed') result = { countyFips: fips, state: 'failed', detail: `failed${row.error ? `: ${row.error}` : ''}` };
    else {
      const checkpoint = await getCountyCheckpoint(db, planName, fips);
      const how = row?.status === 'running' ? 'running' : 'not started';
      result = { countyFips: fips, state: 'incomplete', detail: checkpoint ? `${how}, ${checkpoint.parcelsDone} parcels checkpointed` : how };
    }
    if (options.verify && result.state === 'complete') {
      const outputs = await countOutputs(db, planName, fips);
      const expected = options.parcelCountOf?.(fips);
      if (expected === undefined) result = { ...result, state: 'incomplete', detail: `succeeded, but the parcel source could not be counted to verify its ${outputs.total} outputs` };
      else if (outputs.total < expected) result = { ...result, state: 'incomplete', detail: `succeeded, but ${outputs.total} outputs for ${expected} parcels in the source` };
      else result = { ...result, detail: `succeeded, ${outputs.total} outputs for ${expected} parcels` };
    } else if (options.verify) {
      const outputs = await countOutputs(db, planName, fips);
      const expected = options.parcelCountOf?.(fips);
      result = { ...result, detail: `${result.detail}; ${outputs.total} outputs for ${expected ?? 'an uncounted number of'} parcels` };
    }
    out.set(fips, result);
  }
  return out;
}
