import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/parse-plan.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

// A minimal valid plan; each case below changes it. Line numbers in the cases count from here:
// line 7 is "rollout:", line 8 "  states:", extra sections start at line 9.
const BASE = MINIMAL_PLAN;

interface Case {
  name: string;
  text: string;
  code: string;
  line: number;
  column: number;
  /** The fix the message must name. */
  fix: RegExp;
}

const withExtra = (extra: string) => BASE + extra;
const replacing = (from: string, to: string) => {
  if (!BASE.includes(from)) throw new Error(`test setup: "${from}" is not in the base plan`);
  return BASE.replace(from, to);
};

const cases: Case[] = [
  { name: 'misspelt key in processing', text: withExtra('processing:\n  batch_sise: 100\n'), code: 'UNKNOWN_KEY', line: 10, column: 3, fix: /did you mean "batch_size"/ },
  { name: 'misspelt top-level section', text: withExtra('storag:\n  dir: /tmp/x\n'), code: 'UNKNOWN_KEY', line: 9, column: 1, fix: /did you mean "storage"/ },
  { name: 'misspelt nested pool key', text: withExtra('database:\n  pool:\n    maxx: 10\n'), code: 'UNKNOWN_KEY', line: 11, column: 5, fix: /did you mean "max"/ },
  { name: 'misspelt key in flow mapping', text: replacing('tiles: { uri: "estimated:" }', 'tiles: { uri: "estimated:", layuot: simple }'), code: 'UNKNOWN_KEY', line: 5, column: 31, fix: /did you mean "layout"/ },
  { name: 'unknown key with nothing near', text: withExtra('processing:\n  colour: blue\n'), code: 'UNKNOWN_KEY', line: 10, column: 3, fix: /valid keys here: batch_size/ },
  { name: 'batch size as a string', text: withExtra('processing:\n  batch_size: "100"\n'), code: 'WRONG_TYPE', line: 10, column: 15, fix: /write an integer/ },
  { name: 'batch size zero', text: withExtra('processing:\n  batch_size: 0\n'), code: 'OUT_OF_RANGE', line: 10, column: 15, fix: />= 1/ },
  { name: 'batch size too large', text: withExtra('processing:\n  batch_size: 5000\n'), code: 'OUT_OF_RANGE', line: 10, column: 15, fix: /<= 1000/ },
  { name: 'county order not in the list', text: withExtra('processing:\n  county_order: biggest-first\n'), code: 'BAD_VALUE', line: 10, column: 17, fix: /"largest-first"/ },
  { name: 'preprocess mode unknown', text: replacing('tiles: { uri: "estimated:" }', 'tiles: { uri: "estimated:", preprocess: sometimes }'), code: 'BAD_VALUE', line: 5, column: 43, fix: /allowed: "always", "when-needed", "never"/ },
  { name: 'block size not a power of two', text: withExtra('preprocess: { block_size: 500 }\n'), code: 'BAD_VALUE', line: 9, column: 27, fix: /allowed: 256, 512, 1024/ },
  { name: 'unsupported plan version', text: replacing('version: 1', 'version: 2'), code: 'BAD_VALUE', line: 1, column: 10, fix: /allowed: 1/ },
  { name: 'name missing', text: replacing('name: t\n', ''), code: 'MISSING_KEY', line: 1, column: 1, fix: /add name:/ },
  { name: 'season end missing', text: replacing('season: { start: 2024-04-01, end: 2024-09-30 }', 'season: { start: 2024-04-01 }'), code: 'MISSING_KEY', line: 3, column: 1, fix: /add end:/ },
  { name: 'parcels without uri', text: replacing('parcels: { uri: "PG:dbname=parcels" }', 'parcels: { layer: parcels }'), code: 'MISSING_KEY', line: 6, column: 3, fix: /add uri:/ },
  { name: 'month 13', text: replacing('start: 2024-04-01', 'start: 2024-13-01'), code: 'BAD_FORMAT', line: 3, column: 18, fix: /YYYY-MM-DD/ },
  { name: 'season ends before it starts', text: replacing('end: 2024-09-30', 'end: 2024-03-30'), code: 'SEASON_ORDER', line: 3, column: 35, fix: /swap the two dates/ },
  { name: 'size with a bad unit', text: withExtra('storage:\n  min_free: 100 GBs\n'), code: 'BAD_FORMAT', line: 10, column: 13, fix: /is not a size .*write a number and a unit \(B, KB, MB, GB, TB.*e\.g\. "100GB"/ },
  { name: 'size as a bare number', text: withExtra('storage:\n  budget: 1500\n'), code: 'WRONG_TYPE', line: 10, column: 11, fix: /write a string.*e\.g\. "1\.5TB"/ },
  { name: 'duration in words', text: withExtra('database:\n  pool:\n    connect_timeout: 30 seconds\n'), code: 'BAD_FORMAT', line: 11, column: 22, fix: /is not a duration .*\(ms, s, m, h, d\), e\.g\. "30s"/ },
  { name: 'unknown numeric state', text: replacing('states: ["17"]', 'states: ["17", "99"]'), code: 'STATE_UNKNOWN', line: 8, column: 18, fix: /did you mean .*"19" \(Iowa\)/ },
  { name: 'unknown postal state', text: replacing('states: ["17"]', 'states: ["IX"]'), code: 'STATE_UNKNOWN', line: 8, column: 12, fix: /did you mean .*"17" \(Illinois\)/ },
  { name: 'state listed twice by code and postal code', text: replacing('states: ["17"]', 'states: ["17", "IL"]'), code: 'STATE_DUPLICATE', line: 8, column: 18, fix: /list each state once/ },
  { name: 'state code of three digits', text: replacing('states: ["17"]', 'states: ["170"]'), code: 'BAD_FORMAT', line: 8, column: 12, fix: /2-digit FIPS code/ },
  { name: 'no states', text: replacing('states: ["17"]', 'states: []'), code: 'EMPTY_LIST', line: 8, column: 11, fix: /list at least 1/ },
  { name: 'county in an unlisted state', text: withExtra('  counties: ["18097"]\n'), code: 'COUNTY_OUTSIDE_STATES', line: 9, column: 14, fix: /add "18" to rollout\.states/ },
  { name: 'county code too short', text: withExtra('  counties: ["1711"]\n'), code: 'BAD_FORMAT', line: 9, column: 14, fix: /5-digit FIPS/ },
  { name: 'county listed twice', text: withExtra('  counties: ["17113", "17113"]\n'), code: 'COUNTY_DUPLICATE', line: 9, column: 23, fix: /remove the repeated county/ },
  { name: 'tab-indented YAML', text: withExtra('processing:\n\tbatch_size: 100\n'), code: 'YAML_SYNTAX', line: 10, column: 1, fix: /fix the YAML syntax/ },
  { name: 'duplicate key', text: withExtra('name: u\n'), code: 'DUPLICATE_KEY', line: 9, column: 1, fix: /keep one of the two entries/ },
  { name: 'pool smaller than parallel work', text: withExtra('database:\n  url: postgres://localhost/biomass\n  pool: { max: 3 }\nprocessing: { parallel_batches: 4 }\n'), code: 'POOL_TOO_SMALL', line: 11, column: 16, fix: /raise database\.pool\.max to 6/ },
  { name: 'pool smaller than parallel work, URL from an unset variable', text: withExtra('database:\n  url: ${DATABASE_URL}\n  pool: { max: 2 }\n'), code: 'POOL_TOO_SMALL', line: 11, column: 16, fix: /raise database\.pool\.max to 6/ },
  { name: 'password written in the plan', text: withExtra('database:\n  url: postgres://app:hunter22@db.example/biomass\n'), code: 'SECRET_IN_PLAN', line: 10, column: 8, fix: /\$\{DATABASE_URL\}/ },
  { name: 'webhook written in the plan', text: withExtra('notify:\n  webhook: https://hooks.slack.com/services/T000/B000/XXXX\n'), code: 'SECRET_IN_PLAN', line: 10, column: 12, fix: /\$\{BIOMASS_WEBHOOK_URL\}/ },
  { name: 'node retries out of range', text: withExtra('processing: { retry: { attempts: 50 } }\n'), code: 'OUT_OF_RANGE', line: 9, column: 34, fix: /<= 20/ },
  { name: 'budget below one tile item', text: withExtra('storage: { budget: 100MB }\n'), code: 'STORAGE_BUDGET_TINY', line: 9, column: 20, fix: /raise storage\.budget to at least 1 GB/ },
  { name: 'tile source of an unknown scheme', text: replacing('uri: "estimated:"', 'uri: "s3://bucket/tiles"'), code: 'BAD_FORMAT', line: 5, column: 17, fix: /azure:\/\/CONTAINER/ },
  { name: 'band that Sentinel-2 does not have', text: replacing('tiles: { uri: "estimated:" }', 'tiles: { uri: "estimated:", bands: [B04, B13] }'), code: 'BAD_VALUE', line: 5, column: 44, fix: /"B04"/ },
  { name: 'band listed twice', text: replacing('tiles: { uri: "estimated:" }', 'tiles: { uri: "estimated:", bands: [B04, B04] }'), code: 'DUPLICATE_ITEM', line: 5, column: 38, fix: /remove the repeated item/ },
  { name: 'plan is a list', text: '- version: 1\n- name: t\n', code: 'PLAN_NOT_A_MAPPING', line: 1, column: 1, fix: /start from plans\/demo\.yaml/ },
  { name: 'empty file', text: '', code: 'PLAN_NOT_A_MAPPING', line: 1, column: 1, fix: /start from plans\/demo\.yaml/ },
  { name: 'name with spaces and capitals', text: replacing('name: t', 'name: Illinois 2024'), code: 'BAD_FORMAT', line: 2, column: 7, fix: /lower-case letters/ },
  { name: 'no parallel states', text: withExtra('  parallel_states: 0\n'), code: 'OUT_OF_RANGE', line: 9, column: 20, fix: />= 1/ },
  { name: 'keep_alive as yes', text: withExtra('http: { keep_alive: yes }\n'), code: 'WRONG_TYPE', line: 9, column: 21, fix: /write a boolean/ },
];

describe('malformed plans', () => {
  // Every error a plan's text can cause (machine checks, warnings and an unreadable file are
  // tested elsewhere; SCHEMA is the fallback for a schema keyword no rule words yet).
  it('has a case for every error code of the loader, the schema check and the plan rules, each a different plan', () => {
    expect([...new Set(cases.map((c) => c.code))].sort()).toEqual([
      'BAD_FORMAT', 'BAD_VALUE', 'COUNTY_DUPLICATE', 'COUNTY_OUTSIDE_STATES', 'DUPLICATE_ITEM', 'DUPLICATE_KEY',
      'EMPTY_LIST', 'MISSING_KEY', 'OUT_OF_RANGE', 'PLAN_NOT_A_MAPPING', 'POOL_TOO_SMALL', 'SEASON_ORDER',
      'SECRET_IN_PLAN', 'STATE_DUPLICATE', 'STATE_UNKNOWN', 'STORAGE_BUDGET_TINY', 'UNKNOWN_KEY', 'WRONG_TYPE', 'YAML_SYNTAX',
    ]);
    expect(new Set(cases.map((c) => c.text)).size).toBe(cases.length);
    // The base plan itself is valid: each case fails for its change alone.
    expect(parsePlan('plans/x.yaml', BASE, { env: {}, machineChecks: 'skip' }).problems).toEqual([]);
  });

  it.each(cases)('$name -> $code at $line:$column', ({ text, code, line, column, fix }) => {
    const { plan, problems } = parsePlan('plans/x.yaml', text, { env: {}, machineChecks: 'skip' });
    expect(plan).toBeUndefined();
    const found = problems.find((p) => p.code === code);
    expect(found, `expected ${code}; got ${JSON.stringify(problems, null, 1)}`).toBeDefined();
    expect(found!.severity).toBe('error');
    expect(found!.file).toBe('plans/x.yaml');
    expect([found!.line, found!.column]).toEqual([line, column]);
    expect(`${found!.message} ${found!.hint}`).toMatch(fix);
  });

  // The whole text a user reads for each case, as reviewed: a change to any message or hint
  // shows here (run `npx vitest run -u` after checking the new wording is right).
  it('words each problem and its fix exactly', () => {
    const texts = cases.map(({ name, text, code }) => {
      const found = parsePlan('plans/x.yaml', text, { env: {}, machineChecks: 'skip' }).problems.find((p) => p.code === code)!;
      return `${name}: ${found.message} | ${found.hint ?? ''} | length ${found.length}`;
    });
    expect(texts.join('\n')).toMatchSnapshot();
  });

  it('reports every error at once, schema and state errors together', () => {
    const text = withExtra('processing:\n  batch_sise: 100\n  county_order: biggest\n').replace('states: ["17"]', 'states: ["99"]');
    const { problems } = parsePlan('x.yaml', text, { env: {}, machineChecks: 'skip' });
    expect(problems.map((p) => p.code).sort()).toEqual(['BAD_VALUE', 'STATE_UNKNOWN', 'UNKNOWN_KEY']);
  });
});
