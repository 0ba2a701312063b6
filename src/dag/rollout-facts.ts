/**
 * The facts compile needs from the geography and the inputs, gathered once per plan: each
 * state's counties (with tiles and parcels) and tiles. Pure; the order strategies and the
 * DAG builder work from these, so comparing orders does not ask the geography again.
 */
import type { Plan } from '../plan/plan.js';
import { estimatedTileIndex, type CompileInputs, type DagGeography, type TileIndex } from './compile-inputs.js';
import type { StateFacts } from './rollout-order.js';

export interface CountyFacts {
  fips: string;
  name: string;
  areaKm2: number;
  parcels: number;
  /** True when `parcels` is area x estimates.parcels_per_km2, not a count from the parcel source. */
  parcelsEstimated: boolean;
  tiles: string[];
  /** Bounding-box centre, degrees; longitudes east of 0 are taken as west of -180 (the Aleutians). */
  centre: [number, number];
}

export interface StateRollout extends StateFacts {
  postal: string;
  name: string;
  counties: CountyFacts[];
}

export interface RolloutFacts {
  /** In the plan's order as written. */
  states: StateRollout[];
  tileIndex: TileIndex;
  parcelsSource: string;
}

export function gatherRollout(plan: Plan, geography: DagGeography, inputs: CompileInputs = {}): RolloutFacts {
  const tileIndex = inputs.tiles ?? estimatedTileIndex(plan);
  const only = new Set(plan.rollout.counties);
  const states = plan.rollout.states.map((code): StateRollout => {
    const state = geography.state(code);
    let list = geography.countiesOf(state.fips);
    if (list.some((c) => only.has(c.fips))) list = list.filter((c) => only.has(c.fips));
    const counties = list.map((c): CountyFacts => {
      const counted = inputs.parcels?.countOf(c.fips);
      return {
        fips: c.fips,
        name: c.name,
        areaKm2: c.areaKm2,
        parcels: counted ?? Math.round(c.areaKm2 * plan.estimates.parcelsPerKm2),
        parcelsEstimated: counted === undefined,
        tiles: geography.tilesOfCounty(c.fips),
        centre: boxCentre(c.bbox),
      };
    });
    const tiles = new Set(counties.flatMap((c) => c.tiles));
    const areaKm2 = sum(counties.map((c) => c.areaKm2));
    const weight = areaKm2 > 0 ? areaKm2 : 1;
    return {
      fips: state.fips, postal: state.postal, name: state.name, counties, tiles, areaKm2,
      parcels: sum(counties.map((c) => c.parcels)),
      parcelsEstimated: counties.some((c) => c.parcelsEstimated),
      centre: [
        sum(counties.map((c) => c.centre[0] * (areaKm2 > 0 ? c.areaKm2 : 1))) / (areaKm2 > 0 ? weight : Math.max(1, counties.length)),
        sum(counties.map((c) => c.centre[1] * (areaKm2 > 0 ? c.areaKm2 : 1))) / (areaKm2 > 0 ? weight : Math.max(1, counties.length)),
      ],
    };
  });
  const parcelsSource = inputs.parcels
    ? inputs.parcels.source
    : `estimated (county area x estimates.parcels_per_km2 = ${plan.estimates.parcelsPerKm2})`;
  return { states, tileIndex, parcelsSource };
}

function boxCentre([west, south, east, north]: [number, number, number, number]): [number, number] {
  const w = west > 0 ? west - 360 : west;
  let e = east > 0 ? east - 360 : east;
  if (e < w) e += 360;
  return [(w + e) / 2, (south + north) / 2];
}

function sum(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
