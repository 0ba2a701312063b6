import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import { registerPendingCommand } from './pending-command.js';

export function registerPlanCommand(program: Command, _io: CliIo, _state: { exitCode: number }): void {
  registerPendingCommand(program, {
    name: 'plan', args: '<plan>', description: 'dry run: the DAG, tile items, storage and time estimates',
    waitsFor: 'the DAG compiler and estimator (issue #5)',
  });
}
