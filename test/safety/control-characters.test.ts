/**
 * Finding 8: control characters from a plan (ESC and others) are shown escaped in error
 * excerpts and messages, never written raw to the terminal.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBiomass } from '../support/cli.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-control-'));
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('control characters in plan text', () => {
  it('validate shows ESC and BEL escaped in the excerpt and keeps the caret under the value', async () => {
    const file = path.join(dir, 'esc.yaml');
    // An unknown key holding ESC[2J (clear screen) and BEL, in a YAML comment-free line.
    writeFileSync(file, MINIMAL_PLAN.replace('name: t', 'name: t\nx\u001b[2J\u0007y: 1'));
    const result = await runBiomass(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain('x\\x1b[2J\\x07y');
    const lines = result.stdout.split('\n');
    const excerpt = lines.findIndex((l) => l.includes('| x\\x1b[2J'));
    expect(lines[excerpt + 1]).toMatch(/\| \^{13}$/);
  });

  it('an error message that quotes plan text escapes it too', async () => {
    const file = path.join(dir, 'esc-value.yaml');
    writeFileSync(file, MINIMAL_PLAN.replace('states: ["17"]', 'states: ["1\u001b"]'));
    const result = await runBiomass(['plan', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr).toContain('\\x1b');
  });
});

describe('control characters in command-line values', () => {
  it('an error quoting a CLI value escapes it', async () => {
    const result = await runBiomass(['index', '--state-fips', '1\u001b[2J']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown state "1\\x1b[2J"');
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });
});
