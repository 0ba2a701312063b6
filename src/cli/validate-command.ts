import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import { registerPendingCommand } from './pending-command.js';

export function registerValidateCommand(program: Command, _io: CliIo, _state: { exitCode: number }): void {
  registerPendingCommand(program, { name: 'validate', args: '<plans...>', description: 'check plans', waitsFor: 'the plan loader' });
}
