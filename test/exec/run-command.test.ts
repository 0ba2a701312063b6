// `biomass run` and `biomass status` through main(argv, io) on a real PostgreSQL database,
// with the real index and verify runners and TEST DOUBLES of the preprocess, county and
// cleanup runners (test-runners.ts: their real runners are not in this branch).
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/open-store.js';
import { DEFAULT_POOL } from '../../src/db/database-config.js';

import { useFreshDatabase } from '../support/postgres.js';
import { COUNTIES, makeRunFixture, runWith, type RunFixture } from './run-fixture.js';
import { newBatchLog, testRunners } from './test-runners.js';

const database = useFreshDatabase();
let fixture: RunFixture;
const env = () => ({ DATABASE_URL: database.url });

beforeAll(async () => {
  fixture = await makeRunFixture();
});

async function withStore<T>(body: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore(database.url, '', DEFAULT_POOL);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

async function outputsOf(plan: string): Promise<Array<{ parcel_id: string; county_fips: string; n: number }>> {
  return withStore(async (store) => (await store.query<{ parcel_id: string; county_fips: string; n: number }>(
    'SELECT parcel_id, county_fips, count(*)::int AS n FROM biomass.parcel_outputs WHERE plan_name = $1 GROUP BY 1, 2 ORDER BY 1',
    [plan],
  )).rows);
}

describe('biomass run', () => {
  it('runs a plan to the end through a pipe: simple renderer, no escape codes, one summary; then nothing to do; status shows it', async () => {
    const plan = await fixture.plan('whole');
    const log = newBatchLog();
    const run = await runWith(['run', plan], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(log) } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/\x1b/);
    expect(run.stdout.match(/^Done: /gm)).toHaveLength(1);
    expect(run.stdout).toMatch(/✔ 17 IL {2}counties +3\/3 counties {2}[\d,]+\/[\d,]+ parcels/);
    expect(run.stdout).toMatch(/Log: work\/whole\/runs\/[0-9a-f-]+\/run\.log/);
    const total = Object.values(fixture.counts).reduce((a, b) => a + b, 0);
    const rows = await outputsOf('whole');
    expect(rows).toHaveLength(total);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    for (const county of COUNTIES) expect(rows.filter((r) => r.county_fips === county)).toHaveLength(fixture.counts[county]!);

    const again = await runWith(['run', plan], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(newBatchLog()) } });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to do: all \d+ steps of plan whole are done/);

    const status = await runWith(['status', plan], { cwd: fixture.dir, env: env() });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/State 17 IL: complete; index 1\/1, preprocess \d+\/\d+, counties 3\/3, verify 1\/1, cleanup \d+\/\d+/);
    expect(status.stdout).toMatch(new RegExp(`county 17113 McLean: succeeded, ${fixture.counts['17113']!.toLocaleString('en-US')} parcel outputs`));
    expect(status.stdout).toMatch(/succeeded .* run [0-9a-f-]+/);
  });
});
