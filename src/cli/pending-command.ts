import type { Command } from 'commander';
import { BiomassError } from '../biomass-error.js';

/**
 * Registers a command of DESIGN.md that is not built yet. It is listed in --help and says
 * which capability it waits for, exiting 2, so nobody mistakes it for a working step.
 */
export function registerPendingCommand(
  program: Command,
  spec: { name: string; args?: string; description: string; waitsFor: string },
): void {
  program
    .command(spec.args ? `${spec.name} ${spec.args}` : spec.name)
    .description(`${spec.description} (not built yet: waits for ${spec.waitsFor})`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new BiomassError('NOT_BUILT', `biomass ${spec.name} is not built yet: it waits for ${spec.waitsFor}`, {
        hint: 'see the open issues; `biomass validate` and the other listed commands work now',
        exitCode: 2,
      });
    });
}
