/** Reads a simulated schedule back per state: windows, spans, storage peaks, the critical path. */
import type { Plan } from '../plan/plan.js';
import type { Dag, DagNode, PreprocessNode } from './dag.js';
import type { StateEstimate } from './plan-estimate.js';
import type { Schedule } from './simulate.js';

export function stateEstimates(plan: Plan, dag: Dag, schedule: Schedule): StateEstimate[] {
  const { compressedBytes: c, uncompressedBytes: u } = plan.storage.tileSize;
  const itemsOfTile = new Map<string, number>();
  const preprocess = dag.nodes.filter((n): n is PreprocessNode => n.kind === 'preprocess');
  for (const p of preprocess) if (p.making === 1) itemsOfTile.set(p.tileId, (itemsOfTile.get(p.tileId) ?? 0) + p.items);
  const peaks = statePeaks(dag, schedule);
  return dag.states.map((s) => {
    const own = dag.nodes.filter((n) => n.state === s.fips);
    const made = own.filter((n): n is PreprocessNode => n.kind === 'preprocess');
    const counties = own.filter((n) => n.kind === 'county');
    const items = s.tiles.reduce((sum, t) => sum + (itemsOfTile.get(t) ?? dag.itemsPerTile), 0);
    return {
      fips: s.fips, postal: s.postal, name: s.name, position: s.position, counties: s.counties,
      parcels: s.parcels, parcelsEstimated: s.parcelsEstimated, tiles: s.tiles.length, tilesReused: s.tilesReused, tilesNotKept: s.tilesNotKept,
      items, itemsMade: made.reduce((sum, p) => sum + p.items, 0),
      compressedBytes: items * c, uncompressedBytes: items * u, seedPeakBytes: items * (c + u),
      peakBytes: peaks.get(s.fips) ?? 0,
      preprocessMs: span(made, schedule), countiesMs: span(counties, schedule),
      startMs: schedule.startMs.get(`index:${s.fips}`) ?? 0,
      endMs: schedule.endMs.get(`cleanup:${s.fips}`) ?? schedule.totalMs,
    };
  });
}

function span(nodes: DagNode[], schedule: Schedule): number {
  if (nodes.length === 0) return 0;
  let first = Infinity;
  let last = -Infinity;
  for (const n of nodes) {
    first = Math.min(first, schedule.startMs.get(n.id) ?? Infinity);
    last = Math.max(last, schedule.endMs.get(n.id) ?? -Infinity);
  }
  return Number.isFinite(first) && Number.isFinite(last) ? last - first : 0;
}

/**
 * Per state, the most bytes on disk at once of the tile copies its counties read (a copy
 * shared by two consecutive states counts for both). Releases at an instant come before
 * takes, as in the scheduler.
 */
function statePeaks(dag: Dag, schedule: Schedule): Map<string, number> {
  const changes = new Map<string, Array<[number, number]>>();
  for (const spanOf of schedule.diskSpans) {
    const node = dag.byId.get(spanOf.nodeId);
    if (node?.kind !== 'preprocess') continue;
    for (const user of node.users) {
      const list = changes.get(user) ?? changes.set(user, []).get(user)!;
      list.push([spanOf.fromMs, spanOf.bytes], [spanOf.toMs, -spanOf.bytes]);
    }
  }
  const peaks = new Map<string, number>();
  for (const [state, list] of changes) {
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let peak = 0;
    for (const [, delta] of list) {
      now += delta;
      peak = Math.max(peak, now);
    }
    peaks.set(state, peak);
  }
  return peaks;
}

/**
 * The chain that ends last: from the last node to finish, back through the dependency that
 * finished last, or, where a node started later than all its dependencies (it waited for a
 * resource), through the node whose end freed it.
 */
export function criticalPath(dag: Dag, schedule: Schedule): DagNode[] {
  let last: DagNode | undefined;
  for (const n of dag.nodes) {
    const end = schedule.endMs.get(n.id);
    if (end !== undefined && (!last || end > schedule.endMs.get(last.id)! || (end === schedule.endMs.get(last.id)! && n.priority > last.priority))) last = n;
  }
  const endingAt = new Map<number, DagNode[]>();
  for (const n of dag.nodes) {
    const end = schedule.endMs.get(n.id);
    if (end !== undefined) (endingAt.get(end) ?? endingAt.set(end, []).get(end)!).push(n);
  }
  const path: DagNode[] = [];
  const seen = new Set<string>();
  for (let node = last; node && !seen.has(node.id); ) {
    seen.add(node.id);
    path.push(node);
    const start = schedule.startMs.get(node.id) ?? 0;
    if (start <= 0) break;
    let dep: DagNode | undefined;
    for (const d of node.deps) {
      const candidate = dag.byId.get(d)!;
      if (!dep || schedule.endMs.get(d)! > schedule.endMs.get(dep.id)!) dep = candidate;
    }
    if (dep && schedule.endMs.get(dep.id) === start) {
      node = dep;
      continue;
    }
    // Waited for a resource: the releasing node ended at this start; prefer one of the same kind.
    const freed = (endingAt.get(start) ?? []).filter((n) => !seen.has(n.id));
    node = freed.find((n) => n.kind === node!.kind) ?? freed.sort((a, b) => b.priority - a.priority)[0] ?? dep;
  }
  return path.reverse();
}
