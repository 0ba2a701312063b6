/** verify:<state>: every county complete, output counts match the parcel source. */
import { BiomassError } from '../../biomass-error.js';
import { countParcelsWithOutputs } from '../../db/parcel-outputs-repository.js';
import type { Geography } from '../../geo/geography.js';
import type { Plan } from '../../plan/plan.js';
import { RESOURCE, type VerifyNode } from '../dag.js';
import type { NodeKind } from './node-kind.js';

/** One count query per county; a fixed assumption (no plan key). */
export const VERIFY_MS_PER_COUNTY = 500;

/** A county whose outputs do not match its parcels. */
export interface CountyDifference {
  fips: string;
  name: string;
  parcels: number;
  outputs: number;
}

export const verifyKind: NodeKind<VerifyNode> = {
  kind: 'verify',
  estimate: (node) => ({
    durationMs: node.counties * VERIFY_MS_PER_COUNTY,
    claims: [{ resource: RESOURCE.pool, amount: 1 }],
  }),
  // Stryker disable all: a pipeline runner, not the pure core: it is tested end to end in test/exec and test/tiles with GDAL, PostgreSQL and Azurite, which the mutation run's worker threads cannot load (docs/testing.md)
  run: async (node, { plan, stores, log }) => {
    const counties = countiesOf(plan, stores.geography, node.state);
    // Loaded here: the parcel source is read through GDAL only when a state is verified.
    const { readParcelCounts } = await import('../parcel-counts.js');
    const source = await readParcelCounts(plan);
    if (!source.counts) {
      throw new BiomassError('VERIFY_UNREADABLE', `verify:${node.state}: the parcel source ${plan.parcels.uri} ${source.unreadable ?? 'cannot be read'}`, {
        hint: 'make sources.parcels.uri readable from this machine, then run the plan again (only verify and cleanup are left)',
      });
    }
    const outputs = await countParcelsWithOutputs(stores.db, plan.name, counties);
    const differences: CountyDifference[] = [];
    for (const fips of counties) {
      const parcels = source.counts.countOf(fips) ?? 0;
      const written = outputs.get(fips) ?? 0;
      if (written !== parcels) differences.push({ fips, name: stores.geography.county(fips).name, parcels, outputs: written });
    }
    log?.info({ node: node.id, counties: counties.length, differences }, `verified ${counties.length} counties of ${node.state}`);
    if (differences.length > 0) {
      throw new BiomassError('VERIFY_MISMATCH', `verify:${node.state}: ${differences.length} of ${counties.length} counties do not match the parcel source: ` +
        differences.map((d) => `${d.fips} ${d.name} ${d.outputs.toLocaleString('en-US')} outputs of ${d.parcels.toLocaleString('en-US')} parcels`).join('; '), {
        hint: `run the plan again to finish those counties; \`biomass status ${plan.file}\` shows why they failed`,
      });
    }
  },
  // Stryker restore all
};

/** The counties of a state the plan covers: rollout.counties of that state, else all of them. */
export function countiesOf(plan: Plan, geography: Geography, state: string): string[] {
  const named = plan.rollout.counties.filter((fips) => fips.startsWith(state));
  return named.length > 0 ? named : geography.countiesOf(state).map((c) => c.fips);
}
