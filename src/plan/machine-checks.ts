import { existsSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { fileKind } from './file-kind.js';
import type { Plan } from './plan.js';
import type { Problem } from './problem.js';
import { formatBytes } from './units.js';
import type { PlanPath, YamlSource } from './yaml-source.js';

/**
 * Checks that depend on the machine the plan is checked on, not on the plan alone:
 * `validate` reports them as warnings, a run refuses to start on them.
 */
export function machineProblems(plan: Plan, source: YamlSource, severity: Problem['severity']): Problem[] {
  const at = (p: PlanPath) => ({ file: source.file, ...source.locate(p), severity });
  const problems: Problem[] = [];

  const free = freeBytesUnder(plan.storage.dir);
  if (free !== undefined && free < plan.storage.minFreeBytes) {
    problems.push({
      ...at(['storage', 'min_free']),
      code: 'DISK_MIN_FREE',
      message: `only ${formatBytes(free)} is free under ${plan.storage.dir}, below storage.min_free ${formatBytes(plan.storage.minFreeBytes)}`,
      hint: 'free space there, point storage.dir at a larger disk, or lower storage.min_free',
    });
  }
  if (plan.tiles.kind === 'file' && !existsSync(plan.tiles.prefix)) {
    problems.push({
      ...at(['sources', 'tiles', 'uri']),
      code: 'TILES_FOLDER_MISSING',
      message: `the tile folder ${plan.tiles.prefix} does not exist`,
      hint: 'check sources.tiles.uri (relative paths are relative to the plan file), or run `biomass demo` for the demo data',
    });
  }
  if (!/^[A-Za-z]{2,}:/.test(plan.parcels.uri) && fileKind(plan.parcels.uri) === 'special') {
    problems.push({
      ...at(['sources', 'parcels', 'uri']),
      // Never a passing state of the machine: an error even where machine checks only warn.
      severity: 'error',
      code: 'PARCELS_NOT_A_FILE',
      message: `the parcel source ${plan.parcels.uri} is not a regular file (a FIFO, socket or device)`,
      hint: 'name a GeoPackage, a shapefile or a PG: connection in sources.parcels.uri',
    });
  } else if (!/^[A-Za-z]{2,}:/.test(plan.parcels.uri) && !existsSync(plan.parcels.uri)) {
    problems.push({
      ...at(['sources', 'parcels', 'uri']),
      code: 'PARCELS_MISSING',
      message: `the parcel source ${plan.parcels.uri} does not exist`,
      hint: 'check sources.parcels.uri (relative paths are relative to the plan file), or run `biomass demo` for the demo data',
    });
  }
  return problems;
}

/** `dir` when it exists, else its nearest existing parent; undefined when none exists. */
export function nearestExistingFolder(dir: string): string | undefined {
  let probe = path.resolve(dir);
  while (!existsSync(probe)) {
    const parent = path.dirname(probe);
    if (parent === probe) return undefined;
    probe = parent;
  }
  return probe;
}

/** Free bytes on the file system that holds `dir`, or its nearest existing parent. */
export function freeBytesUnder(dir: string): number | undefined {
  const probe = nearestExistingFolder(dir);
  if (probe === undefined) return undefined;
  const stats = statfsSync(probe);
  return stats.bavail * stats.bsize;
}
