import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { loadPlan, loadPlanOrThrow, PlanRejected, requirePlanValue } from '../../src/plan/load-plan.js';
import { parsePlan } from '../../src/plan/parse-plan.js';
import { redact } from '../../src/secrets.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

const MINIMAL = MINIMAL_PLAN.replace('states: ["17"]', 'states: ["IL", "18"]');

describe('shipped plans', () => {
  it.each(['plans/demo.yaml', 'plans/illinois.yaml', 'plans/us.yaml'])('%s has no errors', async (file) => {
    const loaded = await loadPlan(file, { env: {}, machineChecks: 'warning' });
    expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(loaded.plan?.file).toBe(file);
  });

  it('us.yaml lists the 50 states and DC once each', async () => {
    const { plan } = await loadPlanOrThrow('plans/us.yaml', { env: {}, machineChecks: 'skip' });
    expect(plan.rollout.states).toHaveLength(51);
    expect(new Set(plan.rollout.states).size).toBe(51);
    expect(plan.rollout.states[0]).toBe('48');
  });
});

describe('compiled plan', () => {
  it('fills the schema defaults and parses units once', () => {
    const { plan } = parsePlan('/plans/t.yaml', MINIMAL, { env: {}, machineChecks: 'skip' });
    expect(plan).toBeDefined();
    expect(plan!.rollout.states).toEqual(['17', '18']);
    expect(plan!.processing.batchSize).toBe(100);
    expect(plan!.database.pool).toEqual({
      max: 25, connectTimeoutMs: 30_000, idleTimeoutMs: 30_000, statementTimeoutMs: 300_000,
      healthCheckIntervalMs: 30_000, retry: { attempts: 12, initialDelayMs: 500, maxDelayMs: 10_000 },
    });
    expect(plan!.storage).toMatchObject({
      dir: '/tmp/preprocessing', minFreeBytes: 100e9, budgetBytes: 1.5e12,
      tileSize: { compressedBytes: 250e6, uncompressedBytes: 750e6 },
    });
    expect(plan!.http.chunkSizeBytes).toBe(4e6);
    expect(plan!.tiles).toMatchObject({ kind: 'estimated', bands: ['B04', 'B08', 'SCL'], preprocess: 'when-needed' });
    expect(plan!.database.embeddedDir).toBe('/plans/.biomass/db');
  });

  it('resolves file:// sources and relative paths against the plan folder', () => {
    const text = MINIMAL.replace('uri: "estimated:"', 'uri: "file://../data/tiles"').replace('"PG:dbname=parcels"', 'parcels.gpkg');
    const { plan } = parsePlan('/work/plans/t.yaml', text, { env: {}, machineChecks: 'skip' });
    expect(plan!.tiles).toMatchObject({ kind: 'file', prefix: '/work/data/tiles' });
    expect(plan!.parcels.uri).toBe('/work/plans/parcels.gpkg');
  });

  it('splits an azure:// uri into container and prefix', () => {
    const text = MINIMAL.replace('uri: "estimated:"', 'uri: "azure://sentinel2-l2/us/2024", connection: "${CONN}"');
    const { plan } = parsePlan('t.yaml', text, { env: { CONN: 'UseDevelopmentStorage=true' }, machineChecks: 'skip' });
    expect(plan!.tiles).toMatchObject({ kind: 'azure', container: 'sentinel2-l2', prefix: 'us/2024', connection: 'UseDevelopmentStorage=true' });
  });
});

describe('environment interpolation', () => {
  const text = MINIMAL + 'database:\n  url: ${DATABASE_URL}\nstorage:\n  dir: ${SCRATCH:-/scratch/tiles}\n';

  it('takes values from the environment and defaults from ${VAR:-default}', () => {
    const { plan, problems } = parsePlan('t.yaml', text, { env: { DATABASE_URL: 'postgres://app@db/biomass' }, machineChecks: 'skip' });
    expect(problems).toEqual([]);
    expect(plan!.database.url).toBe('postgres://app@db/biomass');
    expect(plan!.storage.dir).toBe('/scratch/tiles');
  });

  it('warns at the place of an unset variable, and a command needing it refuses by name', () => {
    const { plan, problems } = parsePlan('t.yaml', text, { env: {}, machineChecks: 'skip' });
    expect(problems).toMatchObject([{ code: 'ENV_UNSET', severity: 'warning', line: 10, column: 8 }]);
    expect(() => requirePlanValue(plan!, 'database.url', plan!.database.url)).toThrowError(/\$\{DATABASE_URL\}, which is not set/);
  });

  it('registers interpolated secrets so they are redacted wherever printed', () => {
    const secret = 'DefaultEndpointsProtocol=http;AccountName=x;AccountKey=s3cr3tKeyValue==;';
    const withConn = MINIMAL.replace('uri: "estimated:"', 'uri: "azure://c1", connection: "${CONN}"');
    parsePlan('t.yaml', withConn, { env: { CONN: secret }, machineChecks: 'skip' });
    expect(redact(`connecting with ${secret}`)).not.toContain('s3cr3tKeyValue');
  });
});

describe('checks that depend on the machine', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'biomass-plan-'));
  const file = path.join(dir, 'p.yaml');
  writeFileSync(file, MINIMAL + 'storage:\n  min_free: 900PB\n');

  it('are warnings for validate', async () => {
    const loaded = await loadPlan(file, { env: {}, machineChecks: 'warning' });
    expect(loaded.plan).toBeDefined();
    expect(loaded.problems).toMatchObject([{ code: 'DISK_MIN_FREE', severity: 'warning', line: 10, column: 13 }]);
  });

  it('are errors when a command acts on the plan', async () => {
    const error = await loadPlanOrThrow(file, { env: {}, machineChecks: 'error' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanRejected);
    expect(error).toBeInstanceOf(BiomassError);
    expect((error as PlanRejected).exitCode).toBe(2);
    expect((error as PlanRejected).problems.map((p) => p.code)).toEqual(['DISK_MIN_FREE']);
  });

  it('a missing plan file is a problem, not a crash', async () => {
    const loaded = await loadPlan(path.join(dir, 'nope.yaml'), { env: {}, machineChecks: 'warning' });
    expect(loaded.problems).toMatchObject([{ code: 'PLAN_UNREADABLE', severity: 'error' }]);
  });
});
