import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Geometry } from 'geojson';
import { BiomassError } from '../biomass-error.js';
import { dagToDot, dagToMermaid } from '../report/dag-graph.js';
import type { DryRun } from '../dag/dry-run.js';
import { reachableDryRun, type ReachableDryRun } from '../dag/reachable-dry-run.js';
import { dryRun } from '../dag/dry-run.js';
import { readStoredWork } from '../dag/stored-work.js';
import { indexFingerprint } from '../tiles/stored-state-index.js';
import type { Plan } from '../plan/plan.js';
import { planEdits, withEdit } from '../report/plan-edits.js';
import { estimateReport } from '../report/estimate-report.js';
import { estimateText, refusalText } from '../report/estimate-text.js';
import { diffEstimates, diffText } from '../report/plan-diff.js';
import { loadGeography } from '../geo/geography.js';
import { US_STATES } from '../geo/states.js';
import { loadPlanOrThrow } from '../plan/load-plan.js';
import { redact } from '../secrets.js';
import type { CliIo } from './cli-io.js';
import { relativePlanPath } from './plan-path.js';

interface PlanOptions {
  catalog?: boolean;
  json?: boolean;
  dot?: boolean;
  mermaid?: boolean;
  report?: string;
  diff?: string;
}

export function registerPlanCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('plan')
    .argument('<plan>', 'plan file (YAML); with --diff, the edited plan')
    .description('dry run: the DAG, tile items, storage and time estimates from a simulated schedule; writes nothing')
    .option('--json', 'print the estimate as JSON (schemas/plan-estimate.schema.json)')
    .option('--dot', 'print the DAG as Graphviz DOT')
    .option('--mermaid', 'print the DAG as a Mermaid flowchart')
    .option('--report <file>', 'also write a self-contained HTML report: map, Gantt chart, storage curve')
    .option('--catalog', 'list the tile catalog for item counts of states not indexed yet (read-only; slow for a large rollout on Azure)')
    .option('--diff <old>', 'compare with an older plan: states added, removed, reordered; estimates before and after')
    .addHelpText(
      'after',
      '\nExit codes: 0 the plan fits, 2 invalid plan or a state needs more than storage.budget (the fix is printed).\n' +
        'Works offline without credentials: numbers it cannot read (catalog, parcel source, measured throughput)\n' +
        'come from the plan\'s estimates, and the output says which numbers came from where.',
    )
    .action(async (given: string, options: PlanOptions) => {
      const write = (text: string) => io.stdout.write(redact(text));
      const { plan: newPlan, run: newRun } = await dryRunOf(given, io, options);
      if (options.diff !== undefined) {
        const { plan: oldPlan, run: oldRun } = await dryRunOf(options.diff, io, options);
        const edits = planEdits(oldPlan, newPlan);
        const diff = diffEstimates(oldRun.estimate, newRun.estimate, {
          edits,
          // Several edits that may move estimates: each is measured alone on the old plan.
          estimateWith: (edit) => {
            const alone = withEdit(oldPlan, newPlan, edit.key);
            return dryRun(alone, newRun.geography, { inputs: newRun.inputs, compareOrders: false }).estimate;
          },
          stored: await readStoredWork(newPlan),
          fingerprint: indexFingerprint(newPlan),
        });
        write(options.json ? JSON.stringify(diff, null, 2) + '\n' : diffText(diff, oldRun.estimate, newRun.estimate));
        refuseIfOverBudget(newRun, io, state);
        return;
      }
      const { estimate, dag } = newRun;
      if (options.json) write(JSON.stringify(estimate, null, 2) + '\n');
      else if (options.dot) write(dagToDot(dag, estimate.plan.name));
      else if (options.mermaid) write(dagToMermaid(dag));
      else write(estimateText(estimate));
      if (options.report !== undefined) {
        const target = path.resolve(io.cwd, options.report);
        const html = redact(estimateReport(newRun, await stateOutlines()));
        await writeFile(target, html).catch((error: NodeJS.ErrnoException) => {
          throw new BiomassError('REPORT_WRITE', `cannot write the report ${target}: ${error.code ?? error.message}`, {
            hint: 'name a file in a folder that exists and that you may write to (--report FILE)',
            exitCode: 2,
            cause: error,
          });
        });
        if (!options.json && !options.dot && !options.mermaid) write(`Report written to ${relativePlanPath(target, io.cwd)}\n`);
      }
      refuseIfOverBudget(newRun, io, state);
    });
}

/** A plan whose budget cannot hold a state is refused (exit 2) with the state, its peak and the fix. */
function refuseIfOverBudget(run: DryRun, io: CliIo, state: { exitCode: number }): void {
  if (!run.estimate.refused) return;
  io.stderr.write(redact(refusalText(run.estimate)));
  state.exitCode = 2;
}

/** Loads a plan and dry-runs it with whatever inputs are reachable; load errors are thrown. */
async function dryRunOf(given: string, io: CliIo, options: PlanOptions): Promise<{ plan: Plan; run: ReachableDryRun }> {
  const { plan } = await loadPlanOrThrow(relativePlanPath(given, io.cwd), { env: io.env, machineChecks: 'skip', cwd: io.cwd });
  return { plan, run: await reachableDryRun(plan, { catalog: options.catalog }) };
}

/** Outlines of the 50 states and DC, for the report's maps. */
async function stateOutlines(): Promise<Map<string, Geometry>> {
  const geography = await loadGeography();
  return new Map(US_STATES.filter((s) => s.inFiftyPlusDc).map((s) => [s.fips, geography.stateOutline(s.fips)]));
}
