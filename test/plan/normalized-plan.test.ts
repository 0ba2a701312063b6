import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/parse-plan.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

/**
 * The whole compiled Plan, every field, for the smallest plan (all defaults): reviewed once and
 * held in a snapshot, so a changed default, unit or path rule shows (after checking the change
 * is meant, `npx vitest run -u` takes it).
 */
describe('the compiled plan', () => {
  it('of the minimal plan: every default, in bytes, ms and absolute paths', () => {
    const { plan, problems } = parsePlan('/work/plans/t.yaml', MINIMAL_PLAN, { env: {}, machineChecks: 'skip' });
    expect(problems).toEqual([]);
    expect(plan).toMatchSnapshot();
  });

  it('reads tile sources: azure container and prefix, absolute and relative folders', () => {
    const tiles = (uri: string) => parsePlan('/work/plans/t.yaml', MINIMAL_PLAN.replace('uri: "estimated:"', `uri: "${uri}", connection: "\${C}"`), { env: { C: 'UseDevelopmentStorage=true' }, machineChecks: 'skip' }).plan!.tiles;
    expect(tiles('azure://c12')).toMatchObject({ kind: 'azure', container: 'c12', prefix: '' });
    expect(tiles('azure://c12/a//b/')).toMatchObject({ kind: 'azure', container: 'c12', prefix: 'a/b' });
    expect(tiles('file:///data/tiles')).toMatchObject({ kind: 'file', container: '', prefix: '/data/tiles' });
    expect(tiles('file://my%20tiles')).toMatchObject({ kind: 'file', prefix: '/work/plans/my%20tiles' });
    expect(tiles('file:///my%20tiles')).toMatchObject({ kind: 'file', prefix: '/my tiles' });
    expect(tiles('estimated:')).toMatchObject({ kind: 'estimated', container: '', prefix: '' });
  });

  it('writes states as FIPS codes, in the order given', () => {
    const plan = parsePlan('t.yaml', MINIMAL_PLAN.replace('states: ["17"]', 'states: [wi, "18", IL]'), { env: {}, machineChecks: 'skip' }).plan!;
    expect(plan.rollout.states).toEqual(['55', '18', '17']);
  });
});
