import type { Command } from 'commander';
import { BiomassError } from '../biomass-error.js';
import { loadGeography } from '../geo/geography.js';
import { openStores } from '../db/open-store.js';
import { databaseOf } from '../db/plan-database.js';
import { prepareSchema } from '../db/migrations.js';
import { loadPlanOrThrow } from '../plan/load-plan.js';
import { formatDuration } from '../plan/units.js';
import { redact } from '../secrets.js';
import { openCatalog } from '../tiles/catalog.js';
import { indexState, type StateIndex } from '../tiles/state-index.js';
import { indexStateIntoStore } from '../tiles/stored-state-index.js';
import { parseIsoDate, seasonDays, tileSourceOf, type TileLayoutName, type TileSourceOptions } from '../tiles/tile-source.js';
import type { CliIo } from './cli-io.js';

interface IndexFlags {
  stateFips: string;
  plan?: string;
  source: string;
  seasonStart: string;
  seasonEnd: string;
  layout: string;
  revisitDays: string;
  bands?: string;
  county: string[];
  json?: boolean;
}

export function registerIndexCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('index')
    .description("list a state's Sentinel-2 tile items: county geometries x MGRS grid x catalog, deduplicated across counties")
    .requiredOption('--state-fips <code>', 'state FIPS (17) or postal code (IL)')
    .option('--plan <file>', 'take the tile source, bands and season from a plan, and store the index in its database (resumable)')
    .option('--source <uri>', 'azure://CONTAINER[/PREFIX], file://PATH or estimated: (without --plan)', 'estimated:')
    .option('--season-start <date>', 'first acquisition date, YYYY-MM-DD (without --plan)', '2024-04-01')
    .option('--season-end <date>', 'last acquisition date, YYYY-MM-DD (without --plan)', '2024-09-30')
    .option('--layout <name>', 'planetary-computer or simple (without --plan)', 'planetary-computer')
    .option('--revisit-days <n>', 'days between acquisitions in estimated mode (without --plan)', '5')
    .option('--bands <list>', 'comma-separated bands (without --plan)', 'B04,B08,SCL')
    .option('--county <fips>', 'index only this county (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--json', 'print the index as JSON on stdout (no progress)')
    .addHelpText('after', '\nWithout --plan, an azure:// source reads its connection string from AZURE_STORAGE_CONNECTION_STRING.')
    .action(async (flags: IndexFlags) => {
      const started = Date.now();
      const geography = await loadGeography();
      const st = geography.state(flags.stateFips);
      const counties = flags.county.length > 0 ? flags.county : undefined;
      let every = 1;
      const onProgress = flags.json ? undefined : (done: number, all: number) => {
        every = Math.max(1, Math.ceil(all / 10)); // about ten progress lines whatever the state's size
        if (done % every === 0 || done === all) {
          io.stderr.write(`index ${st.postal}: ${done}/${all} counties (${Math.round((done / all) * 100)}%)\n`);
        }
      };
      let index: StateIndex;
      let stored: Stored | undefined;
      let source: TileSourceOptions;
      if (flags.plan) {
        const { plan } = await loadPlanOrThrow(flags.plan, { env: io.env, machineChecks: 'skip', cwd: io.cwd });
        source = tileSourceOf(plan);
        const stores = await openStores(databaseOf(plan));
        try {
          await prepareSchema(stores);
          const result = await indexStateIntoStore({ plan, db: stores.state, geography, state: st.fips, counties, onProgress });
          index = result;
          stored = { where: stores.state.description, plan: plan.name, resumed: result.resumed, complete: result.complete, rebuilt: result.rebuilt };
        } finally {
          await stores.close();
        }
      } else {
        source = await sourceOptions(flags, io);
        index = await indexState({ geography, catalog: openCatalog(source), state: st.fips, counties, onProgress });
      }
      const elapsedMs = Date.now() - started;
      if (flags.json) io.stdout.write(redact(JSON.stringify(toJson(index, geography, source, elapsedMs, stored), null, 2)) + '\n');
      else io.stdout.write(redact(renderTable(index, geography, source, elapsedMs, stored)));
      state.exitCode = 0;
    });
}

/** Where an index run with --plan stored its counties. */
interface Stored {
  where: string;
  plan: string;
  resumed: string[];
  complete: boolean;
  /** A stored index made from other settings was deleted and made again. */
  rebuilt: boolean;
}

async function sourceOptions(flags: IndexFlags, io: CliIo): Promise<TileSourceOptions> {
  if (flags.layout !== 'planetary-computer' && flags.layout !== 'simple') {
    throw new BiomassError('BAD_LAYOUT', `--layout ${flags.layout} is not a layout`, { hint: 'use planetary-computer or simple', exitCode: 2 });
  }
  const revisitDays = Number(flags.revisitDays);
  if (!Number.isInteger(revisitDays) || revisitDays < 1 || revisitDays > 30) {
    throw new BiomassError('BAD_FLAG', `--revisit-days ${flags.revisitDays} is not a whole number of days from 1 to 30`, {
      hint: 'Sentinel-2 revisits every 5 days with both satellites: --revisit-days 5', exitCode: 2,
    });
  }
  parseIsoDate(flags.seasonStart, '--season-start');
  parseIsoDate(flags.seasonEnd, '--season-end');
  const season = { start: flags.seasonStart, end: flags.seasonEnd };
  seasonDays(season);
  const bands = (flags.bands ?? '').split(',').map((b) => b.trim().toUpperCase()).filter(Boolean);
  if (bands.length === 0) {
    throw new BiomassError('BAD_FLAG', '--bands names no band', { hint: 'list bands separated by commas: --bands B04,B08,SCL', exitCode: 2 });
  }
  return {
    uri: flags.source, layout: flags.layout as TileLayoutName, season, revisitDays, bands,
    connection: io.env['AZURE_STORAGE_CONNECTION_STRING'] || undefined,
    baseDir: io.cwd,
  };
}

type Geo = Awaited<ReturnType<typeof loadGeography>>;

function toJson(index: StateIndex, geography: Geo, source: TileSourceOptions, elapsedMs: number, stored: Stored | undefined) {
  const st = geography.state(index.stateFips);
  return {
    state: { fips: st.fips, postal: st.postal, name: st.name },
    source: index.source,
    estimated: index.estimated,
    season: source.season,
    ...(index.estimated ? { revisitDays: source.revisitDays ?? 5 } : {}),
    counties: index.counties.map((c) => ({
      fips: c.countyFips, name: geography.county(c.countyFips).name, tiles: c.tiles, items: c.items.length,
    })),
    tiles: index.tiles.map((t) => ({ ...t, epsg: geography.tileFootprint(t.tileId).epsg })),
    uniqueItems: index.items.length,
    countyItemUses: index.counties.reduce((n, c) => n + c.items.length, 0),
    items: index.items,
    stored: stored ?? null,
    elapsedMs,
  };
}

function renderTable(index: StateIndex, geography: Geo, source: TileSourceOptions, elapsedMs: number, stored: Stored | undefined): string {
  const st = geography.state(index.stateFips);
  const uses = index.counties.reduce((n, c) => n + c.items.length, 0);
  const lines: string[] = [];
  lines.push(`${st.name} (${st.fips}): ${index.counties.length} counties, ${index.tiles.length} MGRS tiles, ` +
    `${index.items.length.toLocaleString('en-US')} unique tile items (${uses.toLocaleString('en-US')} county uses before deduplication)`);
  const days = seasonDays(source.season);
  lines.push(`source ${index.source}, season ${source.season.start}..${source.season.end} (${days} days)` +
    (index.estimated ? `, estimated: ${Math.max(1, Math.floor(days / (source.revisitDays ?? 5)))} acquisitions per tile at a ${source.revisitDays ?? 5}-day revisit` : ''));
  lines.push('');
  lines.push(['tile', 'EPSG', 'counties', 'items', 'priority'].map((h, i) => (i === 0 ? h.padEnd(7) : h.padStart(9))).join(''));
  for (const t of index.tiles) {
    lines.push(t.tileId.padEnd(7) + String(geography.tileFootprint(t.tileId).epsg).padStart(9) +
      String(t.counties.length).padStart(9) + String(t.items).padStart(9) + t.priority.toFixed(2).padStart(9));
  }
  lines.push('');
  lines.push(`priority = county-equivalents a tile serves (sum of each county's share inside its footprint); done in ${formatDuration(elapsedMs)}`);
  lines.push(stored
    ? (stored.rebuilt ? 'the stored index was made from another tile source, bands or season: rebuilt from scratch\n' : '') +
      `stored in ${stored.where} under plan ${stored.plan}: ${stored.resumed.length} counties were already stored (not listed again); ` +
      (stored.complete ? 'the state index is complete' : 'the state index is not complete yet (counties restricted)')
    : 'not stored: give --plan to store the index in the plan\'s database and resume an interrupted run');
  return lines.join('\n') + '\n';
}
