import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // gdal-async is a native addon that must not be loaded in worker threads.
    pool: 'forks',
    // Hang guards, not speed limits: the demo end to end takes ~15 s on two idle cores and
    // ~50 s with both saturated (#8), and a suite must pass on a slow, busy machine.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
