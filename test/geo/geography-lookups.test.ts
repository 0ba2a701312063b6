import { beforeAll, describe, expect, it } from 'vitest';
import { refusal } from '../support/refusal.js';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { findState, stateOfCounty, US_STATES } from '../../src/geo/states.js';

/** Looking up states and counties in the real us-atlas geography, and what a typo is told. */
let geo: Geography;
beforeAll(async () => {
  geo = await loadGeography();
});

describe('states', () => {
  it('finds a state by FIPS code (also one digit), or by postal code in any case, ignoring spaces', () => {
    expect(findState('17')?.name).toBe('Illinois');
    expect(findState('6')?.postal).toBe('CA');
    expect(findState(' il ')?.fips).toBe('17');
    expect(findState('Il')?.fips).toBe('17');
    expect(findState('171')).toBeUndefined();
    expect(findState('03')).toBeUndefined();
    expect(findState('Illinois')).toBeUndefined();
    expect(stateOfCounty('17113')?.postal).toBe('IL');
    expect(stateOfCounty('03001')).toBeUndefined();
  });

  it('lists 50 states and DC for the rollout, and the territories apart, ordered by FIPS', () => {
    expect(US_STATES.filter((s) => s.inFiftyPlusDc)).toHaveLength(51);
    expect(US_STATES.filter((s) => !s.inFiftyPlusDc).map((s) => s.postal)).toEqual(['AS', 'GU', 'MP', 'PR', 'VI']);
    expect(US_STATES.map((s) => s.fips)).toEqual([...US_STATES.map((s) => s.fips)].sort());
  });

  it('geography.state refuses an unknown code, suggesting near FIPS codes for digits and near postal codes for letters', () => {
    expect(geo.state('IL')).toMatchObject({ fips: '17', name: 'Illinois' });
    const digits = refusal(() => geo.state('3'));
    expect(digits).toMatchObject({ code: 'UNKNOWN_STATE', exitCode: 2, message: 'unknown state "3"' });
    expect(digits.hint).toMatch(/^did you mean \d\d \([A-Z]{2}, [^)]+\)( or \d\d \([A-Z]{2}, [^)]+\))*\?$/);
    const letters = refusal(() => geo.state('IK'));
    expect(letters.hint).toBe('did you mean 02 (AK, Alaska) or 19 (IA, Iowa) or 16 (ID, Idaho) or 17 (IL, Illinois) or 18 (IN, Indiana)?');
    expect(refusal(() => geo.state('QQ')).hint).toBe('use a 2-digit state FIPS code (17) or a postal code (IL)');
  });
});

describe('counties', () => {
  it('lists a state\'s counties in FIPS order, with their names, state, area and bounds', () => {
    const il = geo.countiesOf('IL');
    expect(il).toHaveLength(102);
    expect(il.map((c) => c.fips)).toEqual([...il.map((c) => c.fips)].sort());
    const mclean = geo.county(' 17113 ');
    expect(mclean).toMatchObject({ fips: '17113', name: 'McLean', stateFips: '17' });
    // McLean County is about 3,070 km2, around 88.9 W 40.5 N.
    expect(mclean.areaKm2).toBeGreaterThan(3000);
    expect(mclean.areaKm2).toBeLessThan(3150);
    const [w, s, e, n] = mclean.bbox;
    expect([w < -88.9, e > -88.9, s < 40.5, n > 40.5, w < e, s < n]).toEqual([true, true, true, true, true, true]);
    // countiesOf gives a copy: changing it changes nothing for the next caller.
    il.pop();
    expect(geo.countiesOf('17')).toHaveLength(102);
  });

  it('writes the bounds of a county across the antimeridian west > east, and keeps them narrow', () => {
    const [w, , e] = geo.county('02016').bbox;
    expect(w).toBeGreaterThan(e);
    expect(w).toBeGreaterThan(170);
    expect(e).toBeLessThan(-160);
  });

  it('refuses an unknown county, suggesting near codes in the same state, else the numerically closest', () => {
    const typo = refusal(() => geo.county('17114'));
    expect(typo).toMatchObject({ code: 'UNKNOWN_COUNTY', exitCode: 2, message: 'unknown county FIPS code "17114"' });
    expect(typo.hint).toMatch(/^did you mean 17\d{3} \([^)]+\)( or 17\d{3} \([^)]+\)){0,2}\?$/);
    expect(typo.hint).toContain('17113 (McLean)');
    // Too far from any code for a typo: the three nearest numbers in Illinois (17001, 17003, 17005 are the lowest).
    expect(refusal(() => geo.county('17000')).hint).toBe('did you mean 17001 (Adams) or 17003 (Alexander) or 17005 (Bond)?');
    // No such state: a typo anywhere, or the form of a code.
    expect(refusal(() => geo.county('x')).hint).toBe('a county FIPS code has 5 digits: state (2) + county (3), e.g. 17113');
    expect(refusal(() => geo.tilesOfCounty('17999')).code).toBe('UNKNOWN_COUNTY');
    expect(refusal(() => geo.countyGeometry('99001')).code).toBe('UNKNOWN_COUNTY');
  });

  it('gives each county its geometry and its tile cover, computed once', () => {
    expect(['Polygon', 'MultiPolygon']).toContain(geo.countyGeometry('17113').type);
    expect(geo.coverOfCounty('17113')).toBe(geo.coverOfCounty('17113'));
    expect(geo.tilesOfCounty('17113')).toEqual(geo.coverOfCounty('17113').tiles.map((t) => t.tileId));
  });

  it('gives each state its outline, and the same geography to every caller', async () => {
    expect(['Polygon', 'MultiPolygon']).toContain(geo.stateOutline('17').type);
    expect(refusal(() => geo.stateOutline('03')).code).toBe('UNKNOWN_STATE');
    expect(await loadGeography()).toBe(geo);
  });
});
