import type { Command } from 'commander';
import { BiomassError } from '../biomass-error.js';
import type { CliIo } from './cli-io.js';

interface CleanupFlags {
  stateFips?: string;
  plan: string;
  verifyCompletion?: boolean;
  force?: boolean;
  emergency?: boolean;
}

/**
 * `biomass cleanup --state-fips 17 --plan PLAN [--verify-completion] [--force]`: deletes the
 * state's temporary tiles under storage.dir that nothing needs any more, and reports the
 * space reclaimed (measured) beside what the database recorded. `--emergency` frees
 * completed states' tiles, oldest first, until free space is above storage.min_free.
 */
export function registerCleanupCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('cleanup')
    .description("delete a state's temporary tiles under storage.dir once its counties are complete; never originals, never outside storage.dir")
    .option('--state-fips <code>', 'state FIPS (17) or postal code (IL); required unless --emergency')
    .requiredOption('--plan <file>', 'the plan: storage.dir and the database')
    .option('--verify-completion', 'also recount each county\'s outputs against the parcel source')
    .option('--force', 'delete the tiles of failed or unfinished counties too (tiles another state needs are still kept)')
    .option('--emergency', "free completed states' tiles, oldest first, until free space is above storage.min_free")
    .action(async (flags: CleanupFlags) => {
      if (!flags.stateFips && !flags.emergency) {
        throw new BiomassError('BAD_FLAG', 'cleanup needs --state-fips (or --emergency)', { hint: 'e.g. biomass cleanup --state-fips 17 --plan plans/demo.yaml', exitCode: 2 });
      }
      const { loadPlanOrThrow } = await import('../plan/load-plan.js');
      const { plan } = await loadPlanOrThrow(flags.plan, { env: io.env, machineChecks: 'skip', cwd: io.cwd });
      const { checkStorageDir } = await import('../tiles/storage-dir-guard.js');
      // Refuse a dangerous storage.dir before opening anything.
      await checkStorageDir(plan.storage.dir, io.env);
      const { openStores } = await import('../db/open-store.js');
      const { databaseOf } = await import('../db/plan-database.js');
      const { prepareSchema } = await import('../db/migrations.js');
      const { formatBytes } = await import('../plan/units.js');
      const { redact } = await import('../secrets.js');
      const { cleanupState, emergencyCleanup } = await import('../tiles/state-cleanup.js');
      const out = (line: string) => io.stdout.write(redact(line) + '\n');
      const err = (line: string) => io.stderr.write(redact(line) + '\n');
      const measured = (before: number | null, after: number | null) =>
        before === null || after === null ? 'free space could not be read' : `free space ${formatBytes(before)} -> ${formatBytes(after)} (${formatBytes(Math.max(0, after - before))} reclaimed, measured)`;

      const stores = await openStores(databaseOf(plan));
      try {
        await prepareSchema(stores);
        if (flags.emergency) {
          const r = await emergencyCleanup({ plan, db: stores.state, env: io.env });
          out(`cleanup --emergency: freed ${r.deleted.length} files of ${r.freedStates.length > 0 ? `state ${r.freedStates.join(', ')} (completed, oldest first)` : 'no state (no completed state holds tiles)'}: ` +
            `${formatBytes(r.bytesRecorded)} recorded, ${formatBytes(r.bytesRemoved)} removed; ${measured(r.freeBefore, r.freeAfter)}`);
          for (const reason of r.refused) err(`  not deleted: ${reason}`);
          if (!r.enough) {
            err(`free space is still below storage.min_free ${formatBytes(plan.storage.minFreeBytes)} under ${r.storageDir}`);
            state.exitCode = 1;
          }
          if (!flags.stateFips) return;
        }
        const { loadGeography } = await import('../geo/geography.js');
        const st = (await loadGeography()).state(flags.stateFips!);
        let parcelCountOf: ((fips: string) => number | undefined) | undefined;
        if (flags.verifyCompletion) {
          const { readParcelCounts } = await import('../dag/parcel-counts.js');
          const counts = await readParcelCounts(plan);
          if (!counts.counts) err(`--verify-completion: the parcel source ${counts.unreadable ?? 'cannot be read'}; counties cannot be verified`);
          parcelCountOf = counts.counts?.countOf;
        }
        const r = await cleanupState({ plan, db: stores.state, state: st.fips, verifyCompletion: flags.verifyCompletion, force: flags.force, parcelCountOf, env: io.env });
        for (const c of r.counties) if (c.state !== 'complete' || flags.verifyCompletion) err(`  county ${c.countyFips}: ${c.state} (${c.detail})`);
        const keptReasons = [...new Set(r.kept.map((k) => k.reason))];
        for (const reason of keptReasons) err(`  kept ${r.kept.filter((k) => k.reason === reason).length} items: ${reason}`);
        for (const reason of r.refused) err(`  not deleted: ${reason}`);
        const items = new Set(r.deleted.map((d) => d.itemId)).size;
        const forced = r.forced && r.counties.some((c) => c.state !== 'complete') ? ' (--force: counties not complete)' : '';
        if (r.deleted.length === 0) {
          out(`cleanup ${st.postal}: nothing deleted under ${r.storageDir}${r.kept.length > 0 ? `; ${r.kept.length} items kept` : ': no temporary tiles recorded for the state'}`);
        } else {
          out(`cleanup ${st.postal}: deleted ${r.deleted.length} files of ${items} items under ${r.storageDir}${forced}: ${formatBytes(r.bytesRecorded)} recorded in the database, ` +
            `${formatBytes(r.bytesRemoved)} removed; ${measured(r.freeBefore, r.freeAfter)}${r.kept.length > 0 ? `; ${r.kept.length} items kept` : ''}`);
        }
        if (r.refused.length > 0) state.exitCode = 1;
      } finally {
        await stores.close();
      }
    });
}
