#!/usr/bin/env node
// Entry point of the `biomass` command. Raster reads run on libuv's thread pool through
// gdal-async's *Async methods, so the pool is sized before anything touches it.
import os from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, Math.min(16, os.availableParallelism() * 2)));

const { register } = await import('tsx/esm/api');
register();
const { runCli } = await import('../src/cli/main.ts');
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// A run stopped by a signal (130) may leave work it stopped waiting for (a second Ctrl-C):
// everything it wrote is committed whole, so the process ends now rather than when that work does.
if (code === 130) process.exit(code);
