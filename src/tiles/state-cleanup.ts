/**
 * Cleanup: deletes a state's temporary tiles (converted COGs, whole downloads, leftover
 * `.tmp` files of them) once nothing needs them, and measures the space it gave back.
 *
 * - A tile goes only when every county that reads it is complete in the database (with
 *   `verify`, also its outputs recounted against the parcel source); a failed or unfinished
 *   county keeps its tiles unless `force`.
 * - A tile that another state's counties still need is kept until its last user is done
 *   (reference counts from the tile index), whatever `force` says.
 * - Only files the plan recorded, only inside storage.dir (checked), no symbolic link
 *   followed. Originals are never touched.
 *
 * `emergencyCleanup` frees completed states' tiles, oldest first, until free space is back
 * above storage.min_free: what `--emergency` and a run short of disk call.
 */
import path from 'node:path';
import { readFreeSpace } from '../dag/free-space.js';
import {
  listLiveTilesOldestFirst, listPreprocessedTiles, markTilesDeleted, type PreprocessedTile,
} from '../db/preprocessed-tiles-repository.js';
import type { Queryable } from '../db/store.js';
import { listItemUsers, listStateItems } from '../db/tile-index-repository.js';
import type { Plan } from '../plan/plan.js';
import { countyCompletion, type CountyCompletion } from './county-completion.js';
import { pruneEmptyFolders, removeInside } from './safe-removal.js';
import { checkStorageDir } from './storage-dir-guard.js';

export interface CleanupOptions {
  plan: Plan;
  db: Queryable;
  /** 2-digit FIPS. */
  state: string;
  verifyCompletion?: boolean;
  force?: boolean;
  /** Parcels per county in the parcel source (for verifyCompletion). */
  parcelCountOf?: (countyFips: string) => number | undefined;
  env?: NodeJS.ProcessEnv;
}

export interface CleanupReport {
  state: string;
  storageDir: string;
  deleted: Array<{ itemId: string; band: string; path: string; bytes: number }>;
  /** Items kept, with why. */
  kept: Array<{ itemId: string; reason: string }>;
  /** Files recorded but not deleted (refused or already gone), with why. */
  refused: string[];
  counties: CountyCompletion[];
  /** What the database recorded for the deleted files. */
  bytesRecorded: number;
  /** Sizes of the files actually removed. */
  bytesRemoved: number;
  freeBefore: number | null;
  freeAfter: number | null;
  forced: boolean;
}

export async function cleanupState(options: CleanupOptions): Promise<CleanupReport> {
  const { plan, db, state } = options;
  const root = await checkStorageDir(plan.storage.dir, options.env);
  const stateItems = await listStateItems(db, plan.name, state);
  const itemCounties = new Map(stateItems.map((item) => [item.itemId, item.counties]));
  const tiles = (await listPreprocessedTiles(db, plan.name)).filter((t) =>
    t.status !== 'deleted' && (t.stateFips === state || ((t.stateFips ?? null) === null && itemCounties.has(t.itemId))));
  const itemIds = [...new Set(tiles.map((t) => t.itemId))];

  // Every county that reads these items, in this state and in others.
  const users = await listItemUsers(db, plan.name, itemIds);
  const allCounties = [...new Set([...stateItems.flatMap((i) => i.counties), ...users.flatMap((u) => u.counties)])].sort();
  const completion = await countyCompletion(db, plan.name, allCounties, { verify: options.verifyCompletion, parcelCountOf: options.parcelCountOf });
  const ownCounties = [...new Set(stateItems.flatMap((i) => i.counties))].sort();

  const kept: CleanupReport['kept'] = [];
  const deletable: string[] = [];
  for (const itemId of itemIds) {
    const elsewhere = users.filter((u) => u.itemId === itemId && u.stateFips !== state && u.counties.some((c) => completion.get(c)?.state !== 'complete'));
    if (elsewhere.length > 0) {
      kept.push({ itemId, reason: `state ${elsewhere.map((u) => u.stateFips).join(', ')} still needs it` });
      continue;
    }
    const waiting = (itemCounties.get(itemId) ?? []).filter((c) => completion.get(c)?.state !== 'complete');
    if (waiting.length > 0 && !options.force) {
      const failed = waiting.filter((c) => completion.get(c)?.state === 'failed');
      kept.push({ itemId, reason: failed.length > 0 ? `county ${failed.join(', ')} failed (--force deletes)` : `county ${waiting.join(', ')} not complete` });
      continue;
    }
    deletable.push(itemId);
  }
  const report = await deleteItems(plan, db, root, tiles.filter((t) => deletable.includes(t.itemId)));
  await pruneEmptyFolders(root, path.join(root, state)).catch(() => {});
  return {
    state, storageDir: root, kept, counties: ownCounties.map((c) => completion.get(c)!), forced: !!options.force, ...report,
  };
}

/** Deletes the files of whole items and marks them deleted; free space measured around it. */
async function deleteItems(plan: Plan, db: Queryable, root: string, tiles: readonly PreprocessedTile[]) {
  const freeBefore = (await readFreeSpace(root)).bytes;
  const deleted: CleanupReport['deleted'] = [];
  const refused: string[] = [];
  const done = new Set<string>();
  const failedItems = new Set<string>();
  let bytesRemoved = 0;
  for (const tile of tiles) {
    // The leftovers of an interrupted write or download go with the file.
    for (const leftover of [`${tile.path}.tmp`, `${tile.path}.tmp.json`]) {
      const gone = await removeInside(root, leftover);
      if (gone.removed) bytesRemoved += gone.bytes;
    }
    const removal = await removeInside(root, tile.path);
    if (removal.removed) {
      bytesRemoved += removal.bytes;
      deleted.push({ itemId: tile.itemId, band: tile.band, path: tile.path, bytes: tile.bytes });
    } else if (removal.reason.endsWith('already gone')) {
      deleted.push({ itemId: tile.itemId, band: tile.band, path: tile.path, bytes: 0 });
    } else {
      refused.push(removal.reason);
      failedItems.add(tile.itemId);
      continue;
    }
    done.add(tile.itemId);
    await pruneEmptyFolders(root, path.dirname(tile.path)).catch(() => {});
  }
  await markTilesDeleted(db, plan.name, [...done].filter((id) => !failedItems.has(id)));
  const freeAfter = (await readFreeSpace(root)).bytes;
  const bytesRecorded = deleted.reduce((n, d) => n + d.bytes, 0);
  return { deleted, refused, bytesRecorded, bytesRemoved, freeBefore, freeAfter };
}

export interface EmergencyReport {
  storageDir: string;
  /** States whose tiles were freed, in the order freed. */
  freedStates: string[];
  deleted: CleanupReport['deleted'];
  refused: string[];
  bytesRecorded: number;
  bytesRemoved: number;
  freeBefore: number | null;
  freeAfter: number | null;
  /** Whether free space is back above storage.min_free. */
  enough: boolean;
}

/** Frees completed states' tiles, oldest first, until free space is above storage.min_free. */
export async function emergencyCleanup(options: { plan: Plan; db: Queryable; env?: NodeJS.ProcessEnv }): Promise<EmergencyReport> {
  const { plan, db } = options;
  const root = await checkStorageDir(plan.storage.dir, options.env);
  const live = await listLiveTilesOldestFirst(db, plan.name);
  const freeBefore = (await readFreeSpace(root)).bytes;
  const report: EmergencyReport = {
    storageDir: root, freedStates: [], deleted: [], refused: [], bytesRecorded: 0, bytesRemoved: 0, freeBefore, freeAfter: freeBefore, enough: false,
  };
  const enough = (free: number | null) => free !== null && free >= plan.storage.minFreeBytes;
  // A state is complete when every county that reads any of its items is.
  const states = [...new Set(live.map((t) => t.stateFips).filter((s): s is string => !!s))];
  const complete = new Set<string>();
  for (const state of states) {
    const counties = [...new Set((await listStateItems(db, plan.name, state)).flatMap((i) => i.counties))];
    const done = await countyCompletion(db, plan.name, counties);
    if (counties.every((c) => done.get(c)?.state === 'complete')) complete.add(state);
  }
  const byItem = new Map<string, PreprocessedTile[]>();
  for (const tile of live) if (tile.stateFips && complete.has(tile.stateFips)) byItem.set(tile.itemId, [...(byItem.get(tile.itemId) ?? []), tile]);
  // Even in an emergency, a tile a state still at work reads stays (it would be made again).
  const users = await listItemUsers(db, plan.name, [...byItem.keys()]);
  const readers = [...new Set(users.flatMap((u) => u.counties))];
  const done = await countyCompletion(db, plan.name, readers);
  for (const [itemId, files] of byItem) {
    if (users.some((u) => u.itemId === itemId && u.counties.some((c) => done.get(c)?.state !== 'complete'))) continue;
    if (enough(report.freeAfter)) break;
    const removed = await deleteItems(plan, db, root, files);
    report.deleted.push(...removed.deleted);
    report.refused.push(...removed.refused);
    report.bytesRecorded += removed.bytesRecorded;
    report.bytesRemoved += removed.bytesRemoved;
    report.freeAfter = removed.freeAfter;
    const state = files[0]!.stateFips!;
    if (!report.freedStates.includes(state)) report.freedStates.push(state);
  }
  report.enough = enough(report.freeAfter);
  return report;
}
