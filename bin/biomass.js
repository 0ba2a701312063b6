#!/usr/bin/env node
// Entry point of the `biomass` command. It runs the bundle in dist/cli (npm run build; the
// setup step builds it when src/ changed), so no TypeScript is transpiled at start-up. When
// dist/ is missing or older than src/ (a checkout after the last build) it runs the
// TypeScript sources through tsx instead, slower to start, and says so on stderr;
// BIOMASS_FROM_SOURCE=1 asks for the sources on purpose (the tests do), without the note.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from '../scripts/source-stamp.js';

const args = process.argv.slice(2);
// `biomass --version` alone is answered here, before the commands load (scripts ask it
// often); with anything else it is commander's, in src/cli/main.ts, from the same file.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}

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
const code = await runCli(args);
process.exitCode = code;
// A run stopped by a signal (130) may leave work it stopped waiting for (a second Ctrl-C):
// everything it wrote is committed whole, so the process ends now rather than when that work does.
if (code === 130) process.exit(code);
