/**
 * Where to read one band of one tile item, and by which path (the contract the block
 * reader builds on):
 *
 * - `local`: the preprocessed, streamable copy under storage.dir, when a ready record of
 *   kind cog exists and its file is there;
 * - `streamed`: the original read in place, window by window: GDAL `/vsiaz/` for Azure
 *   Blob Storage, the file itself for a folder, when the streamability probe says it can be;
 * - `downloaded`: a whole copy of a non-streamable original under storage.dir, made here
 *   once (ranged, retried, resumable) as the last resort, and recorded so it is reused and
 *   cleaned up with the state's tiles.
 *
 * Before a `streamed` Azure location is returned, GDAL's request-saving settings and the
 * current credentials (connection string, or a SAS, refreshed before it expires) are set.
 */
import { stat } from 'node:fs/promises';
import type { Plan } from '../plan/plan.js';
import type { Queryable } from '../db/store.js';
import { getPreprocessedTile, recordPreprocessedTile } from '../db/preprocessed-tiles-repository.js';
import { getProbe, recordProbes, type TileProbe } from '../db/tile-probes-repository.js';
import { bandSourceOf, gdalPathOf, type BandSource } from './band-source.js';
import type { TileAccess } from './tile-access.js';
import { probeBand } from './streamability-probe.js';
import { downloadPathOf, downloadWhole } from './whole-download.js';

/** The read path a location takes; every read is counted by it. */
export type ReadPath = 'local' | 'streamed' | 'downloaded';

/** The item as the tile index stores it (src/db/tile-index-repository.ts TileItem fits). */
export interface LocatableItem {
  /** `{tileId}/{YYYY-MM-DD}`. */
  itemId: string;
  /** Band -> azure://CONTAINER/NAME or file:///PATH of the original. */
  bandUris: Record<string, string>;
  /** The state whose storage folder a last-resort download goes to. */
  stateFips: string;
}

export interface BandLocation {
  itemId: string;
  band: string;
  path: ReadPath;
  /** What to hand gdal.openAsync: a local file path, or /vsiaz/CONTAINER/NAME. */
  gdalPath: string;
  /** The original's URI (what the index recorded), for messages and metrics. */
  original: string;
  /** The probe's verdict on the original (absent when a local copy made it unnecessary). */
  probe?: TileProbe;
}

export interface LocateContext {
  plan: Plan;
  db: Queryable;
  /** Blob access and GDAL settings for the plan's source (one per process: src/tiles/tile-access.ts `tileAccessOf`). */
  access: TileAccess;
  signal?: AbortSignal;
}

/** Says where to read `band` of `item`, probing (and at worst downloading) on the way. */
export async function locateBand(item: LocatableItem, band: string, context: LocateContext): Promise<BandLocation> {
  const { plan, db, access, signal } = context;
  const uri = item.bandUris[band];
  const what = `item ${item.itemId} band ${band}`;
  const source = bandSourceOf(uri ?? '', what);
  const record = await getPreprocessedTile(db, plan.name, item.itemId, band);
  if (record?.status === 'ready' && record.kind !== 'download' && (await isFile(record.path))) {
    return { itemId: item.itemId, band, path: 'local', gdalPath: record.path, original: source.uri };
  }
  const probe = await probeOf(item.itemId, band, source, context);
  if (probe.streamable) {
    if (source.kind === 'azure') await access.configureGdal(signal);
    return { itemId: item.itemId, band, path: 'streamed', gdalPath: gdalPathOf(source), original: source.uri, probe };
  }
  if (source.kind === 'file') {
    // A local original that cannot be streamed is still on this disk: copying it gains nothing.
    return { itemId: item.itemId, band, path: 'downloaded', gdalPath: source.path, original: source.uri, probe };
  }
  if (record?.status === 'ready' && record.kind === 'download' && (await isFile(record.path))) {
    return { itemId: item.itemId, band, path: 'downloaded', gdalPath: record.path, original: source.uri, probe };
  }
  const target = downloadPathOf(plan.storage.dir, item.stateFips, item.itemId, band, source);
  const done = await downloadWhole(source, target, { access, http: plan.http, signal, what });
  await recordPreprocessedTile(db, plan.name, {
    itemId: item.itemId, band, path: target, bytes: done.bytes, sha256: done.sha256, status: 'ready', kind: 'download', stateFips: item.stateFips,
  });
  return { itemId: item.itemId, band, path: 'downloaded', gdalPath: target, original: source.uri, probe };
}

/** The stored probe for this original, or a new one (stored). */
export async function probeOf(itemId: string, band: string, source: BandSource, context: Omit<LocateContext, 'plan'> & { plan: Pick<Plan, 'name'> }): Promise<TileProbe> {
  const stored = await getProbe(context.db, context.plan.name, itemId, band);
  if (stored && stored.uri === source.uri) return stored;
  const found = await probeBand(source, context.access, context.signal);
  const probe: TileProbe = { itemId, band, uri: source.uri, ...found };
  await recordProbes(context.db, context.plan.name, [probe]);
  return probe;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
