/**
 * Rollout order strategies: the plan's list as written, largest first (by parcels when the
 * parcel source gave every count, else by area), and geographic (each next state is the
 * unvisited one sharing the most MGRS tiles with the current one, so border tiles are read
 * again while still on disk; ties and islands go to the nearest centre).
 */

export type RolloutOrder = 'plan' | 'largest-first' | 'geographic';

export const ROLLOUT_ORDERS: readonly RolloutOrder[] = ['plan', 'largest-first', 'geographic'];

/** What an order strategy knows of a state. */
export interface StateFacts {
  fips: string;
  areaKm2: number;
  parcels: number;
  parcelsEstimated: boolean;
  tiles: ReadonlySet<string>;
  /** Area-weighted centre of its counties, degrees [lon, lat]. */
  centre: [number, number];
}

/** The states (given in plan order) in the order the strategy runs them. Pure. */
export function orderStates(states: readonly StateFacts[], order: RolloutOrder): StateFacts[] {
  if (order === 'plan') return [...states];
  if (order === 'largest-first') {
    const byParcels = states.every((s) => !s.parcelsEstimated);
    const size = (s: StateFacts) => (byParcels ? s.parcels : s.areaKm2);
    return [...states].sort((a, b) => size(b) - size(a) || a.fips.localeCompare(b.fips));
  }
  return geographicChain(states);
}

/** How largest-first measured size, for the output. */
export function largestFirstBasis(states: readonly StateFacts[]): 'parcels' | 'area' {
  return states.every((s) => !s.parcelsEstimated) ? 'parcels' : 'area';
}

function geographicChain(states: readonly StateFacts[]): StateFacts[] {
  if (states.length === 0) return [];
  const left = new Set(states.slice(1));
  const out = [states[0]!];
  while (left.size > 0) {
    const current = out[out.length - 1]!;
    let best: StateFacts | undefined;
    let bestShared = -1;
    let bestDistance = Infinity;
    for (const candidate of left) {
      let shared = 0;
      for (const tile of candidate.tiles) if (current.tiles.has(tile)) shared++;
      const distance = degreesApart(current.centre, candidate.centre);
      if (shared > bestShared || (shared === bestShared && distance < bestDistance)) {
        best = candidate;
        bestShared = shared;
        bestDistance = distance;
      }
    }
    out.push(best!);
    left.delete(best!);
  }
  return out;
}

/** Great-circle angle between two lon/lat points, degrees; enough to rank neighbours. */
function degreesApart(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const [lon1, lat1] = [a[0] * rad, a[1] * rad];
  const [lon2, lat2] = [b[0] * rad, b[1] * rad];
  const cos = Math.sin(lat1) * Math.sin(lat2) + Math.cos(lat1) * Math.cos(lat2) * Math.cos(lon1 - lon2);
  return Math.acos(Math.min(1, Math.max(-1, cos))) / rad;
}
