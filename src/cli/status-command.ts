import type { Command } from 'commander';
import { BiomassError } from '../biomass-error.js';
import { defaultDatabaseConfig } from '../db/database-config.js';
import { prepareSchema } from '../db/migrations.js';
import { openStores } from '../db/open-store.js';
import { databaseOf } from '../db/plan-database.js';
import { listRecentRuns } from '../db/runs-repository.js';
import { loadGeography } from '../geo/geography.js';
import { loadPlanOrThrow } from '../plan/load-plan.js';
import { redact } from '../secrets.js';
import type { CliIo } from './cli-io.js';
import { relativePlanPath } from './plan-path.js';

export function registerStatusCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('status')
    .argument('[plan]', "plan file (YAML); without it, the plans with runs in $DATABASE_URL's database (else .biomass/db)")
    .description('what is done, running and failed, from the database: last runs, per-state progress, the command to retry')
    .option('--json', 'print one JSON object')
    .option('--outputs', "print the plan's parcel outputs as CSV instead (with PLAN; --county narrows them)")
    .option('--county <fips>', 'with --outputs: only this county (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
    .action(async (given: string | undefined, flags: { json?: boolean; outputs?: boolean; county: string[] }) => {
      const write = (text: string) => io.stdout.write(redact(text));
      const planArg = given === undefined ? undefined : relativePlanPath(given, io.cwd);
      if (flags.outputs && planArg === undefined) {
        throw new BiomassError('BAD_FLAG', '--outputs needs the plan whose outputs to print', { hint: 'biomass status plans/demo.yaml --outputs > outputs.csv', exitCode: 2 });
      }
      const plan = planArg === undefined ? undefined : (await loadPlanOrThrow(planArg, { env: io.env, machineChecks: 'skip', cwd: io.cwd })).plan;
      const config = plan ? databaseOf(plan) : defaultDatabaseConfig(io.cwd, io.env['DATABASE_URL'] ?? '');
      const { statusReport, statusText } = await import('../exec/status-report.js');
      const [stores, geography] = await Promise.all([openStores(config), loadGeography()]);
      try {
        await prepareSchema(stores);
        if (flags.outputs && plan) {
          const { writeOutputsCsv } = await import('../exec/outputs-csv.js');
          await writeOutputsCsv(stores.state, plan.name, (text) => io.stdout.write(text), flags.county);
          state.exitCode = 0;
          return;
        }
        const names = plan ? [plan.name] : [...new Set((await listRecentRuns(stores.state, 100)).map((r) => r.planName))];
        const reports = [];
        for (const name of names) reports.push(await statusReport(stores.state, geography, name, planArg ?? 'PLAN'));
        if (flags.json) write(JSON.stringify(plan ? reports[0] : reports, null, 2) + '\n');
        else if (reports.length === 0) write(`No runs in ${stores.state.description}. Start one with \`biomass run PLAN\`.\n`);
        else write(reports.map((r) => statusText(r)).join('\n'));
        state.exitCode = 0;
      } finally {
        await stores.close();
      }
    });
}
