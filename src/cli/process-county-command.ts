import type { Command } from 'commander';
import { BiomassError } from '../biomass-error.js';
import { formatBytes, formatDuration } from '../plan/units.js';
import { redact } from '../secrets.js';
import type { CliIo } from './cli-io.js';

interface ProcessCountyFlags {
  fips: string;
  plan: string;
  batchSize?: string;
  json?: boolean;
}

/** `biomass process-county --fips 17113 --plan PLAN`: the county step by hand (resumable). */
export function registerProcessCountyCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('process-county')
    .description('compute biomass for every parcel of one county; resumes after its last committed batch')
    .requiredOption('--fips <code>', '5-digit county FIPS, e.g. 17113 (McLean, IL)')
    .requiredOption('--plan <file>', 'the plan: tile source, parcels, database, processing settings')
    .option('--batch-size <n>', 'parcels per batch (default: processing.batch_size)')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: ProcessCountyFlags) => {
      const batchSize = flags.batchSize === undefined ? undefined : Number(flags.batchSize);
      if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 100_000)) {
        throw new BiomassError('USAGE', `--batch-size ${flags.batchSize} is not a whole number from 1 to 100000`, { exitCode: 2 });
      }
      if (!/^\d{5}$/.test(flags.fips)) throw new BiomassError('USAGE', `--fips ${flags.fips} is not a 5-digit county FIPS code`, { hint: 'e.g. --fips 17113', exitCode: 2 });
      const { loadPlanOrThrow } = await import('../plan/load-plan.js');
      const { openStores } = await import('../db/open-store.js');
      const { databaseOf } = await import('../db/plan-database.js');
      const { prepareSchema } = await import('../db/migrations.js');
      const { loadGeography } = await import('../geo/geography.js');
      const { processCounty } = await import('../biomass/county-step.js');
      const { plan } = await loadPlanOrThrow(flags.plan, { env: io.env, machineChecks: 'skip', cwd: io.cwd }); // disk checks are for preprocessing; the parcel source is checked when opened
      const geography = await loadGeography();
      const county = geography.county(flags.fips);
      const stores = await openStores(databaseOf(plan));
      try {
        await prepareSchema(stores);
        let shown = -1;
        const summary = await processCounty({
          plan, countyFips: flags.fips, batchSize, stores: { db: stores.state, forestry: stores.forestry, geography },
          onProgress: flags.json ? undefined : (p) => {
            const tenth = Math.floor((p.done / p.total) * 10);
            if (tenth === shown && p.done !== p.total) return;
            shown = tenth;
            io.stderr.write(`county ${flags.fips} ${county.name}: ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} parcels` +
              `  ${Math.round(p.rate)}/s  ETA ${Number.isFinite(p.etaMs) ? formatDuration(p.etaMs) : '?'}\n`);
          },
        });
        if (flags.json) {
          io.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        } else {
          const statuses = Object.entries(summary.byStatus).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n.toLocaleString('en-US')}`).join(', ');
          const r = summary.reads.byPath;
          const written = Object.values(summary.byStatus).reduce((a, b) => a + b, 0);
          io.stdout.write(redact([
            `county ${flags.fips} ${county.name}: ${summary.parcels.toLocaleString('en-US')} parcels in ${summary.batches} batches` +
              (summary.resumedBatches > 0 ? ` (${summary.resumedBatches} already committed, skipped)` : ''),
            `  written this run: ${written.toLocaleString('en-US')}${statuses ? ` (${statuses})` : ''}`,
            `  block reads: local ${r.local.blocks}, streamed ${r.streamed.blocks}, downloaded ${r.downloaded.blocks}` +
              `  (${(summary.streamedOrLocalShare * 100).toFixed(1)} % streamed or local), ${formatBytes(summary.bytesRead)} decoded`,
            ...(summary.reads.ranged.requests > 0
              ? [`  streamed by exact byte ranges: ${formatBytes(summary.reads.ranged.bytes)} in ${summary.reads.ranged.requests} requests, headers ${formatBytes(summary.reads.ranged.headerBytes)}`]
              : []),
            ...summary.reads.gdalFallbacks.slice(0, 3).map((why) => `  read through GDAL instead: ${why}`),
            ...(summary.reads.gdalFallbacks.length > 3 ? [`  ... and ${summary.reads.gdalFallbacks.length - 3} more bands read through GDAL`] : []),
            `  block cache: ${summary.cache.hits} hits, ${summary.cache.misses} misses, ${summary.cache.evictions} evictions, peak ${formatBytes(summary.cache.peakBytes)} of ${formatBytes(summary.cache.maxBytes)}`,
            `  time ${formatDuration(summary.elapsedMs)}; outputs in ${stores.state.description} (biomass.parcel_outputs)`,
          ].join('\n') + '\n'));
        }
        state.exitCode = 0;
      } finally {
        await stores.close();
      }
    });
}
