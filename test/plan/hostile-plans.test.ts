// Plans written to hurt: each is refused at file:line:col with exit 2 (never "unexpected
// error", a hang or a stack overflow), within the limits of src/plan/plan-limits.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load-plan.js';
import { PLAN_LIMITS } from '../../src/plan/plan-limits.js';
import { runBiomass } from '../support/cli.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function planFile(name: string, content: string | Buffer): string {
  writeFileSync(path.join(dir, name), content);
  return name;
}

async function problemsOf(name: string, content: string | Buffer) {
  const loaded = await loadPlan(planFile(name, content), { env: {}, machineChecks: 'skip', cwd: dir });
  expect(loaded.plan).toBeUndefined();
  return loaded.problems.filter((p) => p.severity === 'error');
}

/**
 * `biomass validate` and `biomass plan` on the file: exit 2, the place first (file:line:col;
 * a place ending in ':' leaves the column open), no "unexpected error".
 */
async function refusedByCli(name: string, place: string): Promise<void> {
  const at = new RegExp(`^${place.replace(/\./g, '\\.')}${place.endsWith(':') ? '\\d+' : ''}  error  `, 'm');
  const validate = await runBiomass(['validate', name], { cwd: dir });
  expect(validate.code).toBe(2);
  expect(validate.stdout).toMatch(at);
  const plan = await runBiomass(['plan', name], { cwd: dir });
  expect(plan.code).toBe(2);
  expect(plan.stderr).toMatch(at);
  for (const out of [validate.stdout, validate.stderr, plan.stdout, plan.stderr]) expect(out).not.toMatch(/unexpected error|^\s+at /m);
}

/** Nine aliases of nine aliases of ... nine strings: 9^9 strings once expanded. */
function billionLaughs(): string {
  let text = `${MINIMAL_PLAN}lol0: &lol0 "lol"\n`;
  for (let i = 1; i <= 9; i += 1) text += `lol${i}: &lol${i} [${Array(9).fill(`*lol${i - 1}`).join(', ')}]\n`;
  return text;
}

describe('hostile plans', () => {
  it('an alias bomb ("billion laughs") is refused at its first alias, without expanding it', async () => {
    const problems = await problemsOf('laughs.yaml', billionLaughs());
    expect(problems).toMatchObject([{ code: 'PLAN_ALIASES', line: 10, column: 14 }]);
    expect(problems[0]!.message).toContain(`more than ${PLAN_LIMITS.maxAliasCount}`);
    await refusedByCli('laughs.yaml', 'laughs.yaml:10:14');
  });

  it('a few anchors and aliases are still fine', async () => {
    const text = MINIMAL_PLAN.replace('rollout:\n  states: ["17"]', 'x-states: &states ["17", "18"]\nrollout:\n  states: *states');
    const loaded = await loadPlan(planFile('aliases.yaml', text), { env: {}, machineChecks: 'skip', cwd: dir });
    expect(loaded.problems.filter((p) => p.code === 'PLAN_ALIASES')).toEqual([]);
  });

  it('a file larger than the limit is refused before it is read', async () => {
    const huge = MINIMAL_PLAN + `description: "${'x'.repeat(PLAN_LIMITS.maxBytes)}"\n`;
    const problems = await problemsOf('huge.yaml', huge);
    expect(problems).toMatchObject([{ code: 'PLAN_TOO_LARGE', line: 1, column: 1 }]);
    expect(problems[0]!.message).toContain(Buffer.byteLength(huge).toLocaleString('en-US'));
    await refusedByCli('huge.yaml', 'huge.yaml:1:1');
  });

  it('nesting deeper than the limit is refused where it goes too deep', async () => {
    // Mappings 40 deep: level 1 is the plan, level 2 the value of deep: (line 10), so the
    // first level too many (33) starts on line 10 + 31.
    let nested = 'deep:\n';
    for (let level = 2; level <= 40; level += 1) nested += `${'  '.repeat(level - 1)}k${level}:\n`;
    const problems = await problemsOf('deep.yaml', MINIMAL_PLAN + nested + `${'  '.repeat(40)}v: 1\n`);
    expect(problems).toMatchObject([{ code: 'PLAN_TOO_DEEP', line: 10 + PLAN_LIMITS.maxDepth - 1, column: 2 * PLAN_LIMITS.maxDepth + 1 }]);
    await refusedByCli('deep.yaml', `deep.yaml:${10 + PLAN_LIMITS.maxDepth - 1}:${2 * PLAN_LIMITS.maxDepth + 1}`);
  });

  it('nesting deep enough to overflow the YAML parser\'s stack is refused the same way', async () => {
    const text = `${MINIMAL_PLAN}deep: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    const problems = await problemsOf('overflow.yaml', text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'PLAN_TOO_DEEP', line: 9 });
    await refusedByCli('overflow.yaml', 'overflow.yaml:9:');
  });

  it.each([
    ['.inf', 'infinite'],
    ['-.Inf', 'infinite'],
    ['.nan', 'not a number'],
    ['1e400', 'infinite'],
    ['12345678901234567890', 'too large to be exact'],
  ])('the number %s is refused at its place (%s)', async (written, why) => {
    const text = `${MINIMAL_PLAN}processing:\n  batch_size: ${written}\n`;
    const problems = await problemsOf('number.yaml', text);
    expect(problems).toMatchObject([{ code: 'NUMBER_OUT_OF_RANGE', line: 10, column: 15, length: written.length }]);
    expect(problems[0]!.message).toBe(`${written} is not a number a plan can use: ${why}`);
    await refusedByCli('number.yaml', 'number.yaml:10:15');
  });

  it('bytes that are not UTF-8 are refused at the first of them', async () => {
    const latin1 = Buffer.from(MINIMAL_PLAN.replace('name: t', 'name: caf\u00e9'), 'latin1'); // "é" is byte 0xE9
    const problems = await problemsOf('latin1.yaml', latin1);
    expect(problems).toMatchObject([{ code: 'PLAN_NOT_UTF8', line: 2, column: 10 }]);
    expect(problems[0]!.message).toContain('0xE9');
    await refusedByCli('latin1.yaml', 'latin1.yaml:2:10');

    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MINIMAL_PLAN, 'utf16le')]);
    expect(await problemsOf('utf16.yaml', utf16)).toMatchObject([{ code: 'PLAN_NOT_UTF8', line: 1, column: 1 }]);
  });

  it('a replacement character written in the file as UTF-8 is text, not a bad byte', async () => {
    const text = MINIMAL_PLAN.replace('name: t', 'name: t\ndescription: "a \uFFFD b"');
    const loaded = await loadPlan(planFile('fffd.yaml', text), { env: {}, machineChecks: 'skip', cwd: dir });
    expect(loaded.problems).toEqual([]);
    expect(loaded.plan?.description).toBe('a \uFFFD b');
  });
});
