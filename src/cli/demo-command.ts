import type { Command } from 'commander';
import { loadPlan } from '../plan/load-plan.js';
import { formatProblem, summarizeProblems } from '../plan/problem.js';
import { redact } from '../secrets.js';
import type { CliIo } from './cli-io.js';

const SHIPPED_PLANS = ['plans/demo.yaml', 'plans/illinois.yaml', 'plans/us.yaml'];

/**
 * `biomass demo`: the steps of the demo that exist so far, in order. Each later capability
 * (scene generation, dry run, run) adds its step here.
 */
export function registerDemoCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('demo')
    .description('show biomass on plans/demo.yaml (McLean County, IL) with generated data; needs no credentials or server')
    .action(async () => {
      io.stdout.write('biomass demo: step 1 of 1, validate the shipped plans\n');
      for (const file of SHIPPED_PLANS) {
        const loaded = await loadPlan(file, { env: io.env, machineChecks: 'warning', cwd: io.cwd });
        for (const problem of loaded.problems) io.stdout.write(redact(formatProblem(problem, loaded.lines)) + '\n');
        io.stdout.write(`${summarizeProblems(loaded.problems, file)}\n`);
        if (!loaded.plan) state.exitCode = 2;
      }
      io.stdout.write(
        '\nNot in the demo yet: generating scenes and parcels for McLean County, the dry run and the run itself\n' +
          'wait for their issues (tile catalog and generator, DAG and estimates, executor).\n',
      );
    });
}
