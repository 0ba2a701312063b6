import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/parse-plan.js';
import { dottedPath, schemaAt } from '../../src/plan/schema-check.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

const problemsOf = (text: string) =>
  parsePlan('x.yaml', text, { env: {}, machineChecks: 'skip' }).problems.map((p) => `${p.code} ${p.line}:${p.column} ${p.message} | ${p.hint ?? ''}`);

describe('schema problems', () => {
  it('names the type found: null, a list, a mapping, a string', () => {
    expect(problemsOf(MINIMAL_PLAN + 'processing: { batch_size: }\n')).toEqual([
      'WRONG_TYPE 9:27 processing.batch_size must be an integer, not null (an empty value) | write an integer (Parcels per batch; each batch commits its outputs at once)',
    ]);
    expect(problemsOf(MINIMAL_PLAN + 'processing: { batch_size: [1] }\n')[0]).toMatch(/^WRONG_TYPE 9:27 processing\.batch_size must be an integer, not a list \| /);
    expect(problemsOf(MINIMAL_PLAN + 'http: { keep_alive: { a: 1 } }\n')[0]).toMatch(/^WRONG_TYPE 9:21 http\.keep_alive must be a boolean, not a mapping \| write a boolean/);
  });

  it('reports a value that breaks both its type and its list once for each', () => {
    expect(problemsOf(MINIMAL_PLAN + 'processing: { county_order: 3 }\n').map((p) => p.split(' | ')[0])).toEqual([
      'WRONG_TYPE 9:29 processing.county_order must be a string, not number 3',
      'BAD_VALUE 9:29 processing.county_order: 3 is not allowed',
    ]);
  });

  it('keeps a key with a slash or tilde whole', () => {
    expect(problemsOf(MINIMAL_PLAN + 'processing: { "a/b~c": 1 }\n')[0]).toMatch(/^UNKNOWN_KEY 9:15 unknown key "a\/b~c" in processing \| valid keys here: /);
  });

  it('finds the schema node of a path, through lists', () => {
    expect(schemaAt(['rollout', 'states', 0])?.description).toMatch(/^A state: 2-digit FIPS code/);
    expect(schemaAt(['database', 'url'])?.writeOnly).toBe(true);
    expect(schemaAt(['nope', 'deeper'])).toBeUndefined();
  });

  it('writes paths as a user reads them', () => {
    expect(dottedPath([])).toBe('');
    expect(dottedPath(['rollout', 'states', 3])).toBe('rollout.states[3]');
    expect(dottedPath(['a', 0, 'b', 1])).toBe('a[0].b[1]');
  });
});
