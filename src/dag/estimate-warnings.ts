/**
 * Warnings a dry run raises from its schedule: min_free violated, parallelism the schedule
 * never uses, tile items made twice that another order avoids. Each a small rule in a list.
 */
import type { Plan } from '../plan/plan.js';
import { formatBytes } from '../plan/units.js';
import { bytesAgainst, bytesWithBinary } from '../report/display-units.js';
import { batchResource, RESOURCE, type Dag } from './dag.js';
import type { EstimateWarning, PlanEstimate } from './plan-estimate.js';
import type { Schedule } from './simulate.js';

interface WarningContext {
  plan: Plan;
  dag: Dag;
  schedule: Schedule;
  estimate: PlanEstimate;
}

type WarningRule = (ctx: WarningContext) => EstimateWarning[];

// Says how much is missing rather than what would be left: when free space is below the peak
// itself, "would leave" is negative and reads as a meaningless "0 B".
const minFree: WarningRule = ({ plan, estimate }) => {
  const free = estimate.inputs.freeSpace.bytes;
  const peak = estimate.totals.peakBytes;
  const needed = peak + plan.storage.minFreeBytes;
  if (free === null || free >= needed) return [];
  return [{
    code: 'MIN_FREE',
    message: `${estimate.inputs.freeSpace.path} has ${bytesWithBinary(free)} free here; the scheduled peak of ${bytesAgainst(peak, plan.storage.budgetBytes)} plus storage.min_free ${formatBytes(plan.storage.minFreeBytes)} needs ${formatBytes(needed)}, ${formatBytes(needed - free)} more than is free`,
    hint: `run where storage.dir has at least ${formatBytes(needed)} free, or lower storage.budget (the scheduler then holds less at once)`,
  }];
};

const jobsWasted: WarningRule = ({ plan, dag, schedule }) => {
  const used = schedule.peaks[RESOURCE.jobs] ?? 0;
  const jobs = plan.preprocess.parallelJobs;
  if (plan.tiles.preprocess === 'never' || used >= jobs) return [];
  const copies = dag.nodes.filter((n) => n.kind === 'preprocess').length;
  const why = copies < jobs ? `the plan converts only ${copies} group${copies === 1 ? '' : 's'} of tile items` : 'the storage budget admits no more conversions at once';
  return [{
    code: 'PARALLELISM_WASTED',
    message: `preprocess.parallel_jobs is ${jobs} but at most ${used} conversion${used === 1 ? '' : 's'} ran at once: ${why}`,
    hint: `lower preprocess.parallel_jobs to ${Math.max(1, used)}${copies < jobs ? '' : ' or raise storage.budget'}`,
  }];
};

const statesWasted: WarningRule = ({ plan, dag, schedule }) => {
  const used = schedule.peaks[RESOURCE.states] ?? 0;
  const wanted = Math.min(plan.rollout.parallelStates, dag.states.length);
  if (used >= wanted) return [];
  return [{
    code: 'PARALLELISM_WASTED',
    message: `rollout.parallel_states is ${plan.rollout.parallelStates} but at most ${used} state${used === 1 ? '' : 's'} ran at once: the storage budget admits no more`,
    hint: `lower rollout.parallel_states to ${Math.max(1, used)} or raise storage.budget`,
  }];
};

const batchesWasted: WarningRule = ({ plan, dag, schedule }) => {
  const wanted = plan.processing.parallelBatches;
  let used = 0;
  for (const s of dag.states) used = Math.max(used, schedule.peaks[batchResource(s.fips)] ?? 0);
  if (dag.states.length === 0 || used >= wanted) return [];
  const poolBound = (schedule.peaks[RESOURCE.pool] ?? 0) >= plan.database.pool.max;
  return [{
    code: 'PARALLELISM_WASTED',
    message: `processing.parallel_batches is ${wanted} but at most ${used} batch${used === 1 ? '' : 'es'} ran at once in any state: ${poolBound ? 'database.pool.max limits them' : 'its counties have too few parcels'}`,
    hint: poolBound ? 'raise database.pool.max' : `lower processing.parallel_batches to ${Math.max(1, used)} or processing.batch_size`,
  }];
};

const orderRemakes: WarningRule = ({ plan, estimate }) => {
  const chosen = estimate.orders.find((o) => o.chosen);
  if (!chosen || chosen.itemsMadeTwice === 0) return [];
  const best = estimate.orders.reduce((a, b) => (b.itemsMadeTwice < a.itemsMadeTwice ? b : a));
  if (best.itemsMadeTwice >= chosen.itemsMadeTwice) return [];
  return [{
    code: 'TILES_MADE_TWICE',
    message: `rollout.order ${plan.rollout.order} downloads and converts ${chosen.itemsMadeTwice.toLocaleString('en-US')} tile items a second time (border tiles deleted between two states that need them); ${best.order} makes ${best.itemsMadeTwice.toLocaleString('en-US')} twice`,
    hint: `set rollout.order: ${best.order}, or list neighbouring states next to each other`,
  }];
};

export const ESTIMATE_WARNINGS: readonly WarningRule[] = [minFree, jobsWasted, statesWasted, batchesWasted, orderRemakes];

export function estimateWarnings(plan: Plan, dag: Dag, schedule: Schedule, estimate: PlanEstimate): EstimateWarning[] {
  const ctx = { plan, dag, schedule, estimate };
  return ESTIMATE_WARNINGS.flatMap((rule) => rule(ctx));
}
