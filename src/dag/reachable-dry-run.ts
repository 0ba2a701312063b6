/**
 * The dry run as `biomass plan` and `biomass demo` make it: with whatever inputs are
 * reachable from here (parcel counts, free space, what earlier runs stored), each falling
 * back to the plan's estimates with the reason recorded in the estimate. With `catalog`, the
 * tile catalog is listed for the tiles no stored index covers: exact item counts, read-only.
 */
import { BiomassError } from '../biomass-error.js';
import { loadGeography, type Geography } from '../geo/geography.js';
import type { CompileInputs } from './compile-inputs.js';
import type { Plan } from '../plan/plan.js';
import { dryRun, type DryRun } from './dry-run.js';
import { readFreeSpace } from './free-space.js';
import { readParcelCounts } from './parcel-counts.js';
import { readStoredFigures } from './stored-figures.js';
import { gatherRollout } from './rollout-facts.js';
import { layeredTileIndex, listedTileCounts, type TileCounts } from './tile-counts.js';
import { openCatalog } from '../tiles/catalog.js';
import { tileSourceOf } from '../tiles/tile-source.js';

export interface ReachableOptions {
  /** List the tile catalog for the tiles no stored index covers (slow for a large rollout on Azure). */
  catalog?: boolean;
}

/** A dry run with the geography and inputs it used, so `plan --diff` can measure edits on the same inputs. */
export interface ReachableDryRun extends DryRun {
  geography: Geography;
  inputs: CompileInputs;
}

export async function reachableDryRun(plan: Plan, options: ReachableOptions = {}): Promise<ReachableDryRun> {
  const [geography, parcels, freeSpace, stored] = await Promise.all([
    loadGeography(), readParcelCounts(plan), readFreeSpace(plan.storage.dir), readStoredFigures(plan),
  ]);
  const needed = new Set(gatherRollout(plan, geography).states.flatMap((s) => [...s.tiles]));
  let listed: TileCounts | undefined;
  if (options.catalog) {
    if (plan.tiles.kind === 'estimated') {
      throw new BiomassError('NO_CATALOG', `--catalog: ${plan.file} reads no catalog (sources.tiles.uri is estimated:)`, {
        hint: 'name a folder (file://PATH) or a container (azure://CONTAINER) in sources.tiles.uri, or drop --catalog',
        exitCode: 2,
      });
    }
    const missing = [...needed].filter((t) => !stored.tiles?.counts.has(t)).sort();
    listed = await listedTileCounts(openCatalog(tileSourceOf(plan)), missing);
  }
  const inputs = {
    ...(parcels.counts ? { parcels: parcels.counts } : {}),
    ...(stored.measured ? { measured: stored.measured } : {}),
    ...(stored.tiles || listed ? { tiles: layeredTileIndex(plan, [stored.tiles, listed], needed) } : {}),
  };
  const run = dryRun(plan, geography, { inputs, freeSpace, database: stored.note });
  if (parcels.unreadable) run.estimate.inputs.parcels.source += ` (parcel source not read: ${parcels.unreadable})`;
  if (!Number.isFinite(run.estimate.totals.totalMs)) {
    throw new BiomassError('PLAN_SIMULATION', `the simulated schedule of ${plan.file} did not finish`, { hint: 'report this with the plan file' });
  }
  return { ...run, geography, inputs };
}
