/** Plans and generated items for the tile tests: real files, real plans, loaded as the CLI loads them. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Geography } from '../../src/geo/geography.js';
import { loadPlanOrThrow } from '../../src/plan/load-plan.js';
import type { Plan } from '../../src/plan/plan.js';
import { itemKey } from '../../src/tiles/catalog.js';
import type { LocatableItem } from '../../src/tiles/band-location.js';
import { generateScenes, type SceneFormatChoice } from '../../src/tiles/scene-generator.js';
import { openTileStore } from '../../src/tiles/open-tile-store.js';

export const SEASON = { start: '2024-06-01', end: '2024-06-15' }; // 3 dates at 5 days

export interface PlanSpec {
  name?: string;
  /** The YAML mapping of sources.tiles, e.g. `{ uri: "file:///x", layout: simple }`. */
  tiles: string;
  storageDir: string;
  /** database.url; empty for an embedded database in `dir`/db. */
  databaseUrl?: string;
  preprocess?: string;
  http?: string;
  storage?: string;
  states?: string[];
  counties?: string[];
}

/** Writes a plan into `dir` and loads it. */
export async function writePlan(dir: string, spec: PlanSpec, env: NodeJS.ProcessEnv = {}): Promise<{ plan: Plan; file: string }> {
  const database = spec.databaseUrl ? `{ url: "${spec.databaseUrl}" }` : `{ embedded_dir: "${join(dir, 'db')}" }`;
  const text = `version: 1
name: ${spec.name ?? 'tiles-test'}
season: { start: ${SEASON.start}, end: ${SEASON.end} }
sources:
  tiles: ${spec.tiles}
  parcels: { uri: "${join(dir, 'parcels.gpkg')}" }
database: ${database}
storage: { dir: "${spec.storageDir}", min_free: 1MB, budget: 10GB${spec.storage ?? ''} }
preprocess: ${spec.preprocess ?? '{ parallel_jobs: 2, compression: none, block_size: 256 }'}
http: ${spec.http ?? '{ concurrency: 4, chunk_size: 64KB, retry: { attempts: 3, initial_delay: 10ms, max_delay: 100ms } }'}
rollout:
  states: [${(spec.states ?? ['17']).map((s) => `"${s}"`).join(', ')}]
  counties: [${(spec.counties ?? ['17113']).map((s) => `"${s}"`).join(', ')}]
`;
  const file = join(dir, `${spec.name ?? 'tiles-test'}.yaml`);
  await writeFile(file, text);
  const { plan } = await loadPlanOrThrow(file, { env, machineChecks: 'skip', cwd: dir });
  return { plan, file };
}

/** Generates one tile's items in a format into a folder (simple layout) and returns them as index items. */
export async function folderItems(geography: Geography, folder: string, format: SceneFormatChoice, options: { tiles?: string[]; pixelSize?: number } = {}): Promise<LocatableItem[]> {
  const store = openTileStore({ uri: `file://${folder}`, season: SEASON });
  const scenes = await generateScenes({
    geography, tiles: options.tiles ?? ['16TCK'], season: SEASON, store, format, pixelSize: options.pixelSize ?? 305, layout: 'simple',
  });
  return scenes.map((s) => ({ itemId: itemKey(s), bandUris: s.bands, stateFips: '17' }));
}
