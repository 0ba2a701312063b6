import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/parse-plan.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

/** The minimal plan with extra sections; every problem's code, severity and text. */
function problemsOf(extra: string, env: NodeJS.ProcessEnv = {}, base = MINIMAL_PLAN) {
  const { problems } = parsePlan('plans/x.yaml', base + extra, { env, machineChecks: 'skip' });
  return problems.map((p) => ({ code: p.code, severity: p.severity, text: `${p.message} | ${p.hint ?? ''}`, at: `${p.line}:${p.column}` }));
}
const codes = (extra: string, env: NodeJS.ProcessEnv = {}) => problemsOf(extra, env).map((p) => p.code);

describe('the pool must hold the parallel work', () => {
  const server = (max: number, batches: number) =>
    `database: { url: postgres://localhost/biomass, pool: { max: ${max} } }\nprocessing: { parallel_batches: ${batches} }\n`;

  it('accepts a pool exactly big enough: states x (batches + 1) + 1 connections', () => {
    expect(codes(server(6, 4))).toEqual([]);
    expect(codes(server(7, 4))).toEqual([]);
  });

  it('refuses a pool one connection short, naming the size it needs', () => {
    const [found] = problemsOf(server(5, 4));
    expect(found).toMatchObject({ code: 'POOL_TOO_SMALL', severity: 'error', at: '9:61' });
    expect(found!.text).toBe('parallel work needs 6 database connections (1 state(s) x (4 batches + 1) + 1) but database.pool.max is 5 | raise database.pool.max to 6 or lower processing.parallel_batches / rollout.parallel_states');
  });

  it('counts every parallel state', () => {
    const text = MINIMAL_PLAN + '  parallel_states: 2\n' + 'database: { url: postgres://localhost/biomass, pool: { max: 11 } }\nprocessing: { parallel_batches: 4 }\n';
    expect(parsePlan('x.yaml', text, { env: {}, machineChecks: 'skip' }).problems).toEqual([]);
    const short = text.replace('max: 11', 'max: 10');
    expect(parsePlan('x.yaml', short, { env: {}, machineChecks: 'skip' }).problems.map((p) => p.message)).toEqual([
      'parallel work needs 11 database connections (2 state(s) x (4 batches + 1) + 1) but database.pool.max is 10',
    ]);
  });

  it('does not apply to the embedded database (one connection in this process)', () => {
    expect(codes('database: { pool: { max: 1 } }\nprocessing: { parallel_batches: 4 }\n')).toEqual([]);
  });

  it('applies to a URL from an unset variable, and to one that is set', () => {
    expect(codes('database: { url: "${DATABASE_URL}", pool: { max: 2 } }\n')).toEqual(['ENV_UNSET', 'POOL_TOO_SMALL']);
    expect(codes('database: { url: "${DATABASE_URL}", pool: { max: 2 } }\n', { DATABASE_URL: 'postgres://h/db' })).toEqual(['POOL_TOO_SMALL']);
  });
});

describe('the storage budget', () => {
  const storage = (budget: string, jobs = 1) =>
    `storage: { budget: ${budget}, tile_size: { compressed: 250MB, uncompressed: 750MB } }\npreprocess: { parallel_jobs: ${jobs} }\n`;

  it('must hold one tile item being converted (original plus converted), exactly that is enough', () => {
    expect(codes(storage('1GB'))).toEqual([]);
    expect(problemsOf(storage('999MB'))).toEqual([{
      code: 'STORAGE_BUDGET_TINY', severity: 'error', at: '9:20',
      text: 'storage.budget 999 MB cannot hold even one tile item being preprocessed (1 GB: original plus converted) | raise storage.budget to at least 1 GB',
    }]);
  });

  it('warns when it holds fewer conversions than preprocess.parallel_jobs, not when it holds exactly as many', () => {
    expect(codes(storage('3GB', 3))).toEqual([]);
    expect(problemsOf(storage('2999MB', 3))).toEqual([{
      code: 'PARALLELISM_WASTED', severity: 'warning', at: '10:30',
      text: 'storage.budget 3 GB holds only 2 conversions at once, fewer than preprocess.parallel_jobs 3 | lower preprocess.parallel_jobs to 2 or raise storage.budget',
    }]);
  });
});

describe('the season', () => {
  const season = (start: string, end: string) => MINIMAL_PLAN.replace('season: { start: 2024-04-01, end: 2024-09-30 }', `season: { start: ${start}, end: ${end} }`);
  const seasonCodes = (start: string, end: string) =>
    parsePlan('x.yaml', season(start, end), { env: {}, machineChecks: 'skip' }).problems.map((p) => `${p.severity} ${p.code} ${p.message}`);

  it('may be one day, must not end before it starts', () => {
    expect(seasonCodes('2024-06-01', '2024-06-01')).toEqual([]);
    expect(seasonCodes('2024-06-02', '2024-06-01')).toEqual(['error SEASON_ORDER season.end 2024-06-01 is before season.start 2024-06-02']);
  });

  it('warns past 366 days, not at 366', () => {
    expect(seasonCodes('2024-01-01', '2025-01-01')).toEqual([]);
    expect(seasonCodes('2024-01-01', '2025-01-02')).toEqual(['warning SEASON_LONG the season spans 367 days; a seasonal composite usually covers one growing season']);
    const [long] = parsePlan('x.yaml', season('2024-01-01', '2025-01-02'), { env: {}, machineChecks: 'skip' }).problems;
    expect(long).toMatchObject({ line: 3, column: 35, hint: 'make it one growing season (e.g. 2024-04-01 to 2024-09-30) unless you mean to mix years' });
  });
});

describe('states and counties', () => {
  const rollout = (states: string, counties?: string) =>
    MINIMAL_PLAN.replace('  states: ["17"]\n', `  states: ${states}\n${counties ? `  counties: ${counties}\n` : ''}`);
  const found = (states: string, counties?: string) =>
    parsePlan('x.yaml', rollout(states, counties), { env: {}, machineChecks: 'skip' }).problems.map((p) => `${p.code} ${p.line}:${p.column} ${p.message} | ${p.hint}`);

  it('names a state listed twice, also as FIPS and postal code, with where it was first', () => {
    expect(found('["17", "18", "17"]')).toEqual(['STATE_DUPLICATE 8:24 rollout.states[2]: state "17" (Illinois) is already listed at rollout.states[0] | list each state once; its counties all run when the state runs']);
    expect(found('["IL", "17"]')).toEqual(['STATE_DUPLICATE 8:18 rollout.states[1]: state "17" (Illinois) is already listed at rollout.states[0] | list each state once; its counties all run when the state runs']);
  });

  it('suggests near state codes for an unknown one, numeric or postal', () => {
    expect(found('["IX"]')).toEqual([expect.stringMatching(/^STATE_UNKNOWN 8:12 rollout\.states\[0\]: "IX" is not a US state \| did you mean "\d\d" \(.+\)( or "\d\d" \(.+\)){3}\?$/)]);
    expect(found('["QQ"]')).toEqual(['STATE_UNKNOWN 8:12 rollout.states[0]: "QQ" is not a US state | use a 2-digit state FIPS code ("17") or a postal code ("IL")']);
    expect(found('["ix"]')[0]).toMatch(/did you mean "19" \(Iowa\)/);
  });

  it('names a county listed twice, and a county outside the listed states', () => {
    expect(found('["17"]', '["17113", "17113"]')).toEqual(['COUNTY_DUPLICATE 9:23 rollout.counties[1]: county "17113" is listed twice | remove the repeated county']);
    expect(found('["17"]', '["18097"]')).toEqual(['COUNTY_OUTSIDE_STATES 9:14 rollout.counties[0]: county "18097" is in "18" (Indiana), which rollout.states does not list | add "18" to rollout.states or remove the county']);
    expect(found('["17"]', '["03001"]')).toEqual(['COUNTY_OUTSIDE_STATES 9:14 rollout.counties[0]: county "03001" is in no state (its first two digits "03" are not a state FIPS code), which rollout.states does not list | a county FIPS code is the state code followed by 3 digits, e.g. "17113"']);
  });
});

describe('secrets written in the plan', () => {
  it.each([
    ['database: { url: "postgres://app:pw123456@h/db" }\n', 'database.url', 'DATABASE_URL'],
    ['sources:\n  forestry: { url: "postgres://app:pw123456@h/db" }\n', 'sources.forestry.url', 'FORESTRY_DATABASE_URL'],
  ])('%s is refused', (extra, key, variable) => {
    const text = extra.startsWith('sources') ? MINIMAL_PLAN.replace('sources:\n', extra) : MINIMAL_PLAN + extra;
    const problems = parsePlan('x.yaml', text, { env: {}, machineChecks: 'skip' }).problems.filter((p) => p.code === 'SECRET_IN_PLAN');
    expect(problems.map((p) => `${p.message} | ${p.hint}`)).toEqual([`${key} holds a secret written in the plan, which is kept in git | write "\${${variable}}" and set that variable in the environment`]);
  });

  it.each([
    ['connection', 'AZURE_STORAGE_CONNECTION_STRING'],
    ['sas_token', 'AZURE_STORAGE_SAS_TOKEN'],
  ])('sources.tiles.%s written in the plan is refused even without a secret-shaped value', (key, variable) => {
    const text = MINIMAL_PLAN.replace('tiles: { uri: "estimated:" }', `tiles: { uri: "azure://tiles", ${key}: "abc" }`);
    const problems = parsePlan('x.yaml', text, { env: {}, machineChecks: 'skip' }).problems;
    expect(problems.map((p) => `${p.code} ${p.hint}`)).toEqual([`SECRET_IN_PLAN write "\${${variable}}" and set that variable in the environment`]);
  });

  it('accepts URLs without a password, and secrets from the environment', () => {
    expect(codes('database: { url: "postgres://app@h/db" }\n')).toEqual([]);
    expect(codes('database: { url: "${DATABASE_URL}" }\n', { DATABASE_URL: 'postgres://app:pw123456@h/db' })).toEqual([]);
    const tiles = MINIMAL_PLAN.replace('tiles: { uri: "estimated:" }', 'tiles: { uri: "azure://tiles", sas_token: "${SAS}" }');
    expect(parsePlan('x.yaml', tiles, { env: { SAS: 'sv=1&sig=abc' }, machineChecks: 'skip' }).problems).toEqual([]);
  });
});

describe('Azure credentials', () => {
  const azure = (extra: string) => MINIMAL_PLAN.replace('tiles: { uri: "estimated:" }', `tiles: { uri: "azure://tiles"${extra} }`);
  const azureCodes = (extra: string, env: NodeJS.ProcessEnv = {}) =>
    parsePlan('x.yaml', azure(extra), { env, machineChecks: 'skip' }).problems.map((p) => `${p.severity} ${p.code}`);

  it('warns when an Azure source has neither a connection string nor a SAS token', () => {
    expect(azureCodes('')).toEqual(['warning TILES_NO_CREDENTIALS']);
    expect(parsePlan('x.yaml', azure(''), { env: {}, machineChecks: 'skip' }).problems).toEqual([{
      file: 'x.yaml', line: 5, column: 17, length: 15, severity: 'warning', code: 'TILES_NO_CREDENTIALS',
      message: 'sources.tiles.uri is azure://tiles but none of sources.tiles.connection, sas_token or token_url is given',
      hint: 'add connection: "${AZURE_STORAGE_CONNECTION_STRING}" (or account with sas_token or token_url); `run` will need one',
    }]);
    expect(azureCodes(', connection: "${C}"', { C: 'AccountName=a;AccountKey=b' })).toEqual([]);
    expect(azureCodes(', sas_token: "${S}"', { S: 'sv=1&sig=b' })).toEqual([]);
  });

  it('leaves an unset variable to its own warning', () => {
    expect(azureCodes(', connection: "${C}"')).toEqual(['warning ENV_UNSET']);
    expect(azureCodes(', sas_token: "${S}"')).toEqual(['warning ENV_UNSET']);
  });
});
