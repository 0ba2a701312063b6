// Mutation testing of the pure core (npm run test:mutation; docs/testing.md).
// Not part of `npm test`: a full run takes tens of minutes on two cores.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  coverageAnalysis: 'perTest',
  mutate: [
    'src/plan/**/*.ts',
    '!src/plan/plan-document.ts',
    'src/dag/**/*.ts',
    'src/geo/**/*.ts',
    'src/secrets.ts',
    'src/db/retry-policy.ts',
    'src/db/migrations.ts',
  ],
  // Two cores shared with other work: more runners only queue.
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
  timeoutMS: 60000,
  tempDirName: '.stryker-tmp',
  // The default adds `// @ts-nocheck` to every file, which breaks the test that compares
  // the generated plan type with its schema; vitest does not type-check anyway.
  disableTypeChecks: false,
  ignorePatterns: ['reports', '.biomass', 'test-output', 'bench/output', 'dist', 'coverage'],
  cleanTempDir: 'always',
};
