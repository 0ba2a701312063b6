/**
 * A rollout small enough for tests: three Illinois counties (McLean, DeWitt, Piatt), tiles
 * from the estimated catalog (the real index runner lists nothing), parcels generated into a
 * GeoPackage with large lots (a few hundred in all), in a temporary folder.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadGeography } from '../../src/geo/geography.js';
import { generateParcels } from '../../src/parcels/parcel-generator.js';
import { runBiomass, type CliResult } from '../support/cli.js';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/cli-io.js';

export const COUNTIES = ['17113', '17039', '17147'];

export interface RunFixture {
  dir: string;
  parcels: string;
  /** Parcels per county in the GeoPackage. */
  counts: Record<string, number>;
  /** Writes a plan named `name` into the folder and returns its path (relative to `dir`). */
  plan(name: string, extra?: { database?: string; processing?: string; notify?: string; storage?: string }): Promise<string>;
}

export async function makeRunFixture(): Promise<RunFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'biomass-run-'));
  const parcels = path.join(dir, 'parcels.gpkg');
  const geography = await loadGeography();
  const generated = await generateParcels({ geography, counties: COUNTIES, file: parcels, lotSize: 6000, splitShare: 0.05 });
  return {
    dir, parcels, counts: generated.counts,
    async plan(name, extra = {}) {
      const file = `${name}.yaml`;
      await writeFile(path.join(dir, file), `version: 1
name: ${name}
season: { start: 2024-06-01, end: 2024-06-10 }
sources:
  tiles: { uri: "estimated:" }
  parcels: { uri: parcels.gpkg, layer: parcels }
database: ${extra.database ?? '{ url: "${DATABASE_URL}" }'}
storage: ${extra.storage ?? `{ dir: work/${name}/tmp, min_free: 1MB, budget: 10GB, tile_size: { compressed: 1MB, uncompressed: 2MB } }`}
preprocess: { parallel_jobs: 2 }
processing: ${extra.processing ?? '{ batch_size: 25, parallel_batches: 2, retry: { attempts: 2, initial_delay: 10ms, max_delay: 50ms } }'}
${extra.notify ? `notify: ${extra.notify}\n` : ''}rollout:
  states: ["17"]
  counties: [${COUNTIES.map((c) => `"${c}"`).join(', ')}]
`);
      return file;
    },
  };
}

/** Short leases and waits, so takeovers and stops happen within a test. */
export const TEST_TIMINGS = { leaseMs: 2_000, graceMs: 5_000, diskIntervalMs: 200 };

/** `biomass ARGS` in-process with test runners and signals; stdout is a pipe (not a TTY). */
export async function runWith(argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv; io?: Partial<CliIo> }): Promise<CliResult> {
  if (!options.io) return runBiomass(argv, { cwd: options.cwd, env: options.env });
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env,
    cwd: options.cwd,
    runTimings: TEST_TIMINGS,
    ...options.io,
  });
  return { code, stdout, stderr };
}
