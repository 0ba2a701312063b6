// Storage admission and alerts of `biomass run`: the storage budget near full, and live free
// space. Free space is read by the executor from the disk; to make it run short on demand,
// the one test that needs it passes a reading of its own (an injected fault: no real disk
// can be filled to order here). Runners: the real index and verify runners, TEST DOUBLES of
// preprocess, county and cleanup (test-runners.ts; theirs are not in this branch).
import { beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../src/exec/run-plan.js';
import { loadPlanOrThrow } from '../../src/plan/load-plan.js';
import { useFreshDatabase } from '../support/postgres.js';
import { makeRunFixture, runWith, TEST_TIMINGS, type RunFixture } from './run-fixture.js';
import { newBatchLog, testRunners } from './test-runners.js';

const database = useFreshDatabase();
let fixture: RunFixture;

beforeAll(async () => {
  fixture = await makeRunFixture();
});

interface Event { type: string; code?: string; message?: string; status?: string; node?: string; end?: string }

describe('biomass run and storage', () => {
  it('alerts when the storage budget is nearly all claimed, and still finishes within it', async () => {
    // 4 tiles x 2 items x 2 MB stay until their cleanup; one 1 MB original per running job.
    const plan = await fixture.plan('tight', { storage: '{ dir: work/tight/tmp, min_free: 1MB, budget: 18MB, tile_size: { compressed: 1MB, uncompressed: 2MB } }' });
    const run = await runWith(['run', plan, '--json'], { cwd: fixture.dir, env: { DATABASE_URL: database.url }, io: { nodeRunners: testRunners(newBatchLog()) } });
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);
    const alert = events.find((e) => e.type === 'alert' && e.code === 'BUDGET_NEAR_FULL');
    expect(alert?.message).toMatch(/of storage\.budget 18 MB is in use/);
    expect(events.at(-1)).toMatchObject({ type: 'summary', status: 'succeeded' });
  });

  it('with free space under storage.min_free nothing that needs disk starts: alert, stall reported, exit status failed', async () => {
    const file = await fixture.plan('full');
    const { plan } = await loadPlanOrThrow(file, { env: { DATABASE_URL: database.url }, machineChecks: 'skip', cwd: fixture.dir });
    let out = '';
    const outcome = await runPlan({
      plan, planArg: file, states: [], json: true, timings: TEST_TIMINGS,
      out: { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, env: {}, cwd: fixture.dir },
      runners: testRunners(newBatchLog()),
      // Injected fault: the disk has 500 KB free, below storage.min_free (1 MB).
      readDisk: async () => ({ freeBytes: 500_000, writtenBytes: 0, capacityBytes: 0 }),
    });
    expect(outcome.nothingToDo).toBe(false);
    if (outcome.nothingToDo) return;
    expect(outcome.status).toBe('failed');
    expect(outcome.stalled.join('; ')).toMatch(/preprocess:\w+\/\d+ waits for disk/);
    const events = out.trim().split('\n').map((l) => JSON.parse(l) as Event);
    expect(events.find((e) => e.code === 'FREE_SPACE_LOW')?.message).toMatch(/free space under storage\.dir is 500 KB, near storage\.min_free 1 MB/);
    expect(events.find((e) => e.code === 'STALLED')?.message).toMatch(/preprocess:\w+\/\d+ waits for disk/);
    // Under min_free, the run tries an emergency cleanup first; no state is complete, so nothing is freed.
    expect(events.find((e) => e.code === 'EMERGENCY_CLEANUP')?.message).toMatch(/fell below storage\.min_free: no completed state had tiles to free/);
    // The index needs no disk and ran; no tile was converted.
    expect(events.filter((e) => e.type === 'node-end' && e.end === 'succeeded').map((e) => e.node)).toEqual(['index:17']);
  });
});
