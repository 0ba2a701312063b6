/** The contract every node kind module fulfils: how to estimate a node, how to run it. */
import type { Plan } from '../../plan/plan.js';
import type { Throughput } from '../compile-inputs.js';
import type { Claim, DagNode } from '../dag.js';

export interface EstimateContext {
  plan: Plan;
  throughput: Throughput;
}

export interface NodeEstimate {
  durationMs: number;
  claims: Claim[];
}

/** What a runner gets (the executor's issue fills in the stores); a runner needs only these. */
export interface RunContext {
  plan: Plan;
  signal: AbortSignal;
  /** Database, tile store, parcel source: typed by the executor's issue. */
  stores: Record<string, unknown>;
}

export interface NodeKind<N extends DagNode = DagNode> {
  kind: N['kind'];
  /** Pure: the node's duration and resource claims under the plan and throughput. */
  estimate(node: N, context: EstimateContext): NodeEstimate;
  run(node: N, context: RunContext): Promise<void>;
}
