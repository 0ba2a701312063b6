/**
 * compile(plan, geography, inputs) -> the DAG. Pure: no I/O; everything it reads comes in
 * through its arguments.
 *
 * Shape, per state in rollout order:
 *   index:<S>  ->  preprocess:<tile> (for each tile the state makes)  ->  county:<fips>
 *   county:<fips> (all of S)  ->  verify:<S>  ->  cleanup:<S>
 *   county:<fips> (every reader of a tile copy)  ->  cleanup:<tile>
 * A county depends only on its own tiles, so it starts as soon as they are converted. A tile
 * needed by consecutive states in the order is made once, by the first of them, and deleted
 * after its last reader; needed again by a state further on, it is made again (the dry run
 * counts those items "made twice", which the geographic order keeps low).
 */
import type { Plan } from '../plan/plan.js';
import { throughputOf, type CompileInputs, type DagGeography, type Throughput } from './compile-inputs.js';
import {
  batchResource, RESOURCE, type CleanupNode, type CountyNode, type Dag, type DagNode, type IndexNode,
  type PreprocessNode, type StateInfo, type VerifyNode,
} from './dag.js';
import { kindOf } from './kinds/node-kinds.js';
import { gatherRollout, type CountyFacts, type RolloutFacts, type StateRollout } from './rollout-facts.js';
import { orderStates, type RolloutOrder } from './rollout-order.js';

const KIND_RANK = { index: 0, preprocess: 1, county: 2, verify: 3, cleanup: 4 } as const;

/** The DAG of a plan, in the plan's rollout order (or the one given). */
export function compile(plan: Plan, geography: DagGeography, inputs: CompileInputs = {}, order?: RolloutOrder): Dag {
  return buildDag(plan, gatherRollout(plan, geography, inputs), throughputOf(plan, inputs.measured), order ?? plan.rollout.order);
}

/** Builds the DAG from facts already gathered; the dry run calls it once per order it compares. */
export function buildDag(plan: Plan, facts: RolloutFacts, throughput: Throughput, order: RolloutOrder): Dag {
  const states = orderStates(facts.states, order) as StateRollout[];
  const nodes: DagNode[] = [];
  const position = new Map(states.map((s, i) => [s.fips, i]));
  const preprocessing = plan.tiles.preprocess !== 'never';

  // Which copy of each tile a state reads: runs of consecutive states that use the tile.
  const copyOf = new Map<string, string>(); // `${state}|${tile}` -> preprocess node id
  const copies: PreprocessNode[] = [];
  if (preprocessing) {
    const users = new Map<string, number[]>();
    states.forEach((s, i) => { for (const t of s.tiles) (users.get(t) ?? users.set(t, []).get(t)!).push(i); });
    const tileRank = sweepRanks(states);
    for (const [tileId, positions] of users) {
      let making = 0;
      for (let k = 0; k < positions.length; k++) {
        if (k > 0 && positions[k]! === positions[k - 1]! + 1) {
          const node = copies[copies.length - 1]!;
          node.users.push(states[positions[k]!]!.fips);
          copyOf.set(`${states[positions[k]!]!.fips}|${tileId}`, node.id);
          continue;
        }
        making++;
        const maker = states[positions[k]!]!;
        const suffix = making === 1 ? '' : `#${making}`;
        const items = facts.tileIndex.itemsOf(tileId) ?? 0;
        const node: PreprocessNode = {
          id: `preprocess:${tileId}${suffix}`, kind: 'preprocess', state: maker.fips,
          label: `${tileId}${suffix} (${items} items)`, deps: [`index:${maker.fips}`],
          priority: rank(positions[k]!, 'preprocess', tileRank.get(`${maker.fips}|${tileId}`) ?? 0),
          durationMs: 0, claims: [], tileId, items, making, users: [maker.fips], cleanupId: `cleanup:${tileId}${suffix}`,
        };
        copies.push(node);
        copyOf.set(`${maker.fips}|${tileId}`, node.id);
      }
    }
  }

  const makerOf = new Map(copies.map((p) => [p.id, p.state]));
  const readers = new Map<string, string[]>(); // preprocess id -> county ids
  const infos: StateInfo[] = [];
  states.forEach((s, i) => {
    const cleanupId = `cleanup:${s.fips}`;
    const index: IndexNode = {
      id: `index:${s.fips}`, kind: 'index', state: s.fips, label: `${s.fips} ${s.postal} index`, deps: [],
      priority: rank(i, 'index', 0), durationMs: 0, claims: [], tiles: s.tiles.size, cleanupId,
    };
    nodes.push(index);
    const counties = countyOrder(s.counties, plan.processing.countyOrder).map((c, k): CountyNode => {
      const tileDeps = preprocessing ? c.tiles.map((t) => copyOf.get(`${s.fips}|${t}`)!) : [];
      const id = `county:${c.fips}`;
      for (const dep of tileDeps) (readers.get(dep) ?? readers.set(dep, []).get(dep)!).push(id);
      return {
        id, kind: 'county', state: s.fips, label: `${c.fips} ${c.name}`, deps: [index.id, ...tileDeps],
        priority: rank(i, 'county', k), durationMs: 0, claims: [], fips: c.fips, name: c.name, areaKm2: c.areaKm2,
        parcels: c.parcels, parcelsEstimated: c.parcelsEstimated, tiles: c.tiles,
      };
    });
    const verify: VerifyNode = {
      id: `verify:${s.fips}`, kind: 'verify', state: s.fips, label: `${s.fips} ${s.postal} verify`,
      deps: counties.map((c) => c.id), priority: rank(i, 'verify', 0), durationMs: 0, claims: [], counties: counties.length,
    };
    const made = copies.filter((p) => p.state === s.fips);
    // The state's cleanup waits for the deletion of every tile copy whose last reader is here.
    const lastReadHere = copies.filter((p) => p.users[p.users.length - 1] === s.fips).map((p) => p.cleanupId);
    const cleanup: CleanupNode = {
      id: cleanupId, kind: 'cleanup', state: s.fips, label: `${s.fips} ${s.postal} cleanup`, scope: 'state',
      deps: [verify.id, ...lastReadHere], priority: rank(i, 'cleanup', 0), durationMs: 0, claims: [],
    };
    nodes.push(...made, ...counties, verify, cleanup);
    infos.push({
      fips: s.fips, postal: s.postal, name: s.name, position: i, counties: s.counties.length, areaKm2: s.areaKm2,
      parcels: s.parcels, parcelsEstimated: s.parcelsEstimated, tiles: [...s.tiles].sort(),
      tilesReused: preprocessing ? [...s.tiles].filter((t) => makerOf.get(copyOf.get(`${s.fips}|${t}`)!) !== s.fips).length : 0,
    });
  });
  for (const copy of copies) {
    nodes.push({
      id: copy.cleanupId, kind: 'cleanup', state: copy.users[copy.users.length - 1]!, label: `${copy.tileId} cleanup`,
      scope: 'tile', tileId: copy.tileId, deps: readers.get(copy.id) ?? [],
      priority: rank(position.get(copy.users[copy.users.length - 1]!)!, 'cleanup', 0), durationMs: 0, claims: [],
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
