/**
 * The dry run's clock: drives the scheduler with each node's estimated duration, so the
 * schedule the dry run reports is the one the scheduler will make. Pure.
 */
import { RESOURCE, type Dag, type DagNode } from './dag.js';
import { preprocessMs } from './kinds/preprocess-kind.js';
import { Scheduler } from './scheduler.js';

/** A span of disk held by one claim of one node. */
export interface DiskSpan {
  nodeId: string;
  bytes: number;
  fromMs: number;
  toMs: number;
}

export interface Schedule {
  startMs: Map<string, number>;
  endMs: Map<string, number>;
  /** Disk in use after each change: [time ms, bytes], time ascending. */
  storageCurve: Array<[number, number]>;
  diskSpans: DiskSpan[];
  /** The most of each resource in use at once. */
  peaks: Record<string, number>;
  totalMs: number;
  /** Present when the schedule stalled: nothing running, and what waits cannot get its claims. */
  stalled?: { atMs: number; waiting: Array<{ node: DagNode; resources: string[] }> };
}

export function simulate(dag: Dag, capacities: Record<string, number> = dag.capacities): Schedule {
  let now = 0;
  const startMs = new Map<string, number>();
  const endMs = new Map<string, number>();
  const storageCurve: Array<[number, number]> = [[0, 0]];
  const diskSpans: DiskSpan[] = [];
  const open = new Map<object, number>();
  let disk = 0;
  const record = () => {
    const last = storageCurve[storageCurve.length - 1]!;
    if (last[0] === now) last[1] = disk;
    else if (last[1] !== disk) storageCurve.push([now, disk]);
  };
  const scheduler = new Scheduler(dag, capacities, {
    onTake: ({ claim }) => {
      if (claim.resource !== RESOURCE.disk) return;
      disk += claim.amount;
      open.set(claim, now);
      record();
    },
    onGive: ({ node, claim }) => {
      if (claim.resource !== RESOURCE.disk) return;
      disk -= claim.amount;
      diskSpans.push({ nodeId: node.id, bytes: claim.amount, fromMs: open.get(claim) ?? now, toMs: now });
      open.delete(claim);
      record();
    },
  });
  const events = new EventQueue();
  const start = () => {
    const started = scheduler.admit();
    // Conversions share the download rate among the jobs running now, not among parallel_jobs.
    const jobs = scheduler.inUse(RESOURCE.jobs);
    for (const node of started) {
      startMs.set(node.id, now);
      events.push(now + (node.kind === 'preprocess' ? preprocessMs(node, jobs) : node.durationMs), node);
    }
  };
  start();
  for (let next = events.pop(); next; next = events.pop()) {
    now = next.time;
    endMs.set(next.node.id, now);
    scheduler.finish(next.node.id);
    // Finish everything due at the same instant before admitting, so admission sees all the space freed.
    while (events.peekTime() === now) {
      const same = events.pop()!;
      endMs.set(same.node.id, now);
      scheduler.finish(same.node.id);
    }
    start();
  }
  const schedule: Schedule = { startMs, endMs, storageCurve, diskSpans, peaks: scheduler.peaks(), totalMs: now };
  if (!scheduler.done) schedule.stalled = { atMs: now, waiting: scheduler.blockedOn() };
  return schedule;
}

interface Event {
  time: number;
  node: DagNode;
}

/** A binary min-heap on (time, priority), so equal times resolve the same way every run. */
class EventQueue {
  private readonly heap: Event[] = [];

  push(time: number, node: DagNode): void {
    const heap = this.heap;
    heap.push({ time, node });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  peekTime(): number | undefined {
    return this.heap[0]?.time;
  }

  pop(): Event | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Event, b: Event): boolean {
  return a.time < b.time || (a.time === b.time && a.node.priority < b.node.priority);
}
