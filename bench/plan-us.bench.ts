/**
 * How long `biomass plan plans/us.yaml` takes (51 states, 3,142 counties), beside its limit
 * (1.5 s, issue #8) and beside its peer measured in the same run: `biomass validate` on the
 * same plan, the start-up every command pays (tsx, ajv, yaml). Also splits the in-process
 * time into geography (us-atlas + tile covers, src/geo) and the dry run (src/dag).
 *
 *   node --import tsx bench/plan-us.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { dryRun } from '../src/dag/dry-run.js';
import { gatherRollout } from '../src/dag/rollout-facts.js';
import { loadGeography } from '../src/geo/geography.js';
import { loadPlanOrThrow } from '../src/plan/load-plan.js';

const LIMIT_MS = 1500;
const PLAN = 'plans/us.yaml';

function processMs(args: string[]): { ms: number; code: number | null } {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['bin/biomass.js', ...args], { env: { ...process.env, DATABASE_URL: '' }, encoding: 'utf8' });
  return { ms: performance.now() - start, code: child.status };
}

const t0 = performance.now();
const { plan } = await loadPlanOrThrow(PLAN, { env: {}, machineChecks: 'skip', cwd: process.cwd() });
const t1 = performance.now();
const geography = await loadGeography();
gatherRollout(plan, geography); // tile covers of 3,142 counties (memoized in the geography)
const t2 = performance.now();
const first = dryRun(plan, geography);
const t3 = performance.now();
const again: number[] = [];
for (let i = 0; i < 3; i++) {
  const s = performance.now();
  dryRun(plan, geography);
  again.push(performance.now() - s);
}
const validate = processMs(['validate', PLAN]);
const whole = processMs(['plan', PLAN, '--json']);

const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`biomass plan ${PLAN}: ${first.estimate.totals.counties} counties, ${first.dag.nodes.length} DAG nodes, ${first.estimate.orders.length} orders simulated${first.estimate.refused ? ', refused (budget)' : ''}`);
console.log(`  in process, cold: ${f(t3 - t0)}  (load plan ${f(t1 - t0)}, geography + tile covers ${f(t2 - t1)}, dry run ${f(t3 - t2)})   limit ${f(LIMIT_MS)}`);
console.log(`  dry run again, warm: ${again.map(f).join(', ')}`);
console.log(`  whole command (node bin/biomass.js plan ${PLAN} --json): ${f(whole.ms)} (exit ${whole.code})   limit ${f(LIMIT_MS)}`);
console.log(`  peer: node bin/biomass.js validate ${PLAN}: ${f(validate.ms)} (start-up every command pays)`);
console.log(`  plan minus validate: ${f(whole.ms - validate.ms)}   ${whole.ms <= LIMIT_MS ? 'within' : 'OVER'} the limit as a whole command`);
