/** The contract every node kind module fulfils: how to estimate a node, how to run it. */
import type { Store } from '../../db/store.js';
import type { Geography } from '../../geo/geography.js';
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

/**
 * What a runner gets, and all it needs: the plan, the stores and a signal. No state lives only
 * in the orchestrating process (DESIGN.md: any worker may run any node).
 */
export interface RunContext {
  plan: Plan;
  signal: AbortSignal;
  /** The state database and the loaded geography; the executor's issue adds tile and parcel access. */
  stores: { db: Store; geography: Geography };
  /** Progress within the node, for the renderer. */
  onProgress?: (done: number, total: number) => void;
}

export interface NodeKind<N extends DagNode = DagNode> {
  kind: N['kind'];
  /** Pure: the node's duration and resource claims under the plan and throughput. */
  estimate(node: N, context: EstimateContext): NodeEstimate;
  run(node: N, context: RunContext): Promise<void>;
}
