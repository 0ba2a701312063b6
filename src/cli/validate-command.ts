import type { Command } from 'commander';
import { loadPlan } from '../plan/load-plan.js';
import { formatProblem, summarizeProblems } from '../plan/problem.js';
import { redact } from '../secrets.js';
import type { CliIo } from './cli-io.js';
import { relativePlanPath } from './plan-path.js';

export function registerValidateCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('validate')
    .argument('<plans...>', 'plan files (YAML), e.g. plans/*.yaml')
    .description('check plans against the schema and the semantic rules; print every problem at file:line:col with its fix')
    .option('--json', 'print the problems as a JSON array of {file, line, column, severity, code, message, hint}')
    .addHelpText(
      'after',
      '\nExit codes: 0 every plan is valid (warnings allowed), 2 at least one error.\n' +
        'Checks that depend on this machine (free disk, missing files) and unset ${VARIABLES} are warnings here;\n' +
        '`biomass run` refuses to start on them.',
    )
    .action(async (files: string[], options: { json?: boolean }) => {
      const all = [];
      for (const given of files) {
        const file = relativePlanPath(given, io.cwd);
        const loaded = await loadPlan(file, { env: io.env, machineChecks: 'warning', cwd: io.cwd });
        all.push(...loaded.problems);
        if (loaded.problems.some((p) => p.severity === 'error')) state.exitCode = 2;
        if (!options.json) {
          for (const problem of loaded.problems) io.stdout.write(redact(formatProblem(problem, loaded.lines)) + '\n');
          io.stdout.write(`${summarizeProblems(loaded.problems, file)}\n`);
        }
      }
      if (options.json) io.stdout.write(redact(JSON.stringify(all.map(({ length: _length, ...rest }) => rest), null, 2)) + '\n');
    });
}
