/**
 * The scheduler: admits ready nodes, in priority order, while their resource claims fit.
 * It has no clock and does no I/O: the dry run drives it with simulated time (simulate.ts)
 * and the executor will drive it with real completions, so the estimate is the schedule
 * that will happen.
 *
 * Admission keeps order per resource: once a node waits for a resource, no later node may
 * take that resource ahead of it (a small conversion cannot starve a big one, and a later
 * state cannot take the disk an earlier state is waiting for).
 *
 * Disk is admitted in state order (issue 13 item 1): a node of a state claims disk only once
 * every earlier state of the rollout has started all of its disk-claiming nodes, ready or not
 * (`waiting()` lists such a node, `blockedOn()` names `disk` for it). Otherwise a later state
 * whose index finished first could take disk an earlier state needs later, while the earlier
 * state holds tiles the later one can never free: a deadlock with parallel_states > 1. With the
 * rule, a state never waits on disk held by a later one, so each state finishes as it would
 * after its predecessors (compile.ts decides which border tiles are kept so that it does).
 * Before this rule the public API was the same; only admission under parallel_states > 1 changed.
 */
import { RESOURCE, type Claim, type Dag, type DagNode } from './dag.js';

export interface ClaimEvent {
  node: DagNode;
  claim: Claim;
}

export interface SchedulerHooks {
  /** A claim was taken (the node started). */
  onTake?(event: ClaimEvent): void;
  /** A claim was given back (its node, or the last node of its `until`, finished). */
  onGive?(event: ClaimEvent): void;
}

interface Hold {
  node: DagNode;
  claim: Claim;
  waiting: Set<string>;
}

export class Scheduler {
  private readonly capacity: Record<string, number>;
  private readonly used = new Map<string, number>();
  private readonly peakUse = new Map<string, number>();
  private readonly depsLeft = new Map<string, number>();
  private readonly dependents = new Map<string, string[]>();
  private readonly finished = new Set<string>();
  private readonly running = new Set<string>();
  private readonly holdsByUntil = new Map<string, Hold[]>();
  /**
   * Ready nodes, one queue per resource signature (the resources a node wants, and its state when
   * it wants disk), each in (priority, readied) order. Nodes of one signature fail together (the
   * first that waits blocks the resources all the others want), so admit() looks only at the
   * head of each queue: the same admissions as scanning every ready node, without the scan.
   */
  private readonly queues = new Map<string, DagNode[]>();
  private readonly signature = new Map<string, string>();
  private readonly readiedAt = new Map<string, number>();
  private readied = 0;
  /** Each node's claims summed per resource, computed once. */
  private readonly wants = new Map<string, Array<[string, number]>>();
  /** Per state position: disk-claiming nodes not started yet. */
  private readonly diskPending: number[];
  private readonly positionOf = new Map<string, number>();
  /** The first state position with disk-claiming nodes not started; later states may not take disk. */
  private diskTurn = 0;

  constructor(private readonly dag: Dag, capacities: Record<string, number> = dag.capacities, private readonly hooks: SchedulerHooks = {}) {
    this.capacity = { ...capacities };
    dag.states.forEach((s, i) => this.positionOf.set(s.fips, i));
    this.diskPending = dag.states.map(() => 0);
    for (const node of dag.nodes) {
      if (node.claims.some((c) => c.resource === RESOURCE.disk)) this.diskPending[this.positionOf.get(node.state) ?? 0]!++;
      const wants = [...totals(node.claims)];
      this.wants.set(node.id, wants);
      const resources = wants.map(([r]) => r).sort();
      this.signature.set(node.id, `${resources.join(',')}${resources.includes(RESOURCE.disk) ? `|${node.state}` : ''}`);
      this.depsLeft.set(node.id, node.deps.length);
      for (const dep of node.deps) (this.dependents.get(dep) ?? this.dependents.set(dep, []).get(dep)!).push(node.id);
    }
    while (this.diskTurn < this.diskPending.length - 1 && this.diskPending[this.diskTurn] === 0) this.diskTurn++;
    for (const node of dag.nodes) if (node.deps.length === 0) this.insertReady(node);
  }

  /** Changes a capacity, e.g. disk when live free space moves (the executor's case). */
  setCapacity(resource: string, amount: number): void {
    this.capacity[resource] = amount;
  }

  inUse(resource: string): number {
    return this.used.get(resource) ?? 0;
  }

  /** The most of each resource in use at once so far. */
  peaks(): Record<string, number> {
    return Object.fromEntries(this.peakUse);
  }

  get finishedCount(): number {
    return this.finished.size;
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** True when every node has finished. */
  get done(): boolean {
    return this.finished.size === this.dag.nodes.length;
  }

  /** Ready nodes that are not running, in priority order. */
  waiting(): readonly DagNode[] {
    return [...this.queues.values()].flat().sort((a, b) => this.compare(a, b));
  }

  /**
   * Starts every ready node whose claims fit now, in priority order; returns them. When a
   * start passes the disk turn to the next state, that state's ready nodes are considered
   * again at once.
   */
  admit(): DagNode[] {
    const started: DagNode[] = [];
    for (;;) {
      const turn = this.diskTurn;
      const round = this.admitRound();
      started.push(...round);
      if (round.length === 0 || this.diskTurn === turn) return started;
    }
  }

  private admitRound(): DagNode[] {
    const started: DagNode[] = [];
    const blocked = new Set<string>();
    const active = new Map<DagNode[], number>(); // queue -> index of its head this round
    for (const queue of this.queues.values()) if (queue.length > 0) active.set(queue, 0);
    while (active.size > 0) {
      let best: DagNode[] | undefined;
      for (const [queue, at] of active) if (!best || this.compare(queue[at]!, best[active.get(best)!]!) < 0) best = queue;
      const at = active.get(best!)!;
      const node = best![at]!;
      const wants = this.wants.get(node.id)!;
      let short = false;
      let waitsForTurn = false;
      for (const [resource, amount] of wants) {
        if (blocked.has(resource) || this.inUse(resource) + amount > (this.capacity[resource] ?? Infinity)) short = true;
        else if (this.outOfTurn(node, resource)) waitsForTurn = true;
      }
      if (short || waitsForTurn) {
        // Every later node of this queue wants the same resources: none can start this round.
        // A node that only waits for its state's turn at the disk holds nothing up: the
        // earlier states whose turn it is must still get the disk.
        if (short) for (const [resource] of wants) blocked.add(resource);
        active.delete(best!);
        continue;
      }
      for (const claim of node.claims) this.take(node, claim);
      if (wants.some(([resource]) => resource === RESOURCE.disk)) this.diskStarted(node);
      this.running.add(node.id);
      started.push(node);
      if (at + 1 < best!.length) active.set(best!, at + 1);
      else active.delete(best!);
    }
    // What started is a prefix of its queue.
    const startedPer = new Map<string, number>();
    for (const node of started) startedPer.set(this.signature.get(node.id)!, (startedPer.get(this.signature.get(node.id)!) ?? 0) + 1);
    for (const [key, count] of startedPer) {
      const queue = this.queues.get(key)!;
      queue.splice(0, count);
      if (queue.length === 0) this.queues.delete(key);
    }
    return started;
  }

  /** Marks a running node finished: gives back its claims and any holds it ends, readies its dependents. */
  finish(id: string): void {
    const node = this.dag.byId.get(id);
    if (!node || !this.running.delete(id)) throw new Error(`scheduler: ${id} is not running`);
    this.finished.add(id);
    for (const claim of node.claims) {
      if (!claim.until) {
        this.give(node, claim);
        continue;
      }
      const waiting = new Set(claim.until.filter((u) => !this.finished.has(u)));
      if (waiting.size === 0) {
        this.give(node, claim);
        continue;
      }
      const hold: Hold = { node, claim, waiting };
      for (const u of waiting) (this.holdsByUntil.get(u) ?? this.holdsByUntil.set(u, []).get(u)!).push(hold);
    }
    for (const hold of this.holdsByUntil.get(id) ?? []) {
      hold.waiting.delete(id);
      if (hold.waiting.size === 0) this.give(hold.node, hold.claim);
    }
    this.holdsByUntil.delete(id);
    for (const next of this.dependents.get(id) ?? []) {
      const left = this.depsLeft.get(next)! - 1;
      this.depsLeft.set(next, left);
      if (left === 0) this.insertReady(this.dag.byId.get(next)!);
    }
  }

  /** For a stalled schedule: each waiting node and the resources it cannot get. */
  blockedOn(): Array<{ node: DagNode; resources: string[] }> {
    return this.waiting().map((node) => ({
      node,
      resources: this.wants.get(node.id)!
        .filter(([resource, amount]) => this.inUse(resource) + amount > (this.capacity[resource] ?? Infinity) || this.outOfTurn(node, resource))
        .map(([resource]) => resource),
    }));
  }

  /** True when the node would take disk before an earlier state has started all its disk claims. */
  private outOfTurn(node: DagNode, resource: string): boolean {
    return resource === RESOURCE.disk && (this.positionOf.get(node.state) ?? 0) > this.diskTurn;
  }

  private diskStarted(node: DagNode): void {
    this.diskPending[this.positionOf.get(node.state) ?? 0]!--;
    while (this.diskTurn < this.diskPending.length - 1 && this.diskPending[this.diskTurn] === 0) this.diskTurn++;
  }

  private take(node: DagNode, claim: Claim): void {
    const now = this.inUse(claim.resource) + claim.amount;
    this.used.set(claim.resource, now);
    if (now > (this.peakUse.get(claim.resource) ?? 0)) this.peakUse.set(claim.resource, now);
    this.hooks.onTake?.({ node, claim });
  }

  private give(node: DagNode, claim: Claim): void {
    this.used.set(claim.resource, this.inUse(claim.resource) - claim.amount);
    this.hooks.onGive?.({ node, claim });
  }

  /** Priority order; equal priorities in the order the nodes became ready. */
  private compare(a: DagNode, b: DagNode): number {
    return a.priority - b.priority || this.readiedAt.get(a.id)! - this.readiedAt.get(b.id)!;
  }

  private insertReady(node: DagNode): void {
    this.readiedAt.set(node.id, this.readied++);
    const key = this.signature.get(node.id)!;
    const queue = this.queues.get(key) ?? this.queues.set(key, []).get(key)!;
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (queue[mid]!.priority <= node.priority) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, node);
  }
}

function totals(claims: readonly Claim[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of claims) out.set(c.resource, (out.get(c.resource) ?? 0) + c.amount);
  return out;
}
