import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import { registerPendingCommand } from './pending-command.js';

export function registerIndexCommand(program: Command, _io: CliIo, _state: { exitCode: number }): void {
  registerPendingCommand(program, { name: 'index', description: "list a state's Sentinel-2 tile items (--state-fips 17)", waitsFor: 'issue #4 (tile grid and catalog)' });
}
