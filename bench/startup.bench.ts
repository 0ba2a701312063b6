/**
 * Start-up of the built CLI (bin/biomass.js running dist/cli), whole processes, median of 5
 * runs, beside a bare `node -e 0` measured in the same rounds (issue #8):
 *   - `biomass --version`                    goal: at most 1.5x bare node
 *   - `biomass validate plans/illinois.yaml` goal: at most 3x bare node
 *   - `biomass plan plans/us.yaml`           goal: at most 1.5 s
 * and, for comparison, the same validate run from the TypeScript sources through tsx (what
 * every start cost before the build). `--version` alone is answered by bin/biomass.js before
 * any command module loads. Rounds interleave the commands so that load on the machine
 * falls on all of them alike. Prints goal met or missed; it asserts nothing.
 *
 *   node --import tsx bench/run.ts startup
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { build } from '../scripts/build.js';
import { distIsFresh } from '../scripts/source-stamp.js';

const ROUNDS = 5;
const root = process.cwd();

interface Case {
  label: string;
  args: string[];
  env?: Record<string, string>;
  /** Goal: a multiple of bare node, or an absolute number of milliseconds. */
  goal?: { times: number } | { ms: number };
}

const CASES: Case[] = [
  { label: 'node -e 0 (bare node)', args: ['-e', '0'] },
  { label: 'biomass --version', args: ['bin/biomass.js', '--version'], goal: { times: 1.5 } },
  { label: 'biomass validate plans/illinois.yaml', args: ['bin/biomass.js', 'validate', 'plans/illinois.yaml'], goal: { times: 3 } },
  { label: 'biomass plan plans/us.yaml', args: ['bin/biomass.js', 'plan', 'plans/us.yaml'], goal: { ms: 1500 } },
  { label: 'biomass validate ... from source (tsx)', args: ['bin/biomass.js', 'validate', 'plans/illinois.yaml'], env: { BIOMASS_FROM_SOURCE: '1' } },
];

/**
 * GNU time, when the machine has it, adds the CPU time (user + system) of each run: on a
 * machine shared with other work the wall times stretch, and the CPU times much less.
 */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function timeOnce(c: Case): { wallMs: number; cpuMs: number } {
  const [command, args] = GNU_TIME ? [GNU_TIME, ['-f', 'cpu %U %S', process.execPath, ...c.args]] : [process.execPath, c.args];
  const start = performance.now();
  const child = spawnSync(command, args, {
    cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', ...c.env },
  });
  const wallMs = performance.now() - start;
  if (child.status !== 0) throw new Error(`${c.label} exited ${child.status}: ${child.stderr}`);
  const cpu = /^cpu ([\d.]+) ([\d.]+)$/m.exec(child.stderr);
  return { wallMs, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

if (!distIsFresh(root)) {
  console.log('dist/cli is missing or older than src/: building it first');
  await build();
}
for (const c of CASES) timeOnce(c); // warm the file cache; not counted
const samples = new Map<Case, Array<{ wallMs: number; cpuMs: number }>>(CASES.map((c) => [c, []]));
for (let round = 0; round < ROUNDS; round++) for (const c of CASES) samples.get(c)?.push(timeOnce(c));

const wall = (c: Case) => median((samples.get(c) ?? []).map((t) => t.wallMs));
const cpu = (c: Case) => median((samples.get(c) ?? []).map((t) => t.cpuMs));
const bare = wall(CASES[0]!);
const bareCpu = cpu(CASES[0]!);
const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
console.log(`start-up, whole process, median of ${ROUNDS} (node ${process.version}, ${os.availableParallelism()} CPUs, load ${os.loadavg()[0]!.toFixed(1)})`);
console.log(`  ${'command'.padEnd(40)} ${'wall'.padStart(7)}  ${'x bare'.padStart(6)}   ${'cpu'.padStart(7)}  ${'x bare'.padStart(6)}   goal (wall time)`);
for (const c of CASES) {
  const ms = wall(c);
  let verdict = '';
  if (c.goal && 'times' in c.goal) verdict = `<= ${c.goal.times}x bare node: ${ms <= bare * c.goal.times ? 'met' : 'MISSED'}`;
  if (c.goal && 'ms' in c.goal) verdict = `<= ${s(c.goal.ms)}: ${ms <= c.goal.ms ? 'met' : 'MISSED'}`;
  const cpuText = Number.isNaN(bareCpu) ? '' : `${s(cpu(c))}  ${(cpu(c) / bareCpu).toFixed(2).padStart(5)}x`;
  console.log(`  ${c.label.padEnd(40)} ${s(ms)}  ${(ms / bare).toFixed(2).padStart(5)}x   ${cpuText.padStart(16)}   ${verdict}`);
}
