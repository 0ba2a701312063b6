/**
 * unknownStates: the rollout's state codes checked on the plan as written (before the schema's
 * other rules), what is left to the schema, and what a typo is offered.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { unknownStates } from '../../src/plan/plan-rules.js';
import { YamlSource } from '../../src/plan/yaml-source.js';

function check(text: string) {
  const source = new YamlSource('states.yaml', text);
  return unknownStates(parse(text), source);
}

describe('unknown state codes', () => {
  it('reports each unknown code at its place in the list, with its index', () => {
    const problems = check('rollout:\n  states: ["17", "IK", "03"]\n');
    expect(problems.map((p) => [p.code, p.line, p.column, p.message])).toEqual([
      ['STATE_UNKNOWN', 2, 18, 'rollout.states[1]: "IK" is not a US state'],
      ['STATE_UNKNOWN', 2, 24, 'rollout.states[2]: "03" is not a US state'],
    ]);
  });

  it('offers postal codes for letters, in any case, and FIPS codes for digits', () => {
    const [upper] = check('rollout:\n  states: [IK]\n');
    const [lower] = check('rollout:\n  states: [ik]\n');
    expect(upper!.hint).toBe('did you mean "02" (Alaska) or "19" (Iowa) or "16" (Idaho) or "17" (Illinois)?');
    expect(lower!.hint).toBe(upper!.hint);
    const [digits] = check('rollout:\n  states: ["03"]\n');
    expect(digits!.hint).toMatch(/^did you mean "\d\d" \([A-Za-z ]+\)( or "\d\d" \([A-Za-z ]+\)){0,3}\?$/);
    expect(digits!.hint).toContain('"04" (Arizona)');
  });

  it('says what a code looks like when nothing is near', () => {
    const [far] = check('rollout:\n  states: [QQ]\n');
    expect(far!.message).toBe('rollout.states[0]: "QQ" is not a US state');
    expect(far!.hint).toBe('use a 2-digit state FIPS code ("17") or a postal code ("IL")');
  });

  it('leaves to the schema what is no 2-character code: numbers, other lengths, mixed letters and digits', () => {
    expect(check('rollout:\n  states: [17, "170", "I", "ILL", "XIL", "1L", "L1", "", null]\n')).toEqual([]);
  });

  it('leaves to the schema a states key that is no list, and a plan without one', () => {
    expect(check('rollout:\n  states: IK\n')).toEqual([]);
    expect(check('rollout: {}\n')).toEqual([]);
    expect(check('name: x\n')).toEqual([]);
    expect(check('')).toEqual([]);
  });

  it('takes known codes in every form findState takes: FIPS, postal in any case', () => {
    expect(check('rollout:\n  states: ["17", IL, il, Il, "06"]\n')).toEqual([]);
  });
});
