import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStoredFigures } from '../../src/dag/stored-figures.js';
import { layeredTileIndex } from '../../src/dag/tile-counts.js';
import { migrate } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import { recordMetrics, THROUGHPUT_METRICS } from '../../src/db/performance-metrics-repository.js';
import { startRun } from '../../src/db/runs-repository.js';
import { markStateIndexComplete, upsertCountyItems } from '../../src/db/tile-index-repository.js';
import { parsePlan } from '../../src/plan/parse-plan.js';
import { indexFingerprint } from '../../src/tiles/stored-state-index.js';
import type { Plan } from '../../src/plan/plan.js';
import { runBiomass } from '../support/cli.js';
import { planText } from '../support/plan-text.js';
import { useFreshDatabase } from '../support/postgres.js';
import { TEST_POOL } from '../db/backends.js';

const db = useFreshDatabase();
const dir = mkdtempSync(path.join(tmpdir(), 'biomass-stored-figures-'));

const planFile = (name: string, database: string) => planText({ name, database, rollout: '  counties: ["17113"]\n' });

function planOf(name: string, database: string, env: NodeJS.ProcessEnv = {}): Plan {
  const { plan, problems } = parsePlan(path.join(dir, `${name}.yaml`), planFile(name, database), { env, machineChecks: 'skip' });
  if (!plan) throw new Error(JSON.stringify(problems));
  return plan;
}

/**
 * Stores what an earlier run would have: 3 items of 16TCK for state 17, and measured
 * throughput. Each test seeds its own plan name (and run id), so each holds alone and in any order.
 */
async function seed(plan: Plan, runId = 'run-1'): Promise<void> {
  const planName = plan.name;
  const store = await openStore(plan.database.url, plan.database.embeddedDir, TEST_POOL);
  try {
    await migrate(store, 'state');
    const items = ['2024-06-01', '2024-06-11', '2024-06-21'].map((date) => ({
      itemId: `16TCK/${date}`, mgrsTile: '16TCK', acquiredOn: date, bandUris: {}, priority: 1,
    }));
    await upsertCountyItems(store, { planName, stateFips: '17', countyFips: '17113' }, items);
    await markStateIndexComplete(store, planName, '17', indexFingerprint(plan));
    const run = await startRun(store, { planName, planHash: 'h', runId });
    await recordMetrics(store, run.runId, [
      { scope: THROUGHPUT_METRICS.scope, name: THROUGHPUT_METRICS.downloadBytesPerSecond, value: 50e6, unit: 'B/s' },
      { scope: THROUGHPUT_METRICS.scope, name: THROUGHPUT_METRICS.parcelRate, value: 120, unit: 'parcels/s' },
    ]);
  } finally {
    await store.close();
  }
}

describe('figures the dry run reads from the plan\'s database', () => {
  it('with ${DATABASE_URL} unset, says so and reads nothing', async () => {
    const figures = await readStoredFigures(planOf('unset', '{ url: "${DATABASE_URL}" }'));
    expect(figures).toEqual({ note: 'not read (${DATABASE_URL} is unset); throughput from plan defaults' });
  });

  it('never creates an embedded database that does not exist', async () => {
    const plan = planOf('fresh', '{ embedded_dir: never-made }');
    const figures = await readStoredFigures(plan);
    expect(figures.note).toMatch(/embedded database not created yet/);
    expect(existsSync(path.join(dir, 'never-made'))).toBe(false);
  });

  it('an unreachable server means plan defaults, said in words, with no password shown', async () => {
    const figures = await readStoredFigures(planOf('down', '{ url: "${URL}" }', { URL: 'postgres://app:hunter22@127.0.0.1:1/none' }));
    expect(figures.measured).toBeUndefined();
    expect(figures.note).toMatch(/^not read \(.*\); throughput from plan defaults$/);
    expect(figures.note).not.toContain('hunter22');
  });

  it.each([
    { backend: 'postgres', database: () => `{ url: "${db.url}" }` },
    { backend: 'pglite', database: () => '{ embedded_dir: embedded }' },
  ])('on $backend: measured throughput and stored item counts replace the estimates', async ({ backend, database }) => {
    const plan = planOf(`seeded-${backend}`, database());
    await seed(plan);
    const figures = await readStoredFigures(plan);
    expect(figures.measured).toMatchObject({ downloadBytesPerSecond: 50e6, parcelRate: 120, source: expect.stringMatching(/^run run-1 of \d{4}-\d\d-\d\d \(measured\)$/) });
    expect(figures.measured?.preprocessTimeMs).toBeUndefined();
    expect(figures.tiles?.counts.get('16TCK')).toBe(3);
    expect(figures.tiles?.counts.has('16TBK')).toBe(false);
    expect(figures.tiles?.source).toMatch(/^the stored index of state 17 in (postgres|pglite) /);
    // Over the estimate: stored counts first, the season / revisit estimate for the rest.
    const index = layeredTileIndex(plan, [figures.tiles]);
    expect([index.itemsOf('16TCK'), index.itemsOf('16TBK'), index.estimated]).toEqual([3, 36, false]);

    // After the season is edited, the stored index describes another season: not used.
    const edited = { ...plan, season: { start: '2024-05-01', end: '2024-09-30' } };
    expect((await readStoredFigures(edited)).tiles).toBeUndefined();
  });

  it('biomass plan on an existing embedded database writes no row to it', async () => {
    const plan = planOf('untouched', '{ embedded_dir: embedded-untouched }');
    await seed(plan, 'run-untouched');
    const file = path.join(dir, 'untouched.yaml');
    writeFileSync(file, planFile('untouched', '{ embedded_dir: embedded-untouched }'));
    const counts = async () => {
      const store = await openStore('', plan.database.embeddedDir, TEST_POOL);
      try {
        const tables = await store.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'biomass' ORDER BY 1");
        const out: Record<string, number> = {};
        for (const { t } of tables.rows) out[t] = Number((await store.query<{ n: string }>(`SELECT count(*) AS n FROM biomass.${t}`)).rows[0]!.n);
        return out;
      } finally {
        await store.close();
      }
    };
    const before = await counts();
    expect(before['tile_items']).toBe(3);
    const result = await runBiomass(['plan', file, '--json'], { env: {} });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { inputs: { database: string } }).inputs.database).toMatch(/^measured figures from pglite /);
    expect(await counts()).toEqual(before);
  });

  it('biomass plan says which numbers were measured and which came from the plan', async () => {
    await seed(planOf('cli', `{ url: "${db.url}" }`), 'run-cli');
    const file = path.join(dir, 'cli.yaml');
    writeFileSync(file, planFile('cli', `{ url: "${db.url}" }`));
    const result = await runBiomass(['plan', file, '--json'], { env: {} });
    expect(result.code).toBe(0);
    const estimate = JSON.parse(result.stdout) as { inputs: { tileItems: { source: string; estimated: boolean }; throughput: Record<string, { value: number; source: string }>; database: string } };
    expect(estimate.inputs.throughput.downloadBytesPerSecond).toEqual({ value: 50e6, source: expect.stringMatching(/^run run-cli of .* \(measured\)$/) });
    expect(estimate.inputs.throughput.parcelRate?.value).toBe(120);
    expect(estimate.inputs.throughput.preprocessTimeMs).toEqual({ value: 90_000, source: 'plan (estimates.preprocess_time)' });
    expect(estimate.inputs.tileItems).toMatchObject({ estimated: false, source: expect.stringMatching(/stored index of state 17/) });
    expect(estimate.inputs.database).toMatch(/^measured figures from postgres 127\.0\.0\.1:5432\//);
  });
});
