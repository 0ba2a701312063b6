import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The test files that exercise each part of the mutation-testing scope (stryker.config.mjs,
 * STRYKER_SCOPE): the pure core and the two database modules. The CLI, tile and browser tests
 * also reach this code, but they take far longer per mutant; the files below are meant to
 * kill every mutant of their part on their own.
 */
const TESTS: Record<string, string[]> = {
  plan: ['test/plan/**/*.test.ts', 'test/secrets.test.ts'],
  // plan-diff.test.ts reads what earlier runs stored (src/dag/stored-work.ts) from PostgreSQL.
  dag: ['test/dag/**/*.test.ts', 'test/report/plan-diff.test.ts'],
  geo: ['test/geo/**/*.test.ts'],
  db: ['test/db/retry-policy.test.ts', 'test/db/retry-window.test.ts', 'test/db/migrations.test.ts'],
};

const scope = process.env.STRYKER_SCOPE;
export default defineConfig({
  test: {
    ...base.test,
    include: scope && TESTS[scope] ? TESTS[scope] : Object.values(TESTS).flat(),
    // Stryker starts these files again for every mutant. Isolated, each start loads every module
    // anew (the us-atlas geography among them); shared, a module is loaded once per test runner.
    // Stryker restarts the runner for mutants in module-level code, which must be loaded anew.
    isolate: false,
    // Stryker's vitest runner runs the tests in worker threads, where gdal-async cannot load
    // ("Module did not self-register"). These files use GDAL; what they check against GDAL is
    // kept for the rest in test/geo/fixtures/gdal-reference.json (test/geo/tile-cover.test.ts).
    exclude: [
      'test/dag/plan-report-browser.test.ts',
      'test/dag/parcel-counts.test.ts',
      'test/geo/county-coverage.test.ts',
      'test/geo/tile-cover-reference.test.ts',
    ],
  },
});
