#!/usr/bin/env node
// Entry point of the `biomass` command. Raster reads run on libuv's thread pool through
// gdal-async's *Async methods, so the pool is sized before anything touches it.
import os from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, Math.min(16, os.availableParallelism() * 2)));

const { register } = await import('tsx/esm/api');
register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
