import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { BiomassError } from '../biomass-error.js';
import { estimateText } from '../report/estimate-text.js';
import { reachableDryRun } from '../dag/reachable-dry-run.js';
import { prepareSchema } from '../db/migrations.js';
import { openStores } from '../db/open-store.js';
import { databaseOf } from '../db/plan-database.js';
import { loadGeography, type Geography } from '../geo/geography.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { generateParcels } from '../parcels/parcel-generator.js';
import { loadPlan, loadPlanOrThrow } from '../plan/load-plan.js';
import type { Plan } from '../plan/plan.js';
import { formatProblem, summarizeProblems } from '../plan/problem.js';
import { formatDuration } from '../plan/units.js';
import { redact } from '../secrets.js';
import { generateScenes } from '../tiles/scene-generator.js';
import { indexStateIntoStore } from '../tiles/stored-state-index.js';
import { tileSourceOf } from '../tiles/tile-source.js';
import { openTileStore } from '../tiles/open-tile-store.js';
import type { CliIo } from './cli-io.js';

/** The illustrative model the demo loads into its forestry table (relative to the package root). */
const DEMO_MODELS = 'plans/models/demo-illustrative.yaml';

/** Pixel size of the demo's 10 m bands: 600 x 600 pixels over the real 109.8 km footprint. */
const DEMO_PIXEL_SIZE = 183;

/** Mostly COGs, with some stripped GeoTIFF and JPEG2000 dates that `biomass preprocess` converts. */
const DEMO_FORMAT = 'mixed' as const;

/**
 * `biomass demo`: makes the demo data plans/demo.yaml names (synthetic scenes and parcels
 * for its counties, skipped when already made with the same settings), then runs the steps
 * built so far on it. Each later capability adds its step here.
 */
export function registerDemoCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('demo')
    .description('make demo data for plans/demo.yaml (McLean County, IL) and run the steps built so far: validate, index, dry run; needs no credentials or server')
    .option('--plan <file>', 'the demo plan', 'plans/demo.yaml')
    .option('--force', 'replace parcel and tile files the plan names even where the demo did not make them')
    .action(async (flags: { plan: string; force?: boolean }) => {
      const say = (line: string) => io.stdout.write(redact(line) + '\n');
      const { plan } = await loadPlanOrThrow(flags.plan, { env: io.env, machineChecks: 'skip', cwd: io.cwd });
      const geography = await loadGeography();

      // Both places are checked before either is written: a refusal leaves everything as it was.
      const claims = [await claimScenes(plan, flags.force === true), await claimParcels(plan, flags.force === true)];
      for (const claim of claims) await claim?.();

      say(`step 1: demo data for ${flags.plan}`);
      await makeScenes(plan, geography, say);
      await makeParcels(plan, geography, say);

      const folder = path.dirname(flags.plan);
      const plans = (await readdir(path.resolve(io.cwd, folder))).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(folder, f));
      say(`step 2: validate the plans in ${folder}/`);
      for (const file of plans) {
        const loaded = await loadPlan(file, { env: io.env, machineChecks: 'warning', cwd: io.cwd });
        for (const problem of loaded.problems) if (problem.severity === 'error') say(formatProblem(problem, loaded.lines));
        say(`  ${summarizeProblems(loaded.problems, file)}`);
        if (!loaded.plan) state.exitCode = 2;
      }
      say('  (`biomass validate FILE` shows the warnings: unset variables, free disk)');

      say(`step 3: index the tile items of ${plan.rollout.states.join(', ')} into the plan's database (biomass index --plan ${flags.plan})`);
      const stores = await openStores(databaseOf(plan));
      try {
        await prepareSchema(stores);
        for (const fips of plan.rollout.states) {
          const index = await indexStateIntoStore({ plan, db: stores.state, geography, state: fips });
          say(`  ${fips}: ${index.items.length} items of ${index.tiles.length} MGRS tiles for ${index.counties.length} ${index.counties.length === 1 ? 'county' : 'counties'}` +
            `${index.resumed.length > 0 ? ` (${index.resumed.length} already stored)` : ''}, in ${stores.state.description}`);
        }
        // The one illustrative biomass model the demo ships (biomass models load; loading it again replaces it).
        const { parseModelFile } = await import('../biomass/model-file.js');
        const { upsertForestryModels } = await import('../db/forestry-models-repository.js');
        const models = parseModelFile(DEMO_MODELS, await readFile(new URL(DEMO_MODELS, PACKAGE_ROOT), 'utf8'));
        await stores.forestry.transaction((tx) => upsertForestryModels(tx, models, plan.forestry.table));
        say(`  models: ${models.length} from ${DEMO_MODELS} (illustrative, not a fitted model)`);
      } finally {
        await stores.close();
      }

      say(`step 4: dry run (biomass plan ${flags.plan})`);
      const run = await reachableDryRun(plan);
      for (const line of estimateText(run.estimate).trimEnd().split('\n')) say(`  ${line}`);

      say(`\nNext: biomass run ${flags.plan} (npm run demo runs it for you), then biomass status ${flags.plan}`);
    });
}

/** The marker files that say the demo made the files beside them (and with which settings). */
const scenesMarker = (plan: Plan) => path.join(plan.tiles.prefix, '.demo-scenes.json');
const parcelsMarker = (plan: Plan) => `${plan.parcels.uri}.demo.json`;
/** Written before the demo writes, so an interrupted demo still owns what it left. */
const CLAIMED = '{"claimed":"biomass demo"}';

/**
 * The demo writes only where it made the files itself: an absent or empty tile folder, or one
 * holding its marker. Returns the write that claims the folder, or throws DEMO_NOT_OURS.
 */
async function claimScenes(plan: Plan, force: boolean): Promise<(() => Promise<void>) | undefined> {
  if (plan.tiles.kind !== 'file') return undefined;
  const folder = plan.tiles.prefix;
  const marker = scenesMarker(plan);
  if (existsSync(marker)) return undefined;
  const entries = existsSync(folder) ? await readdir(folder) : [];
  if (entries.length > 0 && !force) {
    throw new BiomassError('DEMO_NOT_OURS', `the tile folder ${folder} holds files that biomass demo did not make`, {
      hint: `name an empty or new folder in sources.tiles.uri, or run biomass demo --force to write the demo's scenes there anyway (files of the same name are replaced)`,
      exitCode: 2,
    });
  }
  return async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(marker, CLAIMED);
  };
}

/** Same for the parcel file: absent, or made by the demo (its marker beside it). */
async function claimParcels(plan: Plan, force: boolean): Promise<(() => Promise<void>) | undefined> {
  if (/^[A-Za-z]{2,}:/.test(plan.parcels.uri)) return undefined;
  const marker = parcelsMarker(plan);
  if (existsSync(marker)) return undefined;
  if (existsSync(plan.parcels.uri) && !force) {
    throw new BiomassError('DEMO_NOT_OURS', `the parcel file ${plan.parcels.uri} exists and was not made by biomass demo`, {
      hint: 'name a new file in sources.parcels.uri, or run biomass demo --force to replace it with generated parcels',
      exitCode: 2,
    });
  }
  return async () => {
    await mkdir(path.dirname(marker), { recursive: true });
    await writeFile(marker, CLAIMED);
  };
}

async function makeScenes(plan: Plan, geography: Geography, say: (line: string) => void): Promise<void> {
  if (plan.tiles.kind !== 'file') {
    say(`  scenes: the plan reads tiles from ${plan.tiles.uri}; the demo generates only into a folder (file://)`);
    return;
  }
  const settings = { counties: plan.rollout.counties, season: plan.season, layout: plan.tiles.layout, bands: plan.tiles.bands, pixelSize: DEMO_PIXEL_SIZE, revisitDays: plan.tiles.revisitDays, format: DEMO_FORMAT };
  const marker = scenesMarker(plan);
  if (await sameSettings(marker, settings)) {
    say(`  scenes: already in ${plan.tiles.prefix}`);
    return;
  }
  const started = Date.now();
  const store = openTileStore(tileSourceOf(plan));
  let last = 0;
  const scenes = await generateScenes({
    geography, store, counties: settings.counties, season: plan.season, layout: plan.tiles.layout,
    bands: plan.tiles.bands, pixelSize: DEMO_PIXEL_SIZE, revisitDays: plan.tiles.revisitDays, format: DEMO_FORMAT,
    onItem: (_item, done, total) => {
      const percent = Math.floor((done / total) * 10) * 10;
      if (percent > last || done === total) say(`  scenes: ${done}/${total} items`);
      last = percent;
    },
  });
  await writeFile(marker, JSON.stringify(settings));
  say(`  scenes: ${scenes.length} items in ${plan.tiles.prefix} (${formatDuration(Date.now() - started)})`);
}

async function makeParcels(plan: Plan, geography: Geography, say: (line: string) => void): Promise<void> {
  if (/^[A-Za-z]{2,}:/.test(plan.parcels.uri)) {
    say(`  parcels: the plan reads parcels from ${plan.parcels.uri}; the demo generates only a GeoPackage file`);
    return;
  }
  const settings = { counties: plan.rollout.counties, layer: plan.parcels.layer || 'parcels' };
  const marker = parcelsMarker(plan);
  if (existsSync(plan.parcels.uri) && (await sameSettings(marker, settings))) {
    say(`  parcels: already in ${plan.parcels.uri}`);
    return;
  }
  const result = await generateParcels({ geography, counties: settings.counties, file: plan.parcels.uri, layer: settings.layer });
  await writeFile(marker, JSON.stringify(settings));
  const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
  say(`  parcels: ${total.toLocaleString('en-US')} in ${plan.parcels.uri}`);
}

async function sameSettings(marker: string, settings: unknown): Promise<boolean> {
  try {
    return (await readFile(marker, 'utf8')) === JSON.stringify(settings);
  } catch {
    return false;
  }
}
