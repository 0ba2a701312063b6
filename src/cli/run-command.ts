import type { Command } from 'commander';
import { BiomassError } from '../biomass-error.js';
import { loadPlanOrThrow } from '../plan/load-plan.js';
import type { CliIo } from './cli-io.js';
import { relativePlanPath } from './plan-path.js';

interface RunFlags {
  stateFips: string[];
  json?: boolean;
  metricsPort?: string;
}

/** Exit code of a run stopped by a signal, as shells report SIGINT (128 + 2). */
export const EXIT_INTERRUPTED = 130;

export function registerRunCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('run')
    .argument('<plan>', 'plan file (YAML)')
    .description('execute a plan: index, preprocess, counties, verify, cleanup per state; resumable, with progress')
    .option('--state-fips <code>', 'run only this state of the plan (repeatable): 17 or IL', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--json', 'stream one JSON event per line on stdout instead of the progress display')
    .option('--metrics-port <n>', 'serve Prometheus metrics on http://127.0.0.1:N/metrics while the run lasts (0: any free port)')
    .addHelpText(
      'after',
      '\nRunning it again continues where the last run stopped: completed steps are skipped, a county\n' +
        'resumes after its last committed batch. Ctrl-C stops admitting work and lets batches in flight\n' +
        'commit (Ctrl-C again stops at once; resuming is safe either way). The log (JSON lines) is in\n' +
        'the run\'s folder beside storage.dir; `biomass status PLAN` shows progress from the database.\n' +
        'Exit codes: 0 done (or nothing to do), 1 something failed (the summary says what and how to\n' +
        'rerun it), 2 invalid plan or usage, 130 stopped by a signal.',
    )
    .action(async (given: string, flags: RunFlags) => {
      const metricsPort = flags.metricsPort === undefined ? undefined : Number(flags.metricsPort);
      if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65_535)) {
        throw new BiomassError('BAD_FLAG', `--metrics-port ${flags.metricsPort} is not a port number`, { hint: 'give a number from 1 to 65535, or 0 for any free port', exitCode: 2 });
      }
      const planArg = relativePlanPath(given, io.cwd);
      const { plan } = await loadPlanOrThrow(planArg, { env: io.env, machineChecks: 'error', cwd: io.cwd });
      // Loaded here: the executor pulls in Listr2, pino and the stores only for this command.
      const { runPlan } = await import('../exec/run-plan.js');
      const outcome = await runPlan({
        plan, planArg, states: flags.stateFips, json: Boolean(flags.json),
        out: { stdout: io.stdout, stderr: io.stderr, env: io.env, cwd: io.cwd },
        ...(metricsPort !== undefined ? { metricsPort } : {}),
        ...(io.signals ? { signals: io.signals } : {}),
        ...(io.nodeRunners ? { runners: io.nodeRunners } : {}),
        ...(io.runTimings ? { timings: io.runTimings } : {}),
      });
      if (outcome.nothingToDo) state.exitCode = 0;
      else state.exitCode = outcome.status === 'succeeded' ? 0 : outcome.status === 'interrupted' ? EXIT_INTERRUPTED : 1;
    });
}
