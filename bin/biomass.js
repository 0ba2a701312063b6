#!/usr/bin/env node
// Entry point of the `biomass` command. It runs the bundle in dist/cli (npm run build; the
// setup step builds it when src/ changed), so no TypeScript is transpiled at start-up. When
// dist/ is missing or older than src/ (a checkout after the last build) it runs the
// TypeScript sources through tsx instead, slower to start, and says so on stderr;
// BIOMASS_FROM_SOURCE=1 asks for the sources on purpose (the tests do), without the note.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from '../scripts/source-stamp.js';

// Raster reads run on libuv's thread pool through gdal-async's *Async methods, so the pool
// is sized before anything touches it.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, Math.min(16, os.availableParallelism() * 2)));

const root = fileURLToPath(new URL('..', import.meta.url));
const fromSource = process.env.BIOMASS_FROM_SOURCE === '1';
let runCli;
if (!fromSource && distIsFresh(root)) {
  ({ runCli } = await import('../dist/cli/main.js'));
} else {
  if (!fromSource) {
    process.stderr.write('biomass: dist/ is missing or older than src/; running the TypeScript sources (slower start). `npm run build` makes dist/.\n');
  }
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/cli/main.ts'));
}
process.exitCode = await runCli(process.argv.slice(2));
