/**
 * The run on the terminal: Listr2, one task per state with one subtask per stage (index,
 * preprocess, counties, verify, cleanup), never one line per county. The default renderer on
 * a TTY; the simple renderer (one line per finished step, no escape codes) in a pipe or CI.
 * Listr2 gets no signal listeners: the run decides what a Ctrl-C does.
 */
import { stripVTControlCharacters } from 'node:util';
import type { Dag } from '../dag/dag.js';
import { formatDuration } from '../plan/units.js';
import type { RunEvent } from './run-events.js';
import { STAGES, type RunProgress, type Stage, type StageProgress } from './run-progress.js';

export interface ViewOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface RunView {
  /** Feeds the view; call after RunProgress.apply. */
  event(event: RunEvent): void;
  /** Ends every stage still open (the run stopped or finished) and waits for the renderer. */
  close(outcome: 'succeeded' | 'failed' | 'interrupted'): Promise<void>;
}

interface OpenStage {
  progress: StageProgress;
  settle?: (error?: Error, skip?: string) => void;
  setTitle?: (title: string) => void;
  lastTitleMs: number;
}

export async function startListrView(dag: Dag, progress: RunProgress, out: { stdout: ViewOutput; stderr: ViewOutput; env: NodeJS.ProcessEnv }): Promise<RunView> {
  const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
  const tty = Boolean(out.stdout.isTTY) && !out.env['CI'];
  const plain = (o: ViewOutput): ViewOutput => ({ write: (s: string) => o.write(stripVTControlCharacters(s)), isTTY: false });
  const stdout = tty ? out.stdout : plain(out.stdout);
  const stderr = tty ? out.stderr : plain(out.stderr);
  const processOutput = new ProcessOutput(stdout as NodeJS.WriteStream, stderr as NodeJS.WriteStream);
  // The renderers write through their logger; given ours, they write to the streams given, not the process's,
  // failures included (a pipe gets the whole story on stdout; stderr is for errors of biomass itself).
  const logger = new ListrLogger({ useIcons: true, processOutput, toStderr: [] });

  const open = new Map<string, OpenStage>();
  const stateOutput = new Map<string, (text: string) => void>();
  const stateFailed = new Map<string, (stage: string) => void>();
  const title = (p: StageProgress) => stageTitle(dag, progress, p);
  const tasks = dag.states.map((state) => ({
    title: `${state.fips} ${state.postal}  ${state.name}`,
    task: (_: unknown, parent: { title: string; output: string; newListr: (...args: never[]) => unknown }) => {
      stateOutput.set(state.fips, (text) => { parent.output = text; });
      // Stage failures do not fail the state's task (the other stages go on); its title says so.
      const failedStages: string[] = [];
      stateFailed.set(state.fips, (stage) => {
        failedStages.push(stage);
        parent.title = `${state.fips} ${state.postal}  ${state.name}  (did not succeed: ${failedStages.join(', ')})`;
      });
      const stages = STAGES.map((s) => progress.get(state.fips, s)).filter((p): p is StageProgress => p !== undefined);
      return (parent.newListr as (tasks: unknown[], options: unknown) => unknown)(stages.map((p) => {
        const entry: OpenStage = { progress: p, lastTitleMs: 0 };
        open.set(`${p.state}|${p.stage}`, entry);
        return {
          title: title(p),
          task: (_ctx: unknown, task: { title: string; skip: (m: string) => void }) => new Promise<void>((resolve, reject) => {
            entry.setTitle = (t) => { task.title = t; };
            entry.settle = (error, skip) => {
              entry.settle = undefined;
              task.title = title(p);
              if (skip) task.skip(`${title(p)}  (${skip})`);
              if (error) reject(error);
              else resolve();
            };
            if (progress.complete(p)) settleStage(entry);
          }),
        };
      }), { concurrent: true, exitOnError: false });
    },
  }));

  const listr = new Listr(tasks as never, {
    concurrent: true,
    exitOnError: false,
    registerSignalListeners: false,
    renderer: tty ? 'default' : 'simple',
    fallbackRenderer: 'simple',
    rendererOptions: { logger, ...(tty ? { collapseSubtasks: false } : {}) },
    fallbackRendererOptions: { logger },
  } as never);
  const running = listr.run().catch(() => undefined);

  function settleStage(entry: OpenStage): void {
    const p = entry.progress;
    if (!entry.settle) return;
    const bad = p.ended.failed + p.ended.skipped;
    if (bad > 0) stateFailed.get(p.state)?.(p.stage);
    entry.settle(bad > 0 ? new Error(`${bad} of ${p.nodes} did not succeed; the summary says why`) : undefined);
  }

  return {
    event(event) {
      if (event.type === 'alert') {
        const say = stateOutput.values().next().value;
        say?.(`${event.level === 'error' ? 'ALERT' : 'warning'}: ${event.message}`);
        return;
      }
      if (event.type === 'stopping') {
        for (const say of stateOutput.values()) say(`Stopping (${event.signal}): ${event.inFlight} in flight will finish their batch (press Ctrl-C again to stop now; resume is safe either way).`);
        return;
      }
      if (event.type !== 'node-start' && event.type !== 'node-progress' && event.type !== 'node-end') return;
      const key = `${event.node.state}|${stageKey(event.node.kind)}`;
      const entry = open.get(key);
      if (!entry) return;
      const now = Date.now();
      // Progress comes per batch; titles change at most a few times a second (the default renderer repaints anyway).
      if (event.type !== 'node-progress' || now - entry.lastTitleMs > 250) {
        entry.lastTitleMs = now;
        entry.setTitle?.(title(entry.progress));
      }
      if (progress.complete(entry.progress)) settleStage(entry);
    },
    async close(outcome) {
      for (const entry of open.values()) {
        if (!entry.settle) continue;
        if (progress.complete(entry.progress)) settleStage(entry);
        else entry.settle(undefined, outcome === 'interrupted' ? 'stopped; resumes on the next run' : 'not run');
      }
      await running;
    },
  };
}

function stageKey(kind: string): Stage {
  return kind === 'county' ? 'counties' : (kind as Stage);
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** "17 IL  counties    38/102  812,330/2,911,004 parcels  1,204 parcels/s  ETA 58m" */
export function stageTitle(dag: Dag, progress: RunProgress, p: StageProgress): string {
  const state = dag.states.find((s) => s.fips === p.state);
  const head = `${p.state} ${state?.postal ?? ''}  ${p.stage.padEnd(10)}`;
  const ended = p.ended.succeeded + p.ended['done-before'];
  const parts: string[] = [];
  if (p.stage === 'counties') {
    parts.push(`${ended}/${p.nodes} ${p.nodes === 1 ? 'county' : 'counties'}`, `${n(p.unitsDone)}/${n(p.unitsTotal)} parcels`);
  } else if (p.stage === 'preprocess') {
    parts.push(`${ended}/${p.nodes} tiles`, `${n(p.unitsDone)}/${n(p.unitsTotal)} items`);
  } else {
    parts.push(`${ended}/${p.nodes}`);
  }
  const unit = p.stage === 'counties' ? 'parcels' : p.stage === 'preprocess' ? 'items' : '';
  const rate = progress.rate(p);
  if (unit && rate !== null && !progress.complete(p)) {
    parts.push(`${rate >= 10 ? n(rate) : rate.toFixed(1)} ${unit}/s`);
    const eta = progress.etaMs(p);
    if (eta !== null) parts.push(`ETA ${formatDuration(eta)}`);
  }
  if (p.ended['done-before'] > 0) parts.push(`${p.ended['done-before']} done before`);
  if (p.ended.failed > 0) parts.push(`${p.ended.failed} failed`);
  if (p.ended.skipped > 0) parts.push(`${p.ended.skipped} not run`);
  if (p.running.size > 0) parts.push(`${p.running.size} running`);
  return `${head}  ${parts.join('  ')}`;
}
