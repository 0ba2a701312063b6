import { BiomassError } from '../../biomass-error.js';

/** The error a node runner throws until the issue that executes its kind lands. */
export function notBuilt(kind: string, nodeId: string, issue: string): BiomassError {
  return new BiomassError('NOT_BUILT', `running ${kind} nodes is not built yet (${nodeId}); it belongs to ${issue}`, {
    hint: '`biomass plan` estimates this step; `biomass run` executes it once that issue lands',
  });
}
