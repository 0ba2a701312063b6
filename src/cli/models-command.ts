import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { BiomassError } from '../biomass-error.js';
import { redact } from '../secrets.js';
import type { CliIo } from './cli-io.js';

/** `biomass models list|load`: the NDVI-to-biomass models in the forestry tables. */
export function registerModelsCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  const models = program.command('models').description('the biomass models (form, coefficients, cover group, states, fit, citation) in the forestry tables');
  models
    .command('list')
    .description('list the models the plan\'s forestry database holds')
    .requiredOption('--plan <file>', 'the plan whose database to read')
    .option('--json', 'print JSON')
    .action(async (flags: { plan: string; json?: boolean }) => {
      await withForestry(flags.plan, io, async (db, table) => {
        const { listForestryModels, statesOf } = await import('../db/forestry-models-repository.js');
        const list = await listForestryModels(db, table);
        if (flags.json) {
          io.stdout.write(JSON.stringify(list, null, 2) + '\n');
          return;
        }
        for (const m of list) {
          const c = m.coefficients;
          const equation = m.form === 'linear' ? `${c.a} + ${c.b}*ndvi` : m.form === 'power' ? `${c.a}*ndvi^${c.b}` : `${c.a}*e^(${c.b}*ndvi)`;
          const states = statesOf(m);
          io.stdout.write(redact(`${m.modelId} v${m.modelVersion}  ${m.coverType}  ${states.length > 0 ? states.join(',') : 'anywhere'}  ${m.form}: ${equation} Mg/ha` +
            `${Object.keys(m.fitStats).length > 0 ? `  fit ${Object.entries(m.fitStats).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}` +
            `${m.illustrative ? '  ILLUSTRATIVE (not fitted to data)' : ''}\n   ${m.citation}\n`));
        }
        io.stdout.write(`${list.length} model(s)\n`);
      });
      state.exitCode = 0;
    });
  models
    .command('load')
    .description('load models from a CSV or YAML file (a model id loaded again is replaced)')
    .argument('<file>', 'CSV or YAML (docs/county.md)')
    .requiredOption('--plan <file>', 'the plan whose database to write')
    .action(async (file: string, flags: { plan: string }) => {
      const { parseModelFile } = await import('../biomass/model-file.js');
      const full = path.resolve(io.cwd, file);
      let text: string;
      try {
        text = await readFile(full, 'utf8');
      } catch (error) {
        throw new BiomassError('MODEL_FILE', `cannot read ${file}: ${(error as Error).message}`, { hint: 'check the path', exitCode: 2 });
      }
      const parsed = parseModelFile(file, text);
      await withForestry(flags.plan, io, async (db, table) => {
        const { upsertForestryModels } = await import('../db/forestry-models-repository.js');
        await db.transaction((tx) => upsertForestryModels(tx, parsed, table));
      });
      io.stdout.write(`loaded ${parsed.length} model(s) from ${file}${parsed.some((m) => m.illustrative) ? ' (some illustrative)' : ''}\n`);
      state.exitCode = 0;
    });
}

async function withForestry(planFile: string, io: CliIo, body: (db: import('../db/store.js').Store, table: string) => Promise<void>): Promise<void> {
  const { loadPlanOrThrow } = await import('../plan/load-plan.js');
  const { openStores } = await import('../db/open-store.js');
  const { databaseOf } = await import('../db/plan-database.js');
  const { prepareSchema } = await import('../db/migrations.js');
  const { plan } = await loadPlanOrThrow(planFile, { env: io.env, machineChecks: 'skip', cwd: io.cwd });
  const stores = await openStores(databaseOf(plan));
  try {
    await prepareSchema(stores);
    await body(stores.forestry, plan.forestry.table);
  } finally {
    await stores.close();
  }
}
