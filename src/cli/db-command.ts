import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import { registerPendingCommand } from './pending-command.js';

export function registerDbCommand(program: Command, _io: CliIo, _state: { exitCode: number }): void {
  registerPendingCommand(program, { name: 'db', description: "migrate|status the state database", waitsFor: 'issue #3 (persistence)' });
}
