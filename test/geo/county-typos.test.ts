/**
 * What an unknown county code is told when no code of its state is a typo away from it: the
 * numerically closest codes of that state, closest first (real us-atlas geography).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { nearest } from '../../src/nearest.js';
import { refusal } from '../support/refusal.js';

let geo: Geography;
beforeAll(async () => {
  geo = await loadGeography();
});

describe('an unknown county far from every code of its state', () => {
  it('is offered the numerically closest codes, closest first (Delaware: 10001, 10003, 10005)', () => {
    const codes = geo.countiesOf('10').map((c) => c.fips);
    expect(codes).toEqual(['10001', '10003', '10005']);
    // No Delaware code is a typo away from 10999, so the suggestions are by number.
    expect(nearest('10999', codes, 3)).toEqual([]);
    const error = refusal(() => geo.county('10999'));
    expect(error).toMatchObject({ code: 'UNKNOWN_COUNTY', exitCode: 2, message: 'unknown county FIPS code "10999"' });
    expect(error.hint).toBe('did you mean 10005 (Sussex) or 10003 (New Castle) or 10001 (Kent)?');
  });

  it('is offered at most three of them', () => {
    // The District of Columbia has one county-equivalent; a state with more offers three.
    expect(refusal(() => geo.county('11999')).hint).toBe('did you mean 11001 (District of Columbia)?');
    const hint = refusal(() => geo.county('10999')).hint ?? '';
    expect(hint.match(/\d{5}/g)).toHaveLength(3);
  });

  it('is told the form of a code when it names no state and is no typo of any county', () => {
    expect(refusal(() => geo.county('ZZ')).hint).toBe('a county FIPS code has 5 digits: state (2) + county (3), e.g. 17113');
    expect(refusal(() => geo.county(' 10999 ')).message).toBe('unknown county FIPS code "10999"');
  });
});
