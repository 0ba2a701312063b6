/** The contract every node kind module fulfils: how to estimate a node, how to run it. */
import type { Piscina } from 'piscina';
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

/** Structured log lines of a run (JSON lines in the run's folder): pino's call shape. */
export interface RunLog {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * Figures a runner reports as it works; the executor sums them per node (node_status.figures),
 * per run (the summary) and live (`--metrics-port`).
 */
export interface NodeMetrics {
  /**
   * Bytes read and requests made, by read path: `streamed` (windowed reads of a streamable
   * COG), `downloaded` (whole objects), `local` (converted tiles on disk), or another name.
   */
  addRead(path: string, bytes: number, requests?: number): void;
  /** Bytes written under storage.dir (converted tiles). */
  addWritten(bytes: number): void;
  /** Block or tile cache lookups. */
  addCache(hits: number, misses: number): void;
  /** Parcels whose outputs were committed. */
  addParcels(count: number): void;
}

/**
 * What a runner gets, and all it needs: the plan, the stores and a signal. No state lives only
 * in the orchestrating process (DESIGN.md: any worker may run any node).
 *
 * The fields after `onProgress` are set by `biomass run` (src/exec); a step run by hand
 * (`biomass index`, a test) may leave them out, so a runner falls back where one is missing.
 */
export interface RunContext {
  plan: Plan;
  /**
   * Aborted when the run stops (SIGINT/SIGTERM, or the node's lease was taken over): finish
   * or roll back the batch in flight, then return or throw; nothing half-written may stay.
   */
  signal: AbortSignal;
  /** The state database and the loaded geography; `forestry` is the forestry database when the plan names its own. */
  stores: { db: Store; geography: Geography; forestry?: Store };
  /**
   * Progress within the node, for the renderer and the ETA: items converted for a preprocess
   * node, parcels committed (of the county's parcels) for a county node.
   */
  onProgress?: (done: number, total: number) => void;
  /** The run this attempt belongs to; written with outputs and checkpoints. */
  runId?: string;
  /** This attempt's number from node_status (the fencing token): every write carries it. */
  attempt?: number;
  /** The one Piscina pool of processing.workers threads all counties share, started on first call. */
  workerPool?: () => Promise<Piscina>;
  log?: RunLog;
  metrics?: NodeMetrics;
}

export interface NodeKind<N extends DagNode = DagNode> {
  kind: N['kind'];
  /** Pure: the node's duration and resource claims under the plan and throughput. */
  estimate(node: N, context: EstimateContext): NodeEstimate;
  run(node: N, context: RunContext): Promise<void>;
}
