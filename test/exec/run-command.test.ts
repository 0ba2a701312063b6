// `biomass run` and `biomass status` through main(argv, io) on a real PostgreSQL database,
// with the real index and verify runners and TEST DOUBLES of the preprocess, county and
// cleanup runners (test-runners.ts), which inject what these tests need on demand: failures,
// and counties held mid-way for interruptions. The real runners run end to end in
// test/demo-end-to-end.test.ts; the county step's own resume is in test/biomass/county-step.test.ts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listNodeStatus } from '../../src/db/node-status-repository.js';
import type { SignalSource } from '../../src/exec/stop-switch.js';
import { openStore } from '../../src/db/open-store.js';
import { DEFAULT_POOL } from '../../src/db/database-config.js';

import { useFreshDatabase } from '../support/postgres.js';
import { COUNTIES, makeRunFixture, runWith, TEST_TIMINGS, type RunFixture } from './run-fixture.js';
import { newBatchLog, parcelIds, testRunners, type BatchLog } from './test-runners.js';

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
    const rows = await expectedRows();
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

    // The run measured its parcel rate; the dry run of the same plan now uses it.
    const dry = await runWith(['plan', plan, '--json'], { cwd: fixture.dir, env: env() });
    const estimate = JSON.parse(dry.stdout) as { inputs: { throughput: { parcelRate: { source: string; value: number } } } };
    expect(estimate.inputs.throughput.parcelRate.source).toMatch(/^run [0-9a-f-]+ of \d{4}-\d\d-\d\d \(measured\)$/);
    expect(estimate.inputs.throughput.parcelRate.value).toBeGreaterThan(0);

    // Without a plan: every plan with runs in $DATABASE_URL's database.
    const all = await runWith(['status', '--json'], { cwd: fixture.dir, env: env() });
    expect((JSON.parse(all.stdout) as Array<{ plan: string }>).map((r) => r.plan)).toContain('whole');
  });

  it('--state-fips runs only states of the plan, and refuses one it does not name', async () => {
    const plan = await fixture.plan('only');
    const other = await runWith(['run', plan, '--state-fips', '18'], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(newBatchLog()) } });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/--state-fips 18: state 18 is not in only\.yaml \(rollout\.states: 17\)/);
    const il = await runWith(['run', plan, '--state-fips', 'IL'], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(newBatchLog()) } });
    expect(il.code).toBe(0);
    expect(il.stdout).toMatch(/^Done: 3\/3 counties/m);
  });
});

describe('biomass run, failures', () => {
  it('gives every county the one shared worker pool of processing.workers threads', async () => {
    const plan = await fixture.plan('pooled', { processing: '{ batch_size: 25, parallel_batches: 2, workers: 2 }' });
    const log = newBatchLog();
    const run = await runWith(['run', plan], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(log, { workerFile: path.resolve('test/exec/fixtures/sum-worker.mjs') }) } });
    expect(run.code).toBe(0);
    expect(log.pools.size).toBe(1);
    const [pool] = [...log.pools] as Array<{ options: { maxThreads: number } }>;
    expect(pool!.options.maxThreads).toBe(2);
    expect(log.sums).toHaveLength(log.committed.length);
    expect(log.sums).toContain(25 * 26 / 2);
  });

  it('retries a county that fails twice, then it succeeds; the failures are recorded', async () => {
    const plan = await fixture.plan('flaky');
    const log = newBatchLog();
    const run = await runWith(['run', plan], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(log, { failCounty: { '17039': 2 } }) } });
    expect(run.code).toBe(0);
    expect(log.attempts['17039']).toBe(3);
    expect((await outputsOf('flaky')).filter((r) => r.county_fips === '17039')).toHaveLength(fixture.counts['17039']!);
    await withStore(async (store) => {
      const [row] = (await listNodeStatus(store, 'flaky', { kind: 'county' })).filter((r) => r.nodeId === 'county:17039');
      expect(row).toMatchObject({ status: 'succeeded', failures: 2 });
      const retries = await store.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM biomass.run_events e JOIN biomass.runs r USING (run_id) WHERE r.plan_name = 'flaky' AND e.node_id = 'county:17039' AND e.code = 'retry'");
      expect(retries.rows[0]!.n).toBe(2);
    });
  });

  it('a county that always fails: exit 1, the others complete, its tiles are kept, the summary, status and webhook name it', async () => {
    const posts: Array<{ code: string; text: string }> = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        posts.push(JSON.parse(body) as { code: string; text: string });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const plan = await fixture.plan('broken', { notify: '{ webhook: "${HOOK}" }' });
      const log = newBatchLog();
      const run = await runWith(['run', plan], {
        cwd: fixture.dir, env: { ...env(), HOOK: `http://127.0.0.1:${port}/hook` },
        io: { nodeRunners: testRunners(log, { failCounty: { '17039': Infinity }, }) },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^✖ 17 IL {2}counties +2\/3 counties .* 1 failed/m);
      expect(run.stdout).toMatch(/^✔ 17 IL {2}Illinois {2}\(did not succeed: counties, verify\)$/m);
      expect(log.attempts['17039']).toBe(3); // the first try and processing.retry.attempts: 2
      expect(run.stdout).toMatch(/^Failed: 2\/3 counties/m);
      expect(run.stdout).toMatch(/^ {2}county:17039 \(17039 De Witt\): injected failure of county 17039 \(attempt 3\)$/m);
      expect(run.stdout).toMatch(/^ {2}verify:17 .*17039 De Witt 0 outputs of [\d,]+ parcels/m);
      expect(run.stdout).toMatch(/^Rerun what failed \(completed steps are skipped\): biomass run broken\.yaml$/m);
      const rows = await outputsOf('broken');
      for (const county of ['17113', '17147']) expect(rows.filter((r) => r.county_fips === county)).toHaveLength(fixture.counts[county]!);
      expect(rows.filter((r) => r.county_fips === '17039')).toHaveLength(0);
      // The cleanup (a test double here) saw the county's failure in node_status and kept its tiles.
      const keptFor = Object.values(log.kept).filter((failed) => failed.includes('county:17039'));
      expect(keptFor.length).toBeGreaterThan(0);
      expect(posts.map((p) => p.code)).toContain('NODE_FAILED');
      expect(posts.find((p) => p.code === 'NODE_FAILED')!.text).toMatch(/county:17039/);

      const status = await runWith(['status', plan, '--json'], { cwd: fixture.dir, env: env() });
      const report = JSON.parse(status.stdout) as { failed: Array<{ node: string; error: string; retry: string; failures: number }>; states: Array<{ complete: boolean }> };
      expect(report.states[0]!.complete).toBe(false);
      const county = report.failed.find((f) => f.node === 'county:17039')!;
      expect(county).toMatchObject({ retry: 'biomass run broken.yaml --state-fips 17', failures: 3 });
      expect(county.error).toMatch(/injected failure/);

      // Fixed, the same command finishes the county (and verify, cleanup) and nothing else.
      const fixed = newBatchLog();
      const rerun = await runWith(['run', plan], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(fixed) } });
      expect(rerun.code).toBe(0);
      expect(Object.keys(fixed.attempts)).toEqual(['17039']);
      // Its tiles, kept while it had failed, are cleaned up now that it is done.
      const tilesOf17039 = Object.keys(log.kept).filter((tile) => log.kept[tile]!.includes('county:17039'));
      for (const tile of tilesOf17039) expect(fixed.kept[tile]).toEqual([]);
      expect((await outputsOf('broken')).length).toBe(Object.values(fixture.counts).reduce((a, b) => a + b, 0));
    } finally {
      server.close();
    }
  });
});

describe('biomass run, one at a time', () => {
  it('a second run of the same plan refuses while the first is alive, naming its process', async () => {
    const plan = await fixture.plan('twice');
    let second: Awaited<ReturnType<typeof runWith>> | undefined;
    const first = await runWith(['run', plan], {
      cwd: fixture.dir, env: env(),
      io: {
        nodeRunners: testRunners(newBatchLog(), {
          afterBatch: async () => {
            second ??= await runWith(['run', plan], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(newBatchLog()) } });
          },
        }),
      },
    });
    expect(first.code).toBe(0);
    expect(second!.code).toBe(1);
    expect(second!.stderr).toContain(`plan twice is being run by process ${process.pid} on ${hostname()}`);
    expect(second!.stdout).toBe('');
  });
});

describe('biomass run, interrupted', () => {
  it('SIGINT during the counties: exit 130 with how to resume; the resumed run ends with the rows of an uninterrupted run, no batch redone twice', async () => {
    const plan = await fixture.plan('sigint');
    const signals = new EventEmitter();
    const before = newBatchLog();
    const stopped = await runWith(['run', plan], {
      cwd: fixture.dir, env: env(),
      io: {
        signals: signals as unknown as SignalSource,
        nodeRunners: testRunners(before, { afterBatch: () => { if (before.committed.length === 3) signals.emit('SIGINT'); } }),
      },
    });
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/^Stopped: /m);
    expect(stopped.stdout).toMatch(/Resume with: biomass run sigint\.yaml$/m);
    const partial = await outputsOf('sigint');
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(Object.values(fixture.counts).reduce((a, b) => a + b, 0));

    await expectSafeResume(plan, 'sigint', before);
  });

  it('a second SIGINT stops at once, and resuming is still safe', async () => {
    const plan = await fixture.plan('sigint2');
    const signals = new EventEmitter();
    const before = newBatchLog();
    const stopped = await runWith(['run', plan], {
      cwd: fixture.dir, env: env(),
      io: {
        signals: signals as unknown as SignalSource,
        runTimings: { ...TEST_TIMINGS, graceMs: 600_000 },
        nodeRunners: testRunners(before, {
          batchDelayMs: 300,
          afterBatch: () => {
            if (before.committed.length === 2) {
              signals.emit('SIGINT');
              setTimeout(() => signals.emit('SIGINT'), 20);
            }
          },
        }),
      },
    });
    expect(stopped.code).toBe(130);
    await expectSafeResume(plan, 'sigint2', before);
  });

  it('SIGKILL of a run in another process: the next run takes over its lock and leases and finishes with the same rows', async () => {
    const plan = await fixture.plan('sigkill');
    await runWith(['db', 'migrate', '--database-url', database.url], { cwd: fixture.dir, env: env() });
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/exec/run-child.ts', plan, fixture.dir], {
      env: { ...process.env, DATABASE_URL: database.url }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const checkpointsNow = () => withStore(async (store) => new Map((await store.query<{ county_fips: string; last_batch: number }>(
      "SELECT county_fips, last_batch FROM biomass.county_checkpoints WHERE plan_name = 'sigkill'")).rows.map((r) => [r.county_fips, Number(r.last_batch)])));
    // Killed once it has committed a few batches of its counties.
    for (let i = 0; i < 600 && [...(await checkpointsNow()).values()].reduce((a, b) => a + b + 1, 0) < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // While it is alive, a second `biomass run` of the plan (this process) refuses, naming it.
    const refused = await runWith(['run', plan], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(newBatchLog()) } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`plan sigkill is being run by process ${child.pid} on ${hostname()}`);
    child.kill('SIGKILL');
    await exited;
    const checkpoints = await checkpointsNow();
    expect([...checkpoints.values()].reduce((a, b) => a + b + 1, 0), out).toBeGreaterThanOrEqual(3);

    const after = newBatchLog();
    const resumed = await runWith(['run', plan], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(after) } });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(await outputsOf('sigkill')).toEqual(await expectedRows());
    for (const [county, last] of checkpoints) {
      expect(after.committed.filter((b) => b.county === county && b.batch <= last).length).toBeLessThanOrEqual(1);
    }
    const runs = await withStore(async (store) => (await store.query<{ status: string; error: string | null }>(
      "SELECT status, error FROM biomass.runs WHERE plan_name = 'sigkill' ORDER BY started_at")).rows);
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'succeeded']);
    expect(runs[0]!.error).toMatch(/is gone; taken over by run/);
  });
});

describe('biomass run after a run died on another machine', () => {
  it('takes the expired run lock, waits out the lease the dead run still holds on a county, then takes the county over', async () => {
    const plan = await fixture.plan('elsewhere');
    // The state a run killed on another host leaves behind (written directly: no second machine here).
    await withStore(async (store) => {
      await runWith(['db', 'migrate', '--database-url', database.url], { cwd: fixture.dir, env: env() });
      await store.query(`INSERT INTO biomass.run_locks (plan_name, run_id, host, pid, expires_at)
        VALUES ('elsewhere', 'dead-run', 'other-host', 4242, now() - interval '1 second')`);
      await store.query(`INSERT INTO biomass.node_status (plan_name, node_id, kind, state_fips, county_fips, status, attempt, run_id, lease_owner, lease_expires_at)
        VALUES ('elsewhere', 'county:17113', 'county', '17', '17113', 'running', 1, 'dead-run', 'other-host:4242:dead-run', now() + interval '1500 milliseconds')`);
    });
    const log = newBatchLog();
    const run = await runWith(['run', plan], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(log) } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(log.committed.some((b) => b.county === '17113' && b.attempt === 2)).toBe(true);
    expect((await outputsOf('elsewhere')).length).toBe(Object.values(fixture.counts).reduce((a, b) => a + b, 0));
  });
});

describe('biomass run --json and the embedded database', () => {
  it('--json streams one event per line and ends with the summary; the backup hook runs before the state; metrics are served', async () => {
    const plan = await fixture.plan('json', { database: '{ url: "${DATABASE_URL}", backup: { before_state: true, dir: work/json/backups } }' });
    let stdout = '';
    const scrapes: string[] = [];
    const run = await runWith(['run', plan, '--json', '--metrics-port', '0'], {
      cwd: fixture.dir, env: env(),
      io: {
        stdout: { write: (s: string) => (stdout += s) },
        nodeRunners: testRunners(newBatchLog(), {
          afterBatch: async () => {
            const port = /"metricsPort":(\d+)/.exec(stdout)?.[1];
            if (port && scrapes.length === 0) scrapes.push(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
          },
        }),
      },
    });
    expect(run.code).toBe(0);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; node?: string; end?: string; status?: string; file?: string });
    expect(events[0]!.type).toBe('run-start');
    const backup = events.find((e) => e.type === 'backup')!;
    expect(backup.file).toMatch(/work\/json\/backups\/json-state-17-.*\.dump$/);
    expect(existsSync(backup.file!)).toBe(true);
    expect(scrapes[0]).toMatch(/^biomass_nodes\{status="running"\} [1-9]/m);
    expect(scrapes[0]).toMatch(/^biomass_parcels_total [1-9]/m);
    expect(scrapes[0]).toMatch(/^biomass_read_bytes_total\{path="streamed"\} [1-9]/m);
    expect(scrapes[0]).toMatch(/^biomass_cache_hit_ratio 0\.\d+/m);
    expect(scrapes[0]).toMatch(/^biomass_free_bytes \d+/m);
    expect(events.filter((e) => e.type === 'node-end' && e.end === 'succeeded').map((e) => e.node)).toContain('county:17113');
    expect(events.at(-1)).toMatchObject({ type: 'summary', status: 'succeeded' });
  });

  it('runs on PGlite (the embedded default) and a second run has nothing to do', async () => {
    const plan = await fixture.plan('embedded', { database: '{ embedded_dir: work/embedded/db }' });
    const run = await runWith(['run', plan], { cwd: fixture.dir, env: {}, io: { nodeRunners: testRunners(newBatchLog()) } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Outputs: biomass\.parcel_outputs in pglite /);
    const again = await runWith(['run', plan], { cwd: fixture.dir, env: {}, io: { nodeRunners: testRunners(newBatchLog()) } });
    expect(again.stdout).toMatch(/^Nothing to do/);
    const status = await runWith(['status', plan], { cwd: fixture.dir, env: {} });
    expect(status.stdout).toMatch(/State 17 IL: complete/);
    const csv = await runWith(['status', plan, '--outputs'], { cwd: fixture.dir, env: {} });
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^parcel_id,county_fips,status,/);
    expect(lines).toHaveLength(1 + Object.values(fixture.counts).reduce((a, b) => a + b, 0));
  });
});

/** One output per parcel of the GeoPackage: the rows of an uninterrupted run (the first test shows it). */
async function expectedRows(): Promise<Array<{ parcel_id: string; county_fips: string; n: number }>> {
  const rows = [];
  for (const county of COUNTIES) {
    for (const id of await parcelIds(fixture.parcels, 'parcels', 'county_fips', 'parcel_id', county)) rows.push({ parcel_id: id, county_fips: county, n: 1 });
  }
  return rows.sort((a, b) => (a.parcel_id < b.parcel_id ? -1 : a.parcel_id > b.parcel_id ? 1 : 0));
}

/** Batches committed again after the interruption, per county, at most. */
/**
 * Runs the plan again after an interruption: it finishes (exit 0) with exactly the rows of an
 * uninterrupted run, and redoes at most one batch per county.
 */
async function expectSafeResume(plan: string, planName: string, before: BatchLog): Promise<void> {
  const after = newBatchLog();
  const resumed = await runWith(['run', plan], { cwd: fixture.dir, env: env(), io: { nodeRunners: testRunners(after) } });
  expect(resumed.code).toBe(0);
  expect(await outputsOf(planName)).toEqual(await expectedRows());
  expect(redoneBatches(before, after)).toBeLessThanOrEqual(1);
}

function redoneBatches(before: BatchLog, after: BatchLog): number {
  let most = 0;
  for (const county of COUNTIES) {
    const done = new Set(before.committed.filter((b) => b.county === county).map((b) => b.batch));
    most = Math.max(most, after.committed.filter((b) => b.county === county && done.has(b.batch)).length);
  }
  return most;
}
