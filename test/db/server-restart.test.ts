import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { commitCountyBatch } from '../../src/db/county-batch.js';
import { getCountyCheckpoint } from '../../src/db/county-checkpoints-repository.js';
import type { PoolConfig } from '../../src/db/database-config.js';
import { migrate } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import { countOutputs } from '../../src/db/parcel-outputs-repository.js';
import type { Store } from '../../src/db/store.js';
import { TEST_POOL } from './backends.js';
import { parcelOutputs } from './parcel-fixtures.js';
import { PrivateServer } from './private-server.js';

const BATCHES = 30;
const SIZE = 100;
/**
 * Enough retries to outlast a restart however slowly the server comes back on a loaded
 * machine (a restart takes about a second here; the budget is at least 18 s of waiting).
 */
const OUTLASTS_RESTART: PoolConfig = { ...TEST_POOL, retry: { attempts: 40, initialDelayMs: 100, maxDelayMs: 1000 } };
/** Gives up quickly on a server that stays stopped (whatever the machine's speed: it is down). */
const GIVES_UP: PoolConfig = { ...TEST_POOL, retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 100 } };

let server: PrivateServer;
beforeAll(async () => {
  server = await PrivateServer.create();
});
afterAll(async () => {
  await server?.destroy();
});
// Every test starts with the server up, whatever an earlier test (in any order) left behind.
beforeEach(async () => {
  await server.ensureRunning();
});

/**
 * What a county node does, reduced to its database work: resume after the checkpoint,
 * commit batch after batch with the checkpoint in the same transaction. `between` runs
 * after each batch, so a test can break the server at a chosen point.
 */
async function processCounty(store: Store, plan: string, runId: string, between: (batch: number) => Promise<void> = async () => {}): Promise<void> {
  const checkpoint = await getCountyCheckpoint(store, plan, '17113');
  for (let b = (checkpoint?.lastBatch ?? -1) + 1; b < BATCHES; b += 1) {
    await commitCountyBatch(store, {
      planName: plan, runId, attempt: 1, countyFips: '17113', batchIndex: b,
      parcelsDone: (b + 1) * SIZE, outputs: parcelOutputs(SIZE, '17113', b * SIZE),
    });
    await between(b);
  }
}

async function distinctParcels(store: Store, plan: string): Promise<number> {
  const result = await store.query<{ n: string }>('SELECT count(DISTINCT parcel_id) AS n FROM biomass.parcel_outputs WHERE plan_name = $1', [plan]);
  return Number(result.rows[0]!.n);
}

describe('a private server that restarts or goes away during a run', () => {
  it('pauses while the server restarts and resumes when it is back, losing and duplicating nothing', async () => {
    const store = await openStore(server.url(), '', OUTLASTS_RESTART);
    let restarted: Promise<void> | undefined;
    try {
      await migrate(store, 'state');
      await processCounty(store, 'restart', 'run-1', async (b) => {
        if (b !== 9) return;
        await server.stop();
        // Back after a moment, while the next batches are already trying.
        restarted = new Promise((resolve, reject) => setTimeout(() => server.start().then(resolve, reject), 500));
      });
      await restarted;
      expect(store.figures().retries).toBeGreaterThan(0);
      expect((await countOutputs(store, 'restart')).total).toBe(BATCHES * SIZE);
      expect(await distinctParcels(store, 'restart')).toBe(BATCHES * SIZE);
      expect(await getCountyCheckpoint(store, 'restart', '17113')).toMatchObject({ lastBatch: BATCHES - 1 });
    } finally {
      await restarted?.catch(() => undefined);
      await store.close();
    }
  });

  it('stops with a clear error when the server stays away past the retry budget, and a later run resumes without loss', async () => {
    const first = await openStore(server.url(), '', GIVES_UP);
    let failure: unknown;
    try {
      await migrate(first, 'state');
      await processCounty(first, 'outage', 'run-1', async (b) => {
        if (b === 11) await server.stop();
      }).catch((error: unknown) => {
        failure = error;
      });
    } finally {
      await first.close();
    }
    expect(failure).toBeInstanceOf(BiomassError);
    expect(failure).toMatchObject({ code: 'DB_UNAVAILABLE', exitCode: 1 });
    expect((failure as BiomassError).message).toContain(`127.0.0.1:${server.port}/postgres`);
    expect((failure as BiomassError).message).not.toContain(server.password);
    expect((failure as BiomassError).hint).toMatch(/resume/);

    await server.start();
    const second = await openStore(server.url(), '', OUTLASTS_RESTART);
    try {
      expect(await getCountyCheckpoint(second, 'outage', '17113')).toMatchObject({ lastBatch: 11 });
      await processCounty(second, 'outage', 'run-2');
      expect((await countOutputs(second, 'outage')).total).toBe(BATCHES * SIZE);
      expect(await distinctParcels(second, 'outage')).toBe(BATCHES * SIZE);
      const byRun = await second.query<{ run_id: string; n: string }>(
        "SELECT run_id, count(*) AS n FROM biomass.parcel_outputs WHERE plan_name = 'outage' GROUP BY run_id ORDER BY run_id",
      );
      expect(byRun.rows.map((r) => [r.run_id, Number(r.n)])).toEqual([['run-1', 12 * SIZE], ['run-2', (BATCHES - 12) * SIZE]]);
    } finally {
      await second.close();
    }
  });

  it('refuses a wrong password with one error naming host and database, never the password, exit 2', async () => {
    const wrong = 'not-the-password-42';
    const error = await openStore(server.url('postgres', wrong), '', GIVES_UP).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BiomassError);
    expect(error).toMatchObject({ code: 'DB_CONNECT', exitCode: 2 });
    const text = `${(error as BiomassError).message}\n${(error as BiomassError).hint}`;
    expect(text).toContain(`127.0.0.1:${server.port}/postgres`);
    expect(text).toMatch(/password authentication failed/);
    expect(text).toMatch(/check the user "postgres" and its password/);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(server.password);
  });
});
