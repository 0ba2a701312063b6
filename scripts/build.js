// Builds the CLI into dist/cli: one esbuild bundle of src/cli/main.ts (ESM, Node 20) that
// bin/biomass.js loads, so no command transpiles TypeScript at start-up. The heavy packages
// stay external and are loaded by the code paths that need them (`await import(...)` or
// src/load-gdal.ts); code splitting keeps our own lazily imported modules in their own
// chunks. The tests run the TypeScript sources; this is what users run.
//
//   node scripts/build.js              build (npm run build)
//   node scripts/build.js --if-stale   build only when src/ changed since the last build (setup.sh)
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsFresh, sourceStamp, STAMP_FILE } from './source-stamp.js';

/**
 * Packages never bundled: native addons (gdal-async), the ones that are large or start
 * threads and workers of their own, and what only tests and the demo start (azurite).
 */
export const EXTERNAL = [
  'gdal-async', 'pg', 'pg-native', '@electric-sql/pglite', '@azure/storage-blob',
  'piscina', 'listr2', 'pino', 'azurite', 'esbuild', 'tsx',
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Bundles into `outDir` (relative to the repository root; dist/cli by default), written to a
 * temporary folder first and moved into place file by file (see install). Returns esbuild's
 * metafile.
 */
export async function build({ outDir = 'dist/cli', root = ROOT } = {}) {
  const { build: esbuild } = await import('esbuild');
  const stamp = sourceStamp(root); // before reading the sources: an edit during the build makes it stale
  const target = path.join(root, outDir);
  const temporary = `${target}.tmp-${process.pid}`;
  rmSync(temporary, { recursive: true, force: true });
  const result = await esbuild({
    absWorkingDir: root,
    // Output name -> source. Every output lands flat in outDir, so a module that finds a worker
    // file with new URL('./name.js', import.meta.url) finds it here too: a Piscina worker is
    // added as an entry of its own.
    entryPoints: { main: 'src/cli/main.ts', 'kernel-worker': 'src/biomass/kernel-worker.ts' },
    outdir: temporary,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // Bundled CommonJS dependencies (ajv) call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __biomassRequire } from 'node:module'; const require = __biomassRequire(import.meta.url);" },
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(path.join(temporary, 'metafile.json'), JSON.stringify(result.metafile));
  writeFileSync(path.join(temporary, path.basename(STAMP_FILE)), JSON.stringify(stamp) + '\n');
  install(temporary, target);
  return result.metafile;
}

/** Chunks of earlier builds are kept this long for the processes still running them. */
const KEEP_OLD_CHUNKS_MS = 7 * 24 * 3600 * 1000;

/**
 * Moves a build into place. Chunks are named by their content and loaded lazily, maybe hours
 * into a run: a running process must still find the chunks of the build it started from, so
 * they are not deleted with the new build (only after a week). The new chunks go first, the
 * entry and the stamp last, each by rename: a process starting meanwhile gets the old entry
 * with its chunks or the new one with its chunks, never half of one.
 */
function install(from, target) {
  mkdirSync(target, { recursive: true });
  const last = ['main.js.map', 'main.js', 'metafile.json', path.basename(STAMP_FILE)];
  const files = readdirSync(from);
  for (const name of files.filter((n) => !last.includes(n))) renameSync(path.join(from, name), path.join(target, name));
  for (const name of last.filter((n) => files.includes(n))) renameSync(path.join(from, name), path.join(target, name));
  rmSync(from, { recursive: true, force: true });
  const now = Date.now();
  for (const name of readdirSync(target)) {
    if (files.includes(name)) continue;
    const file = path.join(target, name);
    if (now - statSync(file).mtimeMs > KEEP_OLD_CHUNKS_MS) rmSync(file, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale') && distIsFresh(ROOT)) process.exit(0);
  const started = Date.now();
  await build();
  console.log(`build: dist/cli from src/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
