/**
 * Where a run stands, per state and stage, built from its events: nodes done, failed and
 * running; parcels (counties) and items (preprocess) done of their totals; rates and an ETA
 * weighted by parcels (a county of 40,000 parcels is not one unit like a county of 400).
 */
import type { Dag, DagNode, NodeKindName } from '../dag/dag.js';
import type { NodeEnd, RunEvent } from './run-events.js';

export type Stage = 'index' | 'preprocess' | 'counties' | 'verify' | 'cleanup';
export const STAGES: readonly Stage[] = ['index', 'preprocess', 'counties', 'verify', 'cleanup'];
const STAGE_OF: Record<NodeKindName, Stage> = { index: 'index', preprocess: 'preprocess', county: 'counties', verify: 'verify', cleanup: 'cleanup' };

export function stageOf(node: DagNode): Stage {
  return STAGE_OF[node.kind];
}

export interface StageProgress {
  state: string;
  stage: Stage;
  nodes: number;
  ended: Record<NodeEnd, number>;
  running: Set<string>;
  /** Work units: parcels for counties, items for preprocess, nodes otherwise. */
  unitsTotal: number;
  unitsDone: number;
  /** Units done in this run (not by earlier runs), for the rate. */
  unitsThisRun: number;
  firstStartMs: number | null;
  lastEndMs: number | null;
  failed: Array<{ id: string; label: string; error: string }>;
}

function unitsOf(node: DagNode): number {
  if (node.kind === 'county') return node.parcels;
  if (node.kind === 'preprocess') return node.items;
  return 1;
}

export class RunProgress {
  readonly stages = new Map<string, StageProgress>();
  private readonly partial = new Map<string, number>();
  private readonly listeners: Array<(stage: StageProgress) => void> = [];

  constructor(dag: Dag, private readonly now: () => number = Date.now) {
    for (const node of dag.nodes) {
      const key = `${node.state}|${stageOf(node)}`;
      let stage = this.stages.get(key);
      if (!stage) {
        stage = {
          state: node.state, stage: stageOf(node), nodes: 0, unitsTotal: 0, unitsDone: 0, unitsThisRun: 0,
          ended: { succeeded: 0, failed: 0, skipped: 0, 'done-before': 0, interrupted: 0 }, running: new Set(),
          firstStartMs: null, lastEndMs: null, failed: [],
        };
        this.stages.set(key, stage);
      }
      stage.nodes += 1;
      stage.unitsTotal += unitsOf(node);
    }
  }

  get(state: string, stage: Stage): StageProgress | undefined {
    return this.stages.get(`${state}|${stage}`);
  }

  /** Called after each change of a stage. */
  onChange(listener: (stage: StageProgress) => void): void {
    this.listeners.push(listener);
  }

  apply(event: RunEvent): void {
    if (event.type !== 'node-start' && event.type !== 'node-progress' && event.type !== 'node-end') return;
    const node = event.node;
    const stage = this.get(node.state, stageOf(node));
    if (!stage) return;
    const at = this.now();
    if (event.type === 'node-start') {
      stage.running.add(node.id);
      stage.firstStartMs ??= at;
    } else if (event.type === 'node-progress') {
      if (node.kind === 'county' || node.kind === 'preprocess') {
        // Progress is in the node's own units; scale in case a runner counts on another total.
        const done = event.total > 0 ? Math.round((event.done / event.total) * unitsOf(node)) : 0;
        const before = this.partial.get(node.id) ?? 0;
        if (done > before) {
          stage.unitsDone += done - before;
          stage.unitsThisRun += done - before;
          this.partial.set(node.id, done);
        }
      }
    } else {
      stage.running.delete(node.id);
      stage.ended[event.end] += 1;
      stage.lastEndMs = at;
      const before = this.partial.get(node.id) ?? 0;
      if (event.end === 'succeeded' || event.end === 'done-before') {
        stage.unitsDone += unitsOf(node) - before;
        if (event.end === 'succeeded') stage.unitsThisRun += unitsOf(node) - before;
        this.partial.set(node.id, unitsOf(node));
      }
      if (event.end === 'failed' || event.end === 'skipped') stage.failed.push({ id: node.id, label: node.label, error: event.error ?? '' });
    }
    for (const listener of this.listeners) listener(stage);
  }

  /** Nodes that ended, of all. */
  endedCount(stage: StageProgress): number {
    return Object.values(stage.ended).reduce((a, b) => a + b, 0) - stage.ended.interrupted;
  }

  /** Units per second in this run, null before there is a rate. */
  rate(stage: StageProgress): number | null {
    if (stage.firstStartMs === null || stage.unitsThisRun === 0) return null;
    const seconds = (this.now() - stage.firstStartMs) / 1000;
    return seconds > 0 ? stage.unitsThisRun / seconds : null;
  }

  /** Milliseconds left at the current rate, null when unknown. */
  etaMs(stage: StageProgress): number | null {
    const rate = this.rate(stage);
    if (rate === null) return null;
    return ((stage.unitsTotal - stage.unitsDone) / rate) * 1000;
  }

  complete(stage: StageProgress): boolean {
    return this.endedCount(stage) >= stage.nodes;
  }
}
