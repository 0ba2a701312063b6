import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBiomass } from './support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-validate-'));
const typo = path.join(dir, 'x.yaml');
writeFileSync(typo, readFileSync('plans/illinois.yaml', 'utf8').replace('batch_size: 100', 'batch_sise: 100'));

describe('biomass validate', () => {
  it('exits 0 for the shipped plans', async () => {
    const result = await runBiomass(['validate', 'plans/demo.yaml', 'plans/illinois.yaml', 'plans/us.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/0 errors, \d+ warnings? in plans\/us\.yaml/);
  });

  it('exits 2 on a misspelt key and prints file:line:col, a caret and the fix', async () => {
    const result = await runBiomass(['validate', typo], { cwd: dir });
    expect(result.code).toBe(2);
    const line = readFileSync(typo, 'utf8').split('\n').findIndex((l) => l.includes('batch_sise')) + 1;
    expect(result.stdout).toContain(`x.yaml:${line}:15  error  unknown key "batch_sise" in processing`);
    // Exactly under `batch_sise` (column 15, 10 characters): not one caret more or less.
    expect(result.stdout).toContain(`\n   ${' '.repeat(String(line).length)} | ${' '.repeat(14)}${'^'.repeat(10)}\n`);
    expect(result.stdout).toContain('did you mean "batch_size"?');
    expect(result.stdout).toMatch(/1 error, \d+ warnings? in x\.yaml/);
  });

  it('--json prints the problems as an array', async () => {
    const result = await runBiomass(['validate', '--json', typo], { cwd: dir });
    expect(result.code).toBe(2);
    const problems = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(problems.find((p) => p.code === 'UNKNOWN_KEY')).toMatchObject({
      file: 'x.yaml', column: 15, severity: 'error', hint: 'did you mean "batch_size"?',
    });
    for (const p of problems) expect(Object.keys(p).sort()).toEqual(['code', 'column', 'file', 'hint', 'line', 'message', 'severity']);
  });

  it('never prints a secret given through the environment', async () => {
    const result = await runBiomass(['validate', '--json', 'plans/illinois.yaml'], {
      env: { DATABASE_URL: 'postgres://app:hunter22@127.0.0.1:1/biomass', AZURE_STORAGE_CONNECTION_STRING: 'AccountName=a;AccountKey=k3yk3yk3y==;' },
    });
    expect(result.stdout + result.stderr).not.toMatch(/hunter22|k3yk3yk3y/);
  });

  it('a missing file exits 2 naming it', async () => {
    const result = await runBiomass(['validate', 'plans/nope.yaml']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('plans/nope.yaml  error  cannot read the plan: no such file');
  });
});

describe('biomass --help', () => {
  it('lists every command of DESIGN.md', async () => {
    const result = await runBiomass(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['validate', 'plan', 'run', 'status', 'index', 'preprocess', 'process-county', 'cleanup', 'zonal', 'models', 'demo', 'db']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('a command missing its required options names them and exits 2', async () => {
    const result = await runBiomass(['process-county']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/required option '--fips <code>' not specified/);
  });

  it('--version prints the package version', async () => {
    const result = await runBiomass(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('an unknown command is a usage error, exit 2', async () => {
    const result = await runBiomass(['valdiate', 'plans/demo.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'valdiate'/);
  });
});
