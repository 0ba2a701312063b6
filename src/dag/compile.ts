/**
 * compile(plan, geography, inputs) -> the DAG. Pure: no I/O; everything it reads comes in
 * through its arguments.
 *
 * Shape, per state in rollout order:
 *   index:<S>  ->  preprocess:<tile>/<group> (each group of items of each tile the state makes)  ->  county:<fips>
 *   county:<fips> (all of S)  ->  verify:<S>  ->  cleanup:<S>
 *   county:<fips> (every reader of a tile copy)  ->  cleanup:<tile>
 * A county depends only on its own tiles, so it starts as soon as they are converted. A tile
 * needed by consecutive states in the order is made once, by the first of them, and deleted
 * after its last reader; needed again by a state further on, it is made again (the dry run
 * counts those items "made twice", which the geographic order keeps low). A tile kept for the
 * next state is not kept when keeping it would stall the schedule (buildScheduledDag).
 */
import type { Plan } from '../plan/plan.js';
import { throughputOf, type CompileInputs, type DagGeography, type Throughput } from './compile-inputs.js';
import {
  batchResource, PREPROCESS_GROUP_ITEMS, RESOURCE, type CleanupNode, type CountyNode, type Dag, type DagNode, type IndexNode,
  type PreprocessNode, type StateInfo, type VerifyNode,
} from './dag.js';
import { kindOf } from './kinds/node-kinds.js';
import { gatherRollout, type CountyFacts, type RolloutFacts, type StateRollout } from './rollout-facts.js';
import { orderStates, type RolloutOrder } from './rollout-order.js';
import { simulate, type Schedule } from './simulate.js';

const KIND_RANK = { index: 0, preprocess: 1, county: 2, verify: 3, cleanup: 4 } as const;

/** The DAG of a plan, in the plan's rollout order (or the one given). */
export function compile(plan: Plan, geography: DagGeography, inputs: CompileInputs = {}, order?: RolloutOrder): Dag {
  return buildDag(plan, gatherRollout(plan, geography, inputs), throughputOf(plan, inputs.measured), order ?? plan.rollout.order);
}

/**
 * Builds the DAG from facts already gathered; the dry run calls it once per order it compares.
 *
 * Keeping border tiles (issue 13 item 1): a tile kept for the next state holds disk while the
 * state that made it works through the rest of its counties, and nothing of that state can
 * release it, so at a tight budget the state stalls although it fits alone. The rule: compile
 * with every border tile kept, simulate under storage.budget, and where a state stalls, stop
 * keeping the tiles that hold disk there (first those it keeps for the next state, then those
 * kept for it by the previous one): each is deleted after its last reader in the one state and
 * made again by the other (counted as made twice). Repeat until the schedule finishes or no
 * kept tile is left around the stalled state. A state with nothing kept in or out runs exactly
 * as it runs alone (with parallel_states 1 every earlier state is cleaned up before it starts),
 * and whether a state finishes does not depend on durations (its conversions are admitted in a
 * fixed order, so what it holds when idle depends only on how far it got): so whenever every
 * state fits alone, the rollout finishes, under the executor's real durations too.
 */
export function buildDag(plan: Plan, facts: RolloutFacts, throughput: Throughput, order: RolloutOrder): Dag {
  return buildScheduledDag(plan, facts, throughput, order).dag;
}

/** buildDag, with the schedule simulated under storage.budget that decided which tiles are kept. */
export function buildScheduledDag(plan: Plan, facts: RolloutFacts, throughput: Throughput, order: RolloutOrder): { dag: Dag; schedule: Schedule } {
  const states = orderStates(facts.states, order) as StateRollout[];
  const breaks = new Set<string>(); // `${tile}|${position}`: the copy does not continue into the state at that position
  for (;;) {
    const dag = assemble(plan, facts, throughput, states, breaks);
    const schedule = simulate(dag);
    if (!schedule.stalled || !breakKeeps(dag, schedule, breaks)) return { dag, schedule };
  }
}

/** Adds the keeps to break around the state where the schedule stalled; false when there is none. */
function breakKeeps(dag: Dag, schedule: Schedule, breaks: Set<string>): boolean {
  const stalled = schedule.stalled!.waiting[0]?.node.state;
  if (stalled === undefined) return false;
  const position = new Map(dag.states.map((s) => [s.fips, s.position]));
  const here = position.get(stalled)!;
  const held = dag.nodes.filter((n): n is PreprocessNode =>
    n.kind === 'preprocess' && schedule.endMs.has(n.id) && !schedule.endMs.has(n.cleanupId) && n.users.includes(stalled));
  const out = new Set<string>();
  const into = new Set<string>();
  for (const copy of held) {
    const at = copy.users.indexOf(stalled);
    if (at < copy.users.length - 1) out.add(`${copy.tileId}|${position.get(copy.users[at + 1]!)!}`);
    if (at > 0) into.add(`${copy.tileId}|${here}`);
  }
  const chosen = [...(out.size > 0 ? out : into)].filter((b) => !breaks.has(b));
  for (const b of chosen) breaks.add(b);
  return chosen.length > 0;
}

function assemble(plan: Plan, facts: RolloutFacts, throughput: Throughput, states: StateRollout[], breaks: ReadonlySet<string>): Dag {
  const nodes: DagNode[] = [];
  const position = new Map(states.map((s, i) => [s.fips, i]));
  const preprocessing = plan.tiles.preprocess !== 'never';

  // Which copy of each tile a state reads: runs of consecutive states that use the tile.
  const copyOf = new Map<string, Copy>(); // `${state}|${tile}` -> copy
  const copies: Copy[] = [];
  const notKept = new Map<string, number>(); // state fips -> tiles it shares with the next state but does not keep
  if (preprocessing) {
    const users = new Map<string, number[]>();
    states.forEach((s, i) => { for (const t of s.tiles) (users.get(t) ?? users.set(t, []).get(t)!).push(i); });
    const tileRank = sweepRanks(states);
    for (const [tileId, positions] of users) {
      let making = 0;
      for (let k = 0; k < positions.length; k++) {
        const consecutive = k > 0 && positions[k]! === positions[k - 1]! + 1;
        if (consecutive && !breaks.has(`${tileId}|${positions[k]!}`)) {
          const copy = copies[copies.length - 1]!;
          copy.users.push(states[positions[k]!]!.fips);
          copyOf.set(`${states[positions[k]!]!.fips}|${tileId}`, copy);
          continue;
        }
        if (consecutive) {
          const before = states[positions[k - 1]!]!.fips;
          notKept.set(before, (notKept.get(before) ?? 0) + 1);
        }
        making++;
        const maker = states[positions[k]!]!;
        const suffix = making === 1 ? '' : `#${making}`;
        const copy: Copy = {
          tileId, suffix, making, maker: maker.fips, users: [maker.fips], items: facts.tileIndex.itemsOf(tileId) ?? 0,
          sweep: tileRank.get(`${maker.fips}|${tileId}`) ?? 0, position: positions[k]!, groups: [],
        };
        copies.push(copy);
        copyOf.set(`${maker.fips}|${tileId}`, copy);
      }
    }
    const rates = {
      downloadMsPerItem: (plan.storage.tileSize.compressedBytes / throughput.downloadBytesPerSecond.value) * 1000,
      convertMsPerItem: throughput.preprocessTimeMs.value,
    };
    for (const copy of copies) copy.groups = groupsOf(copy, rates);
  }

  const readers = new Map<Copy, string[]>(); // copy -> county ids
  const infos: StateInfo[] = [];
  states.forEach((s, i) => {
    const cleanupId = `cleanup:${s.fips}`;
    const index: IndexNode = {
      id: `index:${s.fips}`, kind: 'index', state: s.fips, label: `${s.fips} ${s.postal} index`, deps: [],
      priority: rank(i, 'index', 0), durationMs: 0, claims: [], tiles: s.tiles.size, cleanupId,
    };
    nodes.push(index);
    const counties = countyOrder(s.counties, plan.processing.countyOrder).map((c, k): CountyNode => {
      const tileCopies = preprocessing ? c.tiles.map((t) => copyOf.get(`${s.fips}|${t}`)!) : [];
      const id = `county:${c.fips}`;
      for (const copy of tileCopies) (readers.get(copy) ?? readers.set(copy, []).get(copy)!).push(id);
      return {
        id, kind: 'county', state: s.fips, label: `${c.fips} ${c.name}`, deps: [index.id, ...tileCopies.flatMap((copy) => copy.groups.map((g) => g.id))],
        priority: rank(i, 'county', k), durationMs: 0, claims: [], fips: c.fips, name: c.name, areaKm2: c.areaKm2,
        parcels: c.parcels, parcelsEstimated: c.parcelsEstimated, tiles: c.tiles,
      };
    });
    const verify: VerifyNode = {
      id: `verify:${s.fips}`, kind: 'verify', state: s.fips, label: `${s.fips} ${s.postal} verify`,
      deps: counties.map((c) => c.id), priority: rank(i, 'verify', 0), durationMs: 0, claims: [], counties: counties.length,
    };
    const made = copies.filter((p) => p.maker === s.fips);
    // The state's cleanup waits for the deletion of every tile copy whose last reader is here.
    const lastReadHere = copies.filter((p) => p.users[p.users.length - 1] === s.fips).map((p) => cleanupIdOf(p));
    const cleanup: CleanupNode = {
      id: cleanupId, kind: 'cleanup', state: s.fips, label: `${s.fips} ${s.postal} cleanup`, scope: 'state',
      deps: [verify.id, ...lastReadHere], priority: rank(i, 'cleanup', 0), durationMs: 0, claims: [],
    };
    nodes.push(...made.flatMap((p) => p.groups), ...counties, verify, cleanup);
    infos.push({
      fips: s.fips, postal: s.postal, name: s.name, position: i, counties: s.counties.length, areaKm2: s.areaKm2,
      parcels: s.parcels, parcelsEstimated: s.parcelsEstimated, tiles: [...s.tiles].sort(),
      tilesReused: preprocessing ? [...s.tiles].filter((t) => copyOf.get(`${s.fips}|${t}`)!.maker !== s.fips).length : 0,
      tilesNotKept: notKept.get(s.fips) ?? 0,
    });
  });
  for (const copy of copies) {
    const last = copy.users[copy.users.length - 1]!;
    nodes.push({
      id: cleanupIdOf(copy), kind: 'cleanup', state: last, label: `${copy.tileId}${copy.suffix} cleanup`,
      scope: 'tile', tileId: copy.tileId, deps: readers.get(copy) ?? [],
      priority: rank(position.get(last)!, 'cleanup', 0), durationMs: 0, claims: [],
    });
  }

  const context = { plan, throughput };
  for (const node of nodes) {
    const estimate = kindOf(node).estimate(node, context);
    node.durationMs = estimate.durationMs;
    node.claims = estimate.claims;
  }
  const capacities: Record<string, number> = {
    [RESOURCE.disk]: plan.storage.budgetBytes,
    [RESOURCE.states]: plan.rollout.parallelStates,
    [RESOURCE.jobs]: plan.preprocess.parallelJobs,
    [RESOURCE.pool]: plan.database.pool.max,
  };
  for (const s of states) capacities[batchResource(s.fips)] = plan.processing.parallelBatches;
  return {
    nodes, byId: new Map(nodes.map((n) => [n.id, n])), states: infos,
    itemsPerTile: facts.tileIndex.itemsOf(states[0]?.counties[0]?.tiles[0] ?? '') ?? 0, capacities,
  };
}

/** One copy of a tile: made by one state, read by a run of consecutive states, deleted once. */
interface Copy {
  tileId: string;
  /** '' for the first copy, '#2' for the second, ... */
  suffix: string;
  making: number;
  maker: string;
  users: string[];
  items: number;
  /** Rank of the tile in its maker's sweep. */
  sweep: number;
  /** Position of the maker in the rollout order. */
  position: number;
  groups: PreprocessNode[];
}

function cleanupIdOf(copy: Copy): string {
  return `cleanup:${copy.tileId}${copy.suffix}`;
}

/** The preprocess nodes of a copy: its items in groups of PREPROCESS_GROUP_ITEMS, in acquisition order. */
function groupsOf(copy: Copy, rates: Pick<PreprocessNode, 'downloadMsPerItem' | 'convertMsPerItem'>): PreprocessNode[] {
  const count = Math.max(1, Math.ceil(copy.items / PREPROCESS_GROUP_ITEMS));
  return Array.from({ length: count }, (_, g): PreprocessNode => {
    const firstItem = g * PREPROCESS_GROUP_ITEMS;
    const items = Math.max(0, Math.min(PREPROCESS_GROUP_ITEMS, copy.items - firstItem));
    return {
      id: `preprocess:${copy.tileId}${copy.suffix}/${g}`, kind: 'preprocess', state: copy.maker,
      label: `${copy.tileId}${copy.suffix} items ${firstItem + 1}-${firstItem + items}`, deps: [`index:${copy.maker}`],
      priority: rank(copy.position, 'preprocess', copy.sweep * 1000 + g), durationMs: 0, claims: [],
      tileId: copy.tileId, group: g, firstItem, items, lastGroup: g === count - 1, making: copy.making,
      users: copy.users, cleanupId: cleanupIdOf(copy), ...rates,
    };
  });
}

function rank(position: number, kind: keyof typeof KIND_RANK, seq: number): number {
  return position * 10_000_000 + KIND_RANK[kind] * 1_000_000 + seq;
}

function countyOrder(counties: CountyFacts[], order: Plan['processing']['countyOrder']): CountyFacts[] {
  const sorted = [...counties];
  if (order === 'fips') return sorted.sort((a, b) => a.fips.localeCompare(b.fips));
  const sign = order === 'largest-first' ? -1 : 1;
  return sorted.sort((a, b) => sign * (a.parcels - b.parcels) || a.fips.localeCompare(b.fips));
}

/**
 * The order a state's tiles are converted in: a sweep along the state's longer axis, each
 * tile ranked by the first county (in sweep order) that needs it. Counties then complete
 * behind the sweep and free their tiles, so the state holds a band of tiles, not all of them.
 */
function sweepRanks(states: StateRollout[]): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const s of states) {
    const lons = s.counties.map((c) => c.centre[0]);
    const lats = s.counties.map((c) => c.centre[1]);
    const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
    const lonKm = (Math.max(...lons) - Math.min(...lons)) * Math.cos((midLat * Math.PI) / 180);
    const latKm = Math.max(...lats) - Math.min(...lats);
    const [major, minor] = lonKm >= latKm ? [0, 1] : [1, 0];
    const swept = [...s.counties].sort((a, b) => a.centre[major]! - b.centre[major]! || a.centre[minor]! - b.centre[minor]!);
    let next = 0;
    for (const c of swept) {
      for (const t of c.tiles) {
        const key = `${s.fips}|${t}`;
        if (!ranks.has(key)) ranks.set(key, next++);
      }
    }
  }
  return ranks;
}
