// A reader that stops early closes the pipe: `biomass ... | head -1`. Real processes (bin/biomass.js
// on the TypeScript sources), real pipes: each command ends quietly, no stack trace, its own exit code.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ENV = { ...process.env, BIOMASS_FROM_SOURCE: '1', DATABASE_URL: '' };

/** Runs biomass with its stdout closed before it writes anything; every write it makes fails with EPIPE. */
function withStdoutClosed(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/biomass.js', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function noTrace(stderr: string): void {
  expect(stderr).not.toMatch(/EPIPE|Unhandled|unexpected error|^\s+at /m);
}

describe('stdout closed early', () => {
  it('biomass index --state-fips 17 --json | head -1 prints one line, exits 0, no trace', () => {
    // 450 KB of JSON: far more than a pipe holds, so head is gone while biomass still writes.
    const run = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" bin/biomass.js index --state-fips 17 --json | head -1`], { env: ENV, encoding: 'utf8' });
    expect(run.stdout).toBe('{\n');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it.each([
    [['plan', 'plans/us.yaml'], 0],
    [['plan', 'plans/illinois.yaml', '--json'], 0],
    [['validate', 'plans/illinois.yaml'], 0],
    [['--help'], 0],
    [['validate', 'plans/no-such-plan.yaml'], 2],
  ])('biomass %j with stdout closed ends quietly with exit %i', async (args, code) => {
    const run = await withStdoutClosed(args);
    noTrace(run.stderr);
    expect(run.code).toBe(code);
  });
});
