/**
 * The dry run: compile, simulate with the scheduler, compare rollout orders, check the
 * storage budget, and summarise it all as a PlanEstimate. Pure: the caller reads whatever
 * is reachable (parcel counts, free space, measured figures) and passes it in.
 */
import { formatBytes } from '../plan/units.js';
import type { Plan } from '../plan/plan.js';
import { throughputOf, type CompileInputs, type DagGeography } from './compile-inputs.js';
import { buildDag, buildScheduledDag } from './compile.js';
import { RESOURCE, type Dag, type PreprocessNode } from './dag.js';
import { leastBudget } from './least-budget.js';
import { PLAN_ESTIMATE_SCHEMA_ID, type OrderComparison, type PlanEstimate, type Refusal, type StateEstimate } from './plan-estimate.js';
import { gatherRollout, type RolloutFacts } from './rollout-facts.js';
import { largestFirstBasis, ROLLOUT_ORDERS, type RolloutOrder } from './rollout-order.js';
import { criticalPath, stateEstimates } from './schedule-summary.js';
import { simulate, type Schedule } from './simulate.js';
import { estimateWarnings } from './estimate-warnings.js';
import { stallOf, stallText } from './stall.js';

export interface DryRunOptions {
  inputs?: CompileInputs;
  /** Free space under storage.dir (or its nearest existing folder) when it could be read. */
  freeSpace?: { bytes: number | null; path: string; source: string };
  /** What became of the database, for the sources line: "not read: ${DATABASE_URL} is unset". */
  database?: string;
  /** Compare the other rollout orders too (default true). */
  compareOrders?: boolean;
}

export interface DryRun {
  estimate: PlanEstimate;
  dag: Dag;
  schedule: Schedule;
}

export function dryRun(plan: Plan, geography: DagGeography, options: DryRunOptions = {}): DryRun {
  const inputs = options.inputs ?? {};
  const facts = gatherRollout(plan, geography, inputs);
  const throughput = throughputOf(plan, inputs.measured);
  const build = (order: RolloutOrder) => buildScheduledDag(plan, facts, throughput, order);
  const chosen = build(plan.rollout.order);
  const dag = chosen.dag;

  let schedule = chosen.schedule;
  let refused: Refusal | null = null;
  const needs = new Map<string, number>();
  let capacity = plan.storage.budgetBytes;
  if (schedule.stalled) {
    refused = refusal(plan, facts, dag, schedule, needs, (fips) => buildDag(plan, { ...facts, states: facts.states.filter((s) => s.fips === fips) }, throughput, 'plan'));
    // Show the whole schedule anyway, under the least budget that lets it finish.
    capacity = Math.max(capacity, ...needs.values());
    schedule = simulate(dag, { ...dag.capacities, [RESOURCE.disk]: capacity });
    if (schedule.stalled) {
      capacity = leastBudget(dag);
      schedule = simulate(dag, { ...dag.capacities, [RESOURCE.disk]: capacity });
    }
  }

  const states: StateEstimate[] = stateEstimates(plan, dag, schedule).map((s) => (needs.has(s.fips) ? { ...s, needBytes: needs.get(s.fips)! } : s));
  const made = dag.nodes.filter((n): n is PreprocessNode => n.kind === 'preprocess');
  const itemsMade = made.reduce((sum, p) => sum + p.items, 0);
  const { compressedBytes: c, uncompressedBytes: u } = plan.storage.tileSize;
  const items = states.reduce((sum, s) => sum + s.items, 0);
  const path = criticalPath(dag, schedule);

  const orders: OrderComparison[] = [];
  for (const order of options.compareOrders === false ? [plan.rollout.order] : ROLLOUT_ORDERS) {
    const built = order === plan.rollout.order ? { dag, schedule } : build(order);
    const other = built.dag;
    const run = other === dag ? schedule : capacity === plan.storage.budgetBytes ? built.schedule : simulate(other, { ...other.capacities, [RESOURCE.disk]: capacity });
    orders.push({ order, chosen: order === plan.rollout.order, itemsMadeTwice: itemsMadeTwice(other), peakBytes: run.peaks[RESOURCE.disk] ?? 0, totalMs: run.totalMs });
  }

  const estimate: PlanEstimate = {
    $schema: PLAN_ESTIMATE_SCHEMA_ID,
    plan: { name: plan.name, file: plan.file },
    order: {
      strategy: plan.rollout.order,
      ...(plan.rollout.order === 'largest-first' ? { basis: largestFirstBasis(facts.states) } : {}),
      states: dag.states.map((s) => s.fips),
    },
    refused,
    inputs: {
      tileItems: { source: facts.tileIndex.source, estimated: facts.tileIndex.estimated, perTile: dag.itemsPerTile },
      tileSizes: { compressedBytes: c, uncompressedBytes: u, source: 'plan (storage.tile_size)' },
      throughput,
      parcels: { source: facts.parcelsSource },
      database: options.database ?? (inputs.measured ? `measured figures from ${inputs.measured.source}` : 'not read; plan defaults used'),
      freeSpace: options.freeSpace ?? { bytes: null, path: plan.storage.dir, source: 'not read' },
      preprocess: plan.tiles.preprocess,
    },
    states,
    totals: {
      states: states.length,
      counties: states.reduce((sum, s) => sum + s.counties, 0),
      parcels: states.reduce((sum, s) => sum + s.parcels, 0),
      tiles: new Set(dag.states.flatMap((s) => s.tiles)).size,
      items, distinctItems: [...new Set(dag.states.flatMap((s) => s.tiles))].reduce((sum, t) => sum + (facts.tileIndex.itemsOf(t) ?? 0), 0),
      itemsMade, itemsMadeTwice: itemsMadeTwice(dag),
      compressedBytes: items * c, uncompressedBytes: items * u, downloadedBytes: itemsMade * c,
      seedPeakBytes: Math.max(0, ...states.map((s) => s.seedPeakBytes)),
      peakBytes: schedule.peaks[RESOURCE.disk] ?? 0,
      budgetBytes: plan.storage.budgetBytes,
      minFreeBytes: plan.storage.minFreeBytes,
      scheduledWithBytes: capacity,
      totalMs: schedule.totalMs,
      criticalPath: path.map((n) => ({ id: n.id, label: n.label, startMs: schedule.startMs.get(n.id) ?? 0, endMs: schedule.endMs.get(n.id) ?? 0 })),
    },
    orders,
    cost: costOf(plan, schedule, itemsMade * c),
    warnings: [],
  };
  estimate.warnings = estimateWarnings(plan, dag, schedule, estimate);
  return { estimate, dag, schedule };
}

function itemsMadeTwice(dag: Dag): number {
  let total = 0;
  for (const n of dag.nodes) if (n.kind === 'preprocess' && n.making > 1) total += n.items;
  return total;
}

/**
 * Which states cannot finish within the budget, each simulated alone, with the least budget
 * that lets it finish and the county that needs the most tiles at once (the usual reason).
 * When every state fits alone but the rollout stalls (states overlapping), the rollout's
 * own least budget is reported against the state it stalled in.
 */
function refusal(plan: Plan, facts: RolloutFacts, dag: Dag, schedule: Schedule, needs: Map<string, number>, alone: (fips: string) => Dag): Refusal {
  const budget = plan.storage.budgetBytes;
  const over: Refusal['states'] = [];
  const stalls = new Map<string, string>();
  const { compressedBytes: c, uncompressedBytes: u } = plan.storage.tileSize;
  for (const s of facts.states) {
    // A state whose every item fits at once (plus one original per job) cannot stall alone.
    const items = [...s.tiles].reduce((sum, t) => sum + (facts.tileIndex.itemsOf(t) ?? 0), 0);
    if (items * u + plan.preprocess.parallelJobs * c <= budget) continue;
    const single = alone(s.fips);
    const run = simulate(single);
    if (!run.stalled) continue;
    const need = leastBudget(single);
    needs.set(s.fips, need);
    const stall = stallOf(single, run);
    if (stall) stalls.set(s.fips, stallText(stall));
    const widest = [...s.counties].sort((a, b) => b.tiles.length - a.tiles.length)[0];
    const county = widest && { fips: widest.fips, name: widest.name, tiles: widest.tiles.length, items: widest.tiles.reduce((sum, t) => sum + (facts.tileIndex.itemsOf(t) ?? 0), 0) };
    over.push({ fips: s.fips, postal: s.postal, needBytes: need, ...(county ? { county } : {}) });
  }
  if (over.length === 0) {
    // Every state fits alone, yet the rollout stalled: name the state that is stuck, not the first one.
    const stall = stallOf(dag, schedule);
    const s = facts.states.find((x) => x.fips === stall?.state) ?? facts.states[0]!;
    if (stall) stalls.set(s.fips, stallText(stall));
    over.push({ fips: s.fips, postal: s.postal, needBytes: leastBudget(dag) });
  }
  const worst = over.reduce((a, b) => (b.needBytes > a.needBytes ? b : a));
  const first = over[0]!;
  const stalled = stalls.has(first.fips) ? `; ${first.postal} ${stalls.get(first.fips)}` : '';
  const why = first.county
    ? `; county ${first.county.fips} ${first.county.name} alone reads ${first.county.tiles} MGRS tiles (${first.county.items.toLocaleString('en-US')} items) at once`
    : '';
  const others = over.length > 1 ? ` (and ${over.slice(1).map((s) => `${s.fips} ${s.postal} ${formatBytes(s.needBytes)}`).join(', ')})` : '';
  return {
    code: 'STORAGE_BUDGET',
    message: `state ${first.fips} (${first.postal}) needs a peak of ${formatBytes(first.needBytes)} but storage.budget is ${formatBytes(budget)}${stalled}${why}${others}`,
    hint: `raise storage.budget to ${formatBytes(roundUp(worst.needBytes))}, or run ${over.map((s) => s.postal).join(', ')} in a plan of ${over.length === 1 ? 'its' : 'their'} own with a larger budget; lowering preprocess.parallel_jobs saves ${formatBytes(plan.storage.tileSize.compressedBytes)} per job`,
    budgetBytes: budget,
    states: over,
  };
}

/** Up to a round figure users can write: 2 significant digits, upwards. */
function roundUp(bytes: number): number {
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(bytes)) - 1);
  return Math.ceil(bytes / magnitude) * magnitude;
}

/** Storage priced on the simulated curve (GB-months, 730 h each), egress on the bytes downloaded. */
function costOf(plan: Plan, schedule: Schedule, downloadedBytes: number): PlanEstimate['cost'] {
  const { storagePerGbMonth, egressPerGb, currency } = plan.costs;
  if (storagePerGbMonth === 0 && egressPerGb === 0) return null;
  let byteMs = 0;
  const curve = schedule.storageCurve;
  for (let i = 0; i < curve.length; i++) {
    const [t, bytes] = curve[i]!;
    const next = curve[i + 1]?.[0] ?? schedule.totalMs;
    byteMs += bytes * (next - t);
  }
  const storageGbMonths = byteMs / 1e9 / (730 * 3_600_000);
  const egressGb = downloadedBytes / 1e9;
  const storage = round2(storageGbMonths * storagePerGbMonth);
  const egress = round2(egressGb * egressPerGb);
  return { currency, storageGbMonths: round2(storageGbMonths), storage, egressGb: round2(egressGb), egress, total: round2(storage + egress) };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
