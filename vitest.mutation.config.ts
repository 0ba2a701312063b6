import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The test files that exercise the mutation-testing scope (stryker.config.mjs): the pure core
 * and the two database modules. The CLI, tile and browser tests also reach this code, but they
 * take far longer per mutant; the files below are meant to kill every mutant on their own.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/plan/**/*.test.ts',
      'test/dag/**/*.test.ts',
      'test/geo/**/*.test.ts',
      'test/secrets.test.ts',
      'test/db/retry-policy.test.ts',
      'test/db/migrations.test.ts',
    ],
    exclude: ['test/dag/plan-report-browser.test.ts'],
  },
});
