import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { BiomassError } from '../biomass-error.js';
import type { CliIo } from './cli-io.js';

interface PreprocessFlags {
  stateFips: string;
  plan: string;
  parallelJobs?: string;
  storageDir?: string;
}

/**
 * `biomass preprocess --state-fips 17 --plan PLAN`: converts the state's non-streamable
 * originals (or all of them, as sources.tiles.preprocess says) to COGs under storage.dir,
 * with progress on stderr and a summary on stdout. Resumable; a second run converts nothing.
 */
export function registerPreprocessCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('preprocess')
    .description("convert a state's tile items to streamable COGs under storage.dir (those the probe finds not streamable, or as sources.tiles.preprocess says); resumable")
    .requiredOption('--state-fips <code>', 'state FIPS (17) or postal code (IL)')
    .requiredOption('--plan <file>', 'the plan: tile source, storage, preprocess settings and database')
    .option('--parallel-jobs <n>', 'conversions at once (default preprocess.parallel_jobs)')
    .option('--storage-dir <dir>', 'where converted tiles go (default storage.dir)')
    .action(async (flags: PreprocessFlags) => {
      const jobs = flags.parallelJobs === undefined ? undefined : Number(flags.parallelJobs);
      if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)) {
        throw new BiomassError('BAD_FLAG', `--parallel-jobs ${flags.parallelJobs} is not a whole number from 1 to 64`, { hint: 'e.g. --parallel-jobs 8', exitCode: 2 });
      }
      const { loadPlanOrThrow } = await import('../plan/load-plan.js');
      const { plan } = await loadPlanOrThrow(flags.plan, { env: io.env, machineChecks: 'skip', cwd: io.cwd });
      const { loadGeography } = await import('../geo/geography.js');
      const { openStores } = await import('../db/open-store.js');
      const { databaseOf } = await import('../db/plan-database.js');
      const { prepareSchema } = await import('../db/migrations.js');
      const { startRun, finishRun } = await import('../db/runs-repository.js');
      const { preprocessStateFromStore } = await import('../tiles/stored-preprocess.js');
      const { formatBytes, formatDuration } = await import('../plan/units.js');
      const { redact } = await import('../secrets.js');
      const err = (line: string) => io.stderr.write(redact(line) + '\n');
      const out = (line: string) => io.stdout.write(redact(line) + '\n');

      // Refuse a dangerous storage.dir before opening anything.
      const { checkStorageDir } = await import('../tiles/storage-dir-guard.js');
      await checkStorageDir(flags.storageDir === undefined ? plan.storage.dir : path.resolve(io.cwd, flags.storageDir), io.env);
      // Conversions run on libuv's pool, sized once at start (bin/biomass.js): more jobs than threads wait.
      const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
      const wanted = jobs ?? plan.preprocess.parallelJobs;
      if (wanted > poolSize) err(`preprocess: ${wanted} parallel jobs but libuv's pool has ${poolSize} threads; set UV_THREADPOOL_SIZE=${wanted + 2} before starting biomass to run them all at once`);
      const geography = await loadGeography();
      const st = geography.state(flags.stateFips);
      const storageDir = flags.storageDir === undefined ? undefined : path.resolve(io.cwd, flags.storageDir);
      const stores = await openStores(databaseOf(plan));
      try {
        await prepareSchema(stores);
        const planHash = createHash('sha256').update(await readFile(path.resolve(io.cwd, flags.plan))).digest('hex');
        const run = await startRun(stores.state, { planName: plan.name, planHash, runId: `preprocess-${st.fips}-${new Date().toISOString()}` });
        let shown = -1;
        try {
          const summary = await preprocessStateFromStore({
            plan, db: stores.state, geography, state: st.fips, parallelJobs: jobs, storageDir, runId: run.runId,
            onIndexing: () => err(`preprocess ${st.postal}: the state is not indexed yet: indexing first`),
            onProgress: (p) => {
              // About ten lines whatever the state's size.
              const tenth = Math.floor((p.itemsDone / Math.max(1, p.itemsTotal)) * 10);
              if (tenth === shown && p.itemsDone !== p.itemsTotal) return;
              shown = tenth;
              const eta = p.etaMs === undefined ? '' : `  ETA ${formatDuration(p.etaMs)}`;
              err(`preprocess ${st.postal}: ${p.itemsDone}/${p.itemsTotal} items  ${formatBytes(p.bytesPerSecond)}/s${eta}`);
            },
          });
          for (const f of summary.failed) err(`  failed  ${f.reason}`);
          const where = storageDir ?? plan.storage.dir;
          const head = `preprocess ${st.postal} (${summary.items} items, sources.tiles.preprocess: ${summary.mode}):`;
          if (summary.converted === 0 && summary.failed.length === 0) {
            out(`${head} nothing to convert: ${summary.alreadyDone} band files already converted and hash-valid, ${summary.skippedStreamable} streamable in place`);
          } else {
            out(`${head} converted ${summary.converted} band files of ${summary.itemsConverted} items${summary.redone > 0 ? ` (${summary.redone} redone: leftover .tmp or hash mismatch)` : ''}, ` +
              `skipped ${summary.skippedStreamable} as streamable, ${summary.alreadyDone} already done, ${summary.failed.length} failed; ` +
              `${formatBytes(summary.bytesIn)} in, ${formatBytes(summary.bytesOut)} out, ${formatDuration(summary.ms)}`);
          }
          out(`  converted tiles are in ${where}/${st.fips}; reads use them first (docs/tiles.md)`);
          await finishRun(stores.state, run.runId, summary.failed.length > 0 ? 'failed' : 'succeeded', summary.failed.length > 0 ? `${summary.failed.length} band files failed` : undefined);
          if (summary.failed.length > 0) {
            err(`${summary.failed.length} band files failed (recorded with their reasons); run the command again to retry them`);
            state.exitCode = 1;
          }
        } catch (error) {
          await finishRun(stores.state, run.runId, 'failed', redact((error as Error).message)).catch(() => {});
          throw error;
        }
      } finally {
        await stores.close();
      }
    });
}
