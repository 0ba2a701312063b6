import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/plan/interpolate.js';
import { loadPlan, loadPlanOrThrow, PlanRejected, requirePlanValue } from '../../src/plan/load-plan.js';
import { parsePlan } from '../../src/plan/parse-plan.js';
import { freeBytesUnder, nearestExistingFolder } from '../../src/plan/machine-checks.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

describe('interpolate', () => {
  it('replaces ${VAR}, ${VAR:-default} and $$ in every string, deep in lists and mappings', () => {
    const result = interpolate(
      { a: 'x ${A} y', list: ['${B:-fallback}', 3, { deep: 'cost $$5 ${A}${A}' }], n: 1, no: null, flag: true },
      { A: 'aa', B: undefined },
    );
    expect(result.value).toEqual({ a: 'x aa y', list: ['fallback', 3, { deep: 'cost $5 aaaa' }], n: 1, no: null, flag: true });
    expect(result.unset).toEqual([]);
    expect(result.fromEnv).toEqual([
      { path: ['a'], variables: ['A'], value: 'x aa y', template: 'x ${A} y' },
      { path: ['list', 0], variables: ['B'], value: 'fallback', template: '${B:-fallback}' },
      { path: ['list', 2, 'deep'], variables: ['A', 'A'], value: 'cost $5 aaaa', template: 'cost $$5 ${A}${A}' },
    ]);
  });

  it('treats a variable set to "" as unset: its default, else "" and a report with its place', () => {
    const result = interpolate({ db: { url: '${EMPTY}' }, other: '${EMPTY:-d}', plain: '$$ only' }, { EMPTY: '' });
    expect(result.value).toEqual({ db: { url: '' }, other: 'd', plain: '$ only' });
    expect(result.unset).toEqual([{ path: ['db', 'url'], variable: 'EMPTY' }]);
    expect(result.fromEnv.map((e) => e.path.join('.'))).toEqual(['db.url', 'other']);
  });

  it('leaves what is not a reference alone', () => {
    const text = '$A ${1X} ${} $ {A}';
    expect(interpolate(text, { A: 'no' })).toEqual({ value: text, unset: [], fromEnv: [] });
  });
});

describe('checks that depend on the machine', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'biomass-machine-'));
  const plan = (extra: string, base = MINIMAL_PLAN) => {
    const file = path.join(dir, `p${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, base + extra);
    return file;
  };

  it('names a missing tile folder and a missing parcel file, relative to the plan folder', async () => {
    const base = MINIMAL_PLAN.replace('tiles: { uri: "estimated:" }', 'tiles: { uri: "file://tiles-here" }').replace('parcels: { uri: "PG:dbname=parcels" }', 'parcels: { uri: "parcels.gpkg", layer: parcels }');
    const loaded = await loadPlan(plan('storage: { min_free: 1B }\n', base), { env: {}, machineChecks: 'warning' });
    expect(loaded.problems.map((p) => `${p.severity} ${p.code} ${p.line}:${p.column} ${p.message}`)).toEqual([
      `warning TILES_FOLDER_MISSING 5:17 the tile folder ${path.join(dir, 'tiles-here')} does not exist`,
      `warning PARCELS_MISSING 6:19 the parcel source ${path.join(dir, 'parcels.gpkg')} does not exist`,
    ]);
    mkdirSync(path.join(dir, 'tiles-here'));
    writeFileSync(path.join(dir, 'parcels.gpkg'), '');
    expect((await loadPlan(plan('storage: { min_free: 1B }\n', base), { env: {}, machineChecks: 'error' })).problems).toEqual([]);
  });

  it('does not look for a parcel source given as a connection (PG:...)', async () => {
    expect((await loadPlan(plan('storage: { min_free: 1B }\n'), { env: {}, machineChecks: 'error' })).problems).toEqual([]);
  });

  it('compares free space with storage.min_free: below it is a problem, not at it', async () => {
    const free = freeBytesUnder(dir)!;
    expect(free).toBeGreaterThan(0);
    const over = await loadPlan(plan(`storage: { dir: ${dir}, min_free: 900PB }\n`), { env: {}, machineChecks: 'warning' });
    expect(over.problems).toHaveLength(1);
    expect(over.problems[0]!.message).toMatch(new RegExp(`^only .+ is free under ${dir}, below storage.min_free 900 PB$`));
    expect((await loadPlan(plan(`storage: { dir: ${dir}, min_free: 1B }\n`), { env: {}, machineChecks: 'warning' })).problems).toEqual([]);
  });

  it('reads free space from the nearest existing folder above storage.dir', () => {
    // Which folder is read is exact; the figure itself moves as other tests write to the disk.
    expect(nearestExistingFolder(path.join(dir, 'a', 'b', 'c'))).toBe(dir);
    expect(nearestExistingFolder(dir)).toBe(dir);
    expect(freeBytesUnder(path.join(dir, 'a', 'b', 'c'))).toBeGreaterThan(0);
  });
});

describe('refusing a plan', () => {
  it('counts the errors in one or many, and hints at validate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'biomass-refuse-'));
    const one = path.join(dir, 'one.yaml');
    writeFileSync(one, MINIMAL_PLAN.replace('states: ["17"]', 'states: ["17", "17"]'));
    const two = path.join(dir, 'two.yaml');
    writeFileSync(two, MINIMAL_PLAN.replace('states: ["17"]', 'states: ["17", "17", "17"]'));
    await expect(loadPlanOrThrow(one, { env: {}, machineChecks: 'skip' })).rejects.toMatchObject({
      code: 'PLAN_INVALID', exitCode: 2, message: `${one} has 1 error`, hint: `run \`biomass validate ${one}\` for the details`,
    });
    await expect(loadPlanOrThrow(two, { env: {}, machineChecks: 'skip' })).rejects.toMatchObject({ message: `${two} has 2 errors` });
    const rejected = await loadPlanOrThrow(two, { env: {}, machineChecks: 'skip' }).catch((e: unknown) => e as PlanRejected);
    expect(rejected.lines[7]).toBe('  states: ["17", "17", "17"]');
  });

  it('a plan with warnings only loads, and returns them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'biomass-warn-'));
    const file = path.join(dir, 'w.yaml');
    writeFileSync(file, MINIMAL_PLAN + 'database: { url: "${DB_URL_UNSET}" }\n');
    const { plan, warnings } = await loadPlanOrThrow(file, { env: {}, machineChecks: 'skip' });
    expect(warnings.map((w) => w.code)).toEqual(['ENV_UNSET']);
    expect(() => requirePlanValue(plan, 'database.url', plan.database.url)).toThrow(expect.objectContaining({
      code: 'ENV_REQUIRED', exitCode: 2, message: 'database.url comes from ${DB_URL_UNSET}, which is not set',
      hint: `export DB_URL_UNSET=... and run again (plan: ${file})`,
    }));
    expect(requirePlanValue(plan, 'name', plan.name)).toBe('t');
  });

  it('a plan that cannot be read says why, and a YAML error stops before the schema', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'biomass-unreadable-'));
    const loaded = await loadPlan(dir, { env: {}, machineChecks: 'skip' });
    expect(loaded.problems).toMatchObject([{ code: 'PLAN_UNREADABLE', line: 0, message: 'cannot read the plan: it is not a regular file' }]);
    const missing = await loadPlan('nope.yaml', { env: {}, machineChecks: 'skip', cwd: dir });
    expect(missing.problems).toMatchObject([{ message: 'cannot read the plan: no such file', hint: 'check the path; plans live in plans/, e.g. plans/demo.yaml' }]);
    const broken = parsePlan('x.yaml', 'version: 1\nname: [\n', { env: {}, machineChecks: 'skip' });
    expect(broken.problems.map((p) => p.code)).toEqual(['YAML_SYNTAX']);
    expect(broken.lines).toEqual(['version: 1', 'name: [', '']);
  });

  it('lists problems in file order', () => {
    const text = MINIMAL_PLAN.replace('states: ["17"]', 'states: ["17", "17"]') + 'storage: { budget: 100MB }\n' + 'processing: { batch_sise: 1 }\n';
    const problems = parsePlan('x.yaml', text, { env: {}, machineChecks: 'skip' }).problems;
    const places = problems.map((p) => [p.line, p.column]);
    expect(places).toEqual([...places].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    expect(problems.length).toBeGreaterThan(0);
  });
});
