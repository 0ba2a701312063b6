import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { BiomassError } from '../biomass-error.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { PlanRejected } from '../plan/load-plan.js';
import { escapeControl, formatProblem, summarizeProblems } from '../plan/problem.js';
import { redact } from '../secrets.js';
import { processIo, type CliIo } from './cli-io.js';
import { registerDemoCommand } from './demo-command.js';
import { registerCleanupCommand } from './cleanup-command.js';
import { registerDbCommand } from './db-command.js';
import { registerIndexCommand } from './index-command.js';
import { registerPlanCommand } from './plan-command.js';
import { registerPreprocessCommand } from './preprocess-command.js';
import { registerRunCommand } from './run-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerValidateCommand } from './validate-command.js';
import { registerZonalCommand } from './zonal-command.js';
import { registerModelsCommand } from './models-command.js';
import { registerProcessCountyCommand } from './process-county-command.js';

/**
 * Runs the CLI with the given arguments (without `node biomass`) and returns the exit code:
 * 0 ok, 1 run failed, 2 invalid plan or usage. Nothing below src/cli exits the process.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const state = { exitCode: 0 };
  const program = new Command('biomass')
    .description(
      'Computes above-ground biomass for US land parcels from Sentinel-2 imagery, state by state, ' +
        'from a YAML rollout plan (see docs/plan-reference.md).',
    )
    .version(packageVersion(), '-V, --version', 'print the version of biomass')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  registerValidateCommand(program, io, state);
  registerPlanCommand(program, io, state);
  registerRunCommand(program, io, state);
  registerStatusCommand(program, io, state);
  registerIndexCommand(program, io, state);
  registerPreprocessCommand(program, io, state);
  registerProcessCountyCommand(program, io, state);
  registerCleanupCommand(program, io, state);
  registerDbCommand(program, io, state);
  registerDemoCommand(program, io, state);
  registerZonalCommand(program, io, state);
  registerModelsCommand(program, io, state);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; usage errors were already printed.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof PlanRejected) {
    // The plan's errors at file:line:col with their fixes, as validate prints them.
    for (const problem of error.problems.filter((p) => p.severity === 'error')) {
      io.stderr.write(redact(formatProblem(problem, error.lines)) + '\n');
    }
    io.stderr.write(redact(`${summarizeProblems(error.problems, error.file)}: nothing was done\n`));
    return error.exitCode;
  }
  if (error instanceof BiomassError) {
    const where = error.where ? `${error.where.file}:${error.where.line}:${error.where.column}  ` : '';
    // Messages quote plan and command-line text: control characters are shown escaped.
    io.stderr.write(redact(`${where}error  ${escapeControl(error.message)}\n`));
    if (error.hint) io.stderr.write(redact(`   ${escapeControl(error.hint)}\n`));
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(redact(`biomass: unexpected error: ${text}\n`));
  return 1;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string }).version;
}

/** The process entry point used by bin/biomass.js. */
export async function runCli(argv: string[]): Promise<number> {
  return main(argv, processIo());
}
