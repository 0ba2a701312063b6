/**
 * Runs the benchmarks, each in its own process so one's loaded modules and caches do not
 * flatter the next: every bench/*.bench.ts, or those whose name contains an argument.
 *
 *   node --import tsx bench/run.ts            all of them (npm run bench)
 *   node --import tsx bench/run.ts startup    bench/startup.bench.ts only
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const filters = process.argv.slice(2);
const benches = readdirSync(new URL('.', import.meta.url))
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();
if (benches.length === 0) {
  console.error(`bench: no bench/*.bench.ts matches ${filters.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of benches) {
  console.log(`\n== bench/${name}`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}`], { stdio: 'inherit' });
  if (child.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
