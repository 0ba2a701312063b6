/**
 * Small builders for DAG tests: a plan from YAML text (the real loader), a synthetic
 * geography, and DAGs of a few nodes built by hand.
 */
import type { Claim, Dag, DagNode, StateInfo } from '../../src/dag/dag.js';
import { parsePlan } from '../../src/plan/parse-plan.js';
import type { Plan } from '../../src/plan/plan.js';
import type { DagGeography } from '../../src/dag/compile-inputs.js';

/** A plan with the given YAML sections merged over a small offline plan. */
export function planOf(overrides: { states?: string[]; storage?: string; preprocess?: string; estimates?: string; rollout?: string; processing?: string; costs?: string; tiles?: string } = {}): Plan {
  const text = [
    'version: 1',
    'name: test-plan',
    'season: { start: 2024-04-01, end: 2024-09-30 }',
    'sources:',
    `  tiles: ${overrides.tiles ?? '{ uri: "estimated:", preprocess: always }'}`,
    '  parcels: { uri: "parcels.gpkg", layer: parcels }',
    `storage: ${overrides.storage ?? '{ min_free: 1GB, budget: 1.5TB, tile_size: { compressed: 250MB, uncompressed: 750MB } }'}`,
    `preprocess: ${overrides.preprocess ?? '{ parallel_jobs: 2 }'}`,
    `processing: ${overrides.processing ?? '{ batch_size: 100, parallel_batches: 2 }'}`,
    `estimates: ${overrides.estimates ?? '{ acquisitions_per_tile: 10 }'}`,
    ...(overrides.costs ? [`costs: ${overrides.costs}`] : []),
    `rollout: ${overrides.rollout ?? `{ states: ${JSON.stringify(overrides.states ?? ['17'])} }`}`,
  ].join('\n');
  const loaded = parsePlan('test.yaml', text, { env: {}, machineChecks: 'skip', cwd: '/tmp' });
  if (!loaded.plan) throw new Error(`test plan invalid: ${loaded.problems.map((p) => p.message).join('; ')}`);
  return loaded.plan;
}

export interface ToyCounty {
  fips: string;
  tiles: string[];
  areaKm2?: number;
  /** Bounding-box centre, lon/lat. */
  at?: [number, number];
}

const NAMES: Record<string, [string, string]> = {
  '17': ['IL', 'Illinois'], '18': ['IN', 'Indiana'], '19': ['IA', 'Iowa'], '29': ['MO', 'Missouri'], '55': ['WI', 'Wisconsin'],
};

/**
 * A synthetic geography (a fake of src/geo/geography.ts, labelled as such): counties with
 * made-up tiles, areas and centres; states are the first two digits of their FIPS.
 *
 * Why: scheduler and DAG properties (budgets, parallelism, stalls, border tiles, rollout
 * order, the seed storage table) need exact shapes (a county with 5 tiles, 40 tiles of one
 * county each, two states 1 degree apart) that no real state has, and round numbers the
 * assertions can state. Every behaviour tested on it is also tested on the real us-atlas
 * geography in real-geography.test.ts.
 */
export function toyGeography(counties: ToyCounty[]): DagGeography & { calls: number } {
  const geo = {
    calls: 0,
    state(code: string) {
      const [postal, name] = NAMES[code] ?? ['XX', `State ${code}`];
      return { fips: code, postal, name };
    },
    countiesOf(stateFips: string) {
      geo.calls++;
      return counties.filter((c) => c.fips.startsWith(stateFips)).map((c) => {
        const [lon, lat] = c.at ?? [-89, 40];
        return { fips: c.fips, name: `County ${c.fips}`, stateFips, areaKm2: c.areaKm2 ?? 1000, bbox: [lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1] as [number, number, number, number] };
      });
    },
    tilesOfCounty(fips: string) {
      geo.calls++;
      return counties.find((c) => c.fips === fips)!.tiles;
    },
  };
  return geo;
}

/** Tile ids T00..T(n-1). */
export function tiles(n: number, prefix = 'T'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
}

export type HandNode = {
  id: string;
  state?: string;
  priority?: number;
  deps?: string[];
  claims?: Claim[];
  durationMs?: number;
  /** Fields of another kind (a preprocess node's tile, items and rates); verify by default. */
  extra?: Record<string, unknown>;
};

/**
 * A DAG of hand-built nodes in the given states' order: a synthetic stand-in (no geography, no
 * plan) so that a rule of the scheduler or the simulation has a test whose nodes exercise it
 * and nothing else. The same rules on compiled plans of the real geography:
 * real-geography.test.ts and rollout-deadlock.test.ts.
 */
export function handBuiltDag(specs: HandNode[], capacities: Record<string, number>, states = ['17', '18']): Dag {
  const nodes = specs.map((s) => ({
    id: s.id, kind: 'verify', state: s.state ?? '17', label: s.id, deps: s.deps ?? [], priority: s.priority ?? 0,
    durationMs: s.durationMs ?? 1, claims: s.claims ?? [], counties: 0, ...s.extra,
  })) as DagNode[];
  const stateInfo = states.map((fips, position) => ({ fips, postal: fips, name: fips, position, counties: 0, areaKm2: 0, parcels: 0, parcelsEstimated: false, tiles: [], tilesReused: 0, tilesNotKept: 0 } satisfies StateInfo));
  return { nodes, byId: new Map(nodes.map((n) => [n.id, n])), states: stateInfo, itemsPerTile: 1, capacities };
}
