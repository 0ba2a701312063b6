/**
 * The dry run as `biomass plan` and `biomass demo` make it: with whatever inputs are
 * reachable from here (parcel counts, free space, what earlier runs stored), each falling
 * back to the plan's estimates with the reason recorded in the estimate.
 */
import { BiomassError } from '../biomass-error.js';
import { loadGeography } from '../geo/geography.js';
import type { Plan } from '../plan/plan.js';
import { dryRun, type DryRun } from './dry-run.js';
import { readFreeSpace } from './free-space.js';
import { readParcelCounts } from './parcel-counts.js';
import { readStoredFigures } from './stored-figures.js';

export async function reachableDryRun(plan: Plan): Promise<DryRun> {
  const [geography, parcels, freeSpace, stored] = await Promise.all([
    loadGeography(), readParcelCounts(plan), readFreeSpace(plan.storage.dir), readStoredFigures(plan),
  ]);
  const inputs = {
    ...(parcels.counts ? { parcels: parcels.counts } : {}),
    ...(stored.measured ? { measured: stored.measured } : {}),
    ...(stored.tiles ? { tiles: stored.tiles } : {}),
  };
  const run = dryRun(plan, geography, { inputs, freeSpace, database: stored.note });
  if (parcels.unreadable) run.estimate.inputs.parcels.source += ` (parcel source not read: ${parcels.unreadable})`;
  if (!Number.isFinite(run.estimate.totals.totalMs)) {
    throw new BiomassError('PLAN_SIMULATION', `the simulated schedule of ${plan.file} did not finish`, { hint: 'report this with the plan file' });
  }
  return run;
}
