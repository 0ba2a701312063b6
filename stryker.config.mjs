// Mutation testing of the pure core: `npm run test:mutation` (docs/testing.md).
// Not part of `npm test`: on two shared cores a part takes 15 minutes to several hours (dag: 3-4 h; docs/testing.md).
// STRYKER_SCOPE=plan|dag|geo|db runs one part, with its own incremental file and report,
// so the parts can run one after another and a rerun only tests what changed.

/** The scope, part by part; secrets.ts goes with plan (the plan loader registers secrets). */
const SCOPES = {
  plan: ['src/plan/**/*.ts', '!src/plan/plan-document.ts', 'src/secrets.ts'],
  // parcel-counts.ts counts parcels through OGR (GDAL), tested with GDAL in test/dag/parcel-counts.test.ts,
  // which the mutation run cannot load (worker threads); like geo's utm-projection.ts.
  dag: ['src/dag/**/*.ts', '!src/dag/parcel-counts.ts'],
  // utm-projection.ts is GDAL's side (spatial references for the parcels and scenes), tested with them.
  geo: ['src/geo/**/*.ts', '!src/geo/utm-projection.ts'],
  db: ['src/db/retry-policy.ts', 'src/db/migrations.ts'],
};

const scope = process.env.STRYKER_SCOPE ?? 'all';
if (scope !== 'all' && !(scope in SCOPES)) {
  throw new Error(`STRYKER_SCOPE=${scope}: use one of ${Object.keys(SCOPES).join(', ')} (or leave it unset for all)`);
}
const mutate = scope === 'all' ? Object.values(SCOPES).flat() : SCOPES[scope];

// STRYKER_IGNORE_STATIC=1 leaves out the static mutants (module-level code: tables, constants),
// which Stryker must test with every test of the scope in a fresh runner: 856 of 4939 mutants,
// by Stryker's estimate 69 % of the run's time. A quicker measurement of the rest, with its own
// report and incremental file; the score of the scope is the run without it.
const ignoreStatic = process.env.STRYKER_IGNORE_STATIC === '1';
const name = ignoreStatic ? `${scope}-nonstatic` : scope;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the test files that exercise this code (vitest.mutation.config.ts), each test run
  // only against the mutants it covers.
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  coverageAnalysis: 'perTest',
  mutate,
  // Two cores shared with other work: more runners only queue.
  concurrency: 2,
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${name}.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  ignoreStatic,
  thresholds: { high: 90, low: 85, break: null },
  // Added to each mutant's normal test time (x1.5): a mutant that hangs (an endless loop) is given
  // up on after this, and counts as detected. The slowest test of the scope takes under 4 s.
  timeoutMS: 8000,
  tempDirName: '.stryker-tmp',
  // The default adds `// @ts-nocheck` to every file, which breaks the test that compares
  // the generated plan type with its schema; vitest does not type-check anyway.
  disableTypeChecks: false,
  ignorePatterns: ['reports', '.biomass', 'test-output', 'bench/output', 'dist', 'coverage'],
  cleanTempDir: 'always',
};
