// A `biomass run` in a process of its own, for the test that kills it (SIGKILL): the CLI's
// main() with the TEST DOUBLE runners of test-runners.ts and a delay per batch, so the kill
// lands mid-county (a real county of the demo's size finishes before a kill can be aimed).
import { main } from '../../src/cli/main.js';
import { TEST_TIMINGS } from './run-fixture.js';
import { newBatchLog, testRunners } from './test-runners.js';

const [plan, cwd] = process.argv.slice(2) as [string, string];
process.exitCode = await main(['run', plan, '--json'], {
  stdout: process.stdout, stderr: process.stderr, env: process.env, cwd, signals: process,
  runTimings: TEST_TIMINGS,
  nodeRunners: testRunners(newBatchLog(), { batchDelayMs: 150 }),
});
