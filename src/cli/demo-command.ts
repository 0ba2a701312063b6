import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { estimateText } from '../report/estimate-text.js';
import { reachableDryRun } from '../dag/reachable-dry-run.js';
import { prepareSchema } from '../db/migrations.js';
import { openStores } from '../db/open-store.js';
import { databaseOf } from '../db/plan-database.js';
import { loadGeography, type Geography } from '../geo/geography.js';
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

/** Pixel size of the demo's 10 m bands: 600 x 600 pixels over the real 109.8 km footprint. */
const DEMO_PIXEL_SIZE = 183;

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
    .action(async (flags: { plan: string }) => {
      const say = (line: string) => io.stdout.write(redact(line) + '\n');
      const { plan } = await loadPlanOrThrow(flags.plan, { env: io.env, machineChecks: 'skip', cwd: io.cwd });
      const geography = await loadGeography();

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
      } finally {
        await stores.close();
      }

      say(`step 4: dry run (biomass plan ${flags.plan})`);
      const run = await reachableDryRun(plan);
      for (const line of estimateText(run.estimate).trimEnd().split('\n')) say(`  ${line}`);

      say(`\nNext: biomass run ${flags.plan} (npm run demo runs it for you), then biomass status ${flags.plan}`);
    });
}

async function makeScenes(plan: Plan, geography: Geography, say: (line: string) => void): Promise<void> {
  if (plan.tiles.kind !== 'file') {
    say(`  scenes: the plan reads tiles from ${plan.tiles.uri}; the demo generates only into a folder (file://)`);
    return;
  }
  const settings = { counties: plan.rollout.counties, season: plan.season, layout: plan.tiles.layout, bands: plan.tiles.bands, pixelSize: DEMO_PIXEL_SIZE, revisitDays: plan.tiles.revisitDays };
  const marker = path.join(plan.tiles.prefix, '.demo-scenes.json');
  if (await sameSettings(marker, settings)) {
    say(`  scenes: already in ${plan.tiles.prefix}`);
    return;
  }
  const started = Date.now();
  const store = openTileStore(tileSourceOf(plan));
  let last = 0;
  const scenes = await generateScenes({
    geography, store, counties: settings.counties, season: plan.season, layout: plan.tiles.layout,
    bands: plan.tiles.bands, pixelSize: DEMO_PIXEL_SIZE, revisitDays: plan.tiles.revisitDays,
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
  const marker = `${plan.parcels.uri}.demo.json`;
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
