/**
 * Where a stalled schedule is stuck, in words a refusal can use (issue 13 item 2): the state
 * that stalls (the one whose waiting node comes first), the disk it holds (converted tiles
 * waiting for their counties) and what it waits for.
 */
import { formatBytes } from '../plan/units.js';
import { RESOURCE, type Dag, type PreprocessNode } from './dag.js';
import type { Schedule } from './simulate.js';

export interface Stall {
  state: string;
  /** Bytes on disk when it stalled (all of it, whoever holds it). */
  heldBytes: number;
  /** Distinct tiles with converted items on disk that the stalled state's counties read. */
  tilesHeld: number;
  waitingFor: { id: string; label: string; diskBytes: number; resources: string[] };
}

export function stallOf(dag: Dag, schedule: Schedule): Stall | undefined {
  const first = schedule.stalled?.waiting[0];
  if (!first) return undefined;
  const state = first.node.state;
  const tiles = new Set<string>();
  for (const n of dag.nodes) {
    if (n.kind !== 'preprocess') continue;
    const p = n as PreprocessNode;
    if (p.users.includes(state) && schedule.endMs.has(p.id) && !schedule.endMs.has(p.cleanupId)) tiles.add(`${p.tileId}|${p.making}`);
  }
  const curve = schedule.storageCurve;
  return {
    state,
    heldBytes: curve[curve.length - 1]?.[1] ?? 0,
    tilesHeld: tiles.size,
    waitingFor: {
      id: first.node.id, label: first.node.label, resources: first.resources,
      diskBytes: first.node.claims.filter((c) => c.resource === RESOURCE.disk).reduce((sum, c) => sum + c.amount, 0),
    },
  };
}

/** "stalls holding 198 GB (7 tiles converted, waiting for their counties) while 16TBK items 1-6 waits for 4.75 GB of disk". */
export function stallText(stall: Stall): string {
  const what = stall.waitingFor.diskBytes > 0 && stall.waitingFor.resources.includes(RESOURCE.disk)
    ? `${formatBytes(stall.waitingFor.diskBytes)} of disk` : stall.waitingFor.resources.join(', ');
  return `stalls holding ${formatBytes(stall.heldBytes)} (${stall.tilesHeld} tile${stall.tilesHeld === 1 ? '' : 's'} converted, waiting for their counties) ` +
    `while ${stall.waitingFor.label} waits for ${what}`;
}
