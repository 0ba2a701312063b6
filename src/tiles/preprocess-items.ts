/**
 * Preprocessing: converts the band files of a list of tile items to streamable COGs under
 * storage.dir/<state>/<tile>/<date>/<band>.tif, as `sources.tiles.preprocess` and the
 * streamability probe decide. `preprocess.parallel_jobs` conversions run at once (gdal-async
 * on libuv's pool). Each output is written as `.tmp`, checked, hashed, renamed and recorded;
 * a rerun skips outputs whose hash matches their record and redoes the rest. A bad item is
 * recorded as failed with its reason while the others go on; a credential failure, a full
 * disk or an exhausted budget stops the whole run at once.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BiomassError } from '../biomass-error.js';
import { readFreeSpace } from '../dag/free-space.js';
import { getPreprocessedTile, readyBytes, recordPreprocessedTile, type PreprocessedTile } from '../db/preprocessed-tiles-repository.js';
import type { Queryable } from '../db/store.js';
import type { Plan } from '../plan/plan.js';
import { formatBytes } from '../plan/units.js';
import { redact } from '../secrets.js';
import { probeOf, type LocatableItem } from './band-location.js';
import { bandSourceOf, type BandSource } from './band-source.js';
import { checkAgainstGrid, cogCreationOptions, convertToCog, openSource, rasterBytes } from './cog-conversion.js';
import { tileAccessOf, type TileAccess } from './tile-access.js';
import { downloadPathOf, downloadWhole, sha256Of } from './whole-download.js';

export interface PreprocessItemsOptions {
  plan: Plan;
  db: Queryable;
  /** 2-digit state FIPS: the folder under storage.dir the outputs go to. */
  state: string;
  items: readonly LocatableItem[];
  signal?: AbortSignal;
  /** Default preprocess.parallel_jobs. */
  parallelJobs?: number;
  /** Default storage.dir. */
  storageDir?: string;
  /** Default the plan's (tileAccessOf). */
  access?: TileAccess;
  onProgress?: (progress: PreprocessProgress) => void;
}

export interface PreprocessProgress {
  itemsDone: number;
  itemsTotal: number;
  bytesIn: number;
  bytesOut: number;
  elapsedMs: number;
  /** Bytes read per second so far (downloads and local reads of originals). */
  bytesPerSecond: number;
  /** Remaining time at the rate so far; undefined until one item is done. */
  etaMs: number | undefined;
}

export interface FailedBand { itemId: string; band: string; code: string; reason: string }

export interface PreprocessSummary {
  items: number;
  /** Band files converted in this run. */
  converted: number;
  /** Items with at least one band file converted in this run. */
  itemsConverted: number;
  /** Band files left as they are: streamable in place (when-needed) or preprocess: never. */
  skippedStreamable: number;
  /** Band files found converted and hash-valid from an earlier run. */
  alreadyDone: number;
  /** Of the converted: redone because a `.tmp` was left or the file's hash differed from its record. */
  redone: number;
  failed: FailedBand[];
  bytesIn: number;
  bytesOut: number;
  ms: number;
  /** Whole downloads of Azure originals: per connection, bytes per second. */
  downloads: { bytes: number; connectionsBytesPerSecond: number[] };
  mode: Plan['tiles']['preprocess'];
}

/** Errors that stop the run instead of failing one item. */
const FATAL = new Set(['TILE_AUTH', 'SAS_TOKEN_FAILED', 'NO_CREDENTIALS', 'BAD_CONNECTION', 'STORAGE_LOW', 'STORAGE_BUDGET', 'ABORTED']);

/** Where the converted copy of one item band lives. */
export function convertedPathOf(storageDir: string, state: string, itemId: string, band: string): string {
  return join(storageDir, state, itemId, `${band}.tif`);
}

export async function preprocessItems(options: PreprocessItemsOptions): Promise<PreprocessSummary> {
  const { plan, db, state } = options;
  const storageDir = options.storageDir ?? plan.storage.dir;
  const access = options.access ?? tileAccessOf(plan);
  const jobs = options.parallelJobs ?? plan.preprocess.parallelJobs;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const started = performance.now();
  const summary: PreprocessSummary = {
    items: options.items.length, converted: 0, itemsConverted: 0, skippedStreamable: 0, alreadyDone: 0, redone: 0, failed: [],
    bytesIn: 0, bytesOut: 0, ms: 0, downloads: { bytes: 0, connectionsBytesPerSecond: [] }, mode: plan.tiles.preprocess,
  };
  const units = options.items.flatMap((item) => plan.tiles.bands.filter((band) => item.bandUris[band]).map((band) => ({ item, band })));
  const left = new Map(options.items.map((item) => [item.itemId, units.filter((u) => u.item === item).length]));
  let itemsDone = [...left.values()].filter((n) => n === 0).length;
  const admission = new Admission(plan, db, storageDir);
  const convertedItems = new Set<string>();

  const report = () => {
    const elapsedMs = performance.now() - started;
    const rate = itemsDone > 0 ? elapsedMs / itemsDone : undefined;
    options.onProgress?.({
      itemsDone, itemsTotal: options.items.length, bytesIn: summary.bytesIn, bytesOut: summary.bytesOut, elapsedMs,
      bytesPerSecond: elapsedMs > 0 ? (summary.bytesIn / elapsedMs) * 1000 : 0,
      etaMs: rate === undefined ? undefined : rate * (options.items.length - itemsDone),
    });
  };

  let fatal: unknown;
  let next = 0;
  const worker = async () => {
    while (next < units.length && fatal === undefined) {
      const unit = units[next++]!;
      const what = `item ${unit.item.itemId} band ${unit.band}`;
      try {
        signal.throwIfAborted();
        await preprocessBand(unit.item, unit.band, { plan, db, state, storageDir, access, signal, summary, admission, what, convertedItems });
      } catch (error) {
        const failure = asBiomassError(error, what);
        if (FATAL.has(failure.code) || options.signal?.aborted) {
          fatal ??= failure;
          stop.abort(failure);
          return;
        }
        summary.failed.push({ itemId: unit.item.itemId, band: unit.band, code: failure.code, reason: failure.message });
        await recordPreprocessedTile(db, plan.name, {
          itemId: unit.item.itemId, band: unit.band, path: convertedPathOf(storageDir, state, unit.item.itemId, unit.band),
          bytes: 0, sha256: null, status: 'failed', stateFips: state, error: failure.message,
        });
      }
      const remaining = left.get(unit.item.itemId)! - 1;
      left.set(unit.item.itemId, remaining);
      if (remaining === 0) { itemsDone += 1; report(); }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, units.length)) }, worker));
  summary.ms = performance.now() - started;
  if (fatal !== undefined) throw fatal;
  return summary;
}

interface BandContext {
  plan: Plan; db: Queryable; state: string; storageDir: string; access: TileAccess; signal: AbortSignal;
  summary: PreprocessSummary; admission: Admission; what: string; convertedItems: Set<string>;
}

async function preprocessBand(item: LocatableItem, band: string, c: BandContext): Promise<void> {
  const { plan, db, summary } = c;
  const source = bandSourceOf(item.bandUris[band]!, c.what);
  const target = convertedPathOf(c.storageDir, c.state, item.itemId, band);
  const tmp = `${target}.tmp`;
  const record = await getPreprocessedTile(db, plan.name, item.itemId, band);
  let redo = await exists(tmp);
  if (record?.status === 'ready' && record.kind !== 'download') {
    const size = await stat(record.path).then((s) => s.size, () => -1);
    const valid = size >= 0 && (plan.preprocess.verify === 'none' ? size === record.bytes : (await sha256Of(record.path)) === record.sha256);
    if (valid && !redo) { summary.alreadyDone += 1; return; }
    redo = true;
  }
  if (plan.tiles.preprocess === 'never') { summary.skippedStreamable += 1; return; }
  if (plan.tiles.preprocess === 'when-needed' && !redo) {
    const probe = await probeOf(item.itemId, band, source, { plan, db, access: c.access, signal: c.signal });
    if (probe.streamable) { summary.skippedStreamable += 1; return; }
  }
  await rm(tmp, { force: true });

  const input = await localInput(item, band, source, c, record);
  const opened = await openSource(input.path, c.what);
  try {
    checkAgainstGrid(opened.facts, item.itemId.split('/')[0]!, c.what);
    const f = opened.facts;
    // Uncompressed size in whole blocks (edge blocks are stored full) plus the header: an
    // upper bound for compressed outputs too.
    const block = plan.preprocess.blockSize;
    const need = rasterBytes(Math.ceil(f.width / block) * block, Math.ceil(f.height / block) * block, f.bands, f.bytesPerPixel) + 1024 * 1024;
    await c.admission.admit(need, c.what);
    try {
      await mkdir(dirname(target), { recursive: true });
      await convertToCog(opened, tmp, cogCreationOptions(plan.preprocess, need), c.what, c.signal);
    } finally {
      c.admission.release(need);
    }
  } finally {
    opened.dataset.close();
  }
  const sha256 = await sha256Of(tmp);
  const bytes = (await stat(tmp)).size;
  await rename(tmp, target);
  await recordPreprocessedTile(db, plan.name, { itemId: item.itemId, band, path: target, bytes, sha256, status: 'ready', kind: 'cog', stateFips: c.state });
  // A whole download was only the means to convert: our copy, not the original, goes.
  if (input.downloaded) await rm(input.path, { force: true });
  summary.converted += 1;
  if (!c.convertedItems.has(item.itemId)) { c.convertedItems.add(item.itemId); summary.itemsConverted += 1; }
  if (redo) summary.redone += 1;
  summary.bytesIn += input.bytes;
  summary.bytesOut += bytes;
}

/** The original as a local file: itself for a folder source, a whole download for Azure. */
async function localInput(item: LocatableItem, band: string, source: BandSource, c: BandContext, previous: PreprocessedTile | undefined): Promise<{ path: string; bytes: number; downloaded: boolean }> {
  if (source.kind === 'file') {
    const bytes = await stat(source.path).then((s) => s.size, (error: NodeJS.ErrnoException) => {
      throw new BiomassError(error.code === 'ENOENT' ? 'BLOB_NOT_FOUND' : 'TILE_READ_FAILED', `${c.what}: cannot read ${source.path}: ${error.message}`, { cause: error });
    });
    return { path: source.path, bytes, downloaded: false };
  }
  // A last-resort read may already have downloaded it whole: convert that copy if it is intact.
  if (previous?.kind === 'download' && previous.status === 'ready' && previous.sha256 && (await exists(previous.path)) && (await sha256Of(previous.path)) === previous.sha256) {
    return { path: previous.path, bytes: previous.bytes, downloaded: true };
  }
  const path = downloadPathOf(c.storageDir, c.state, item.itemId, band, source);
  const done = await downloadWhole(source, path, { access: c.access, http: c.plan.http, signal: c.signal, what: c.what });
  c.summary.downloads.bytes += done.bytes;
  for (const conn of done.connections) if (conn.ms > 0) c.summary.downloads.connectionsBytesPerSecond.push((conn.bytes / conn.ms) * 1000);
  return { path, bytes: done.bytes, downloaded: true };
}

/**
 * Admits a conversion only while free space stays above storage.min_free and the plan's
 * temporary files stay within storage.budget, counting conversions in flight.
 */
class Admission {
  private reserved = 0;
  constructor(private readonly plan: Plan, private readonly db: Queryable, private readonly dir: string) {}

  async admit(need: number, what: string): Promise<void> {
    const free = await readFreeSpace(this.dir);
    const { minFreeBytes, budgetBytes } = this.plan.storage;
    if (free.bytes !== null && free.bytes - this.reserved - need < minFreeBytes) {
      throw new BiomassError('STORAGE_LOW', `not converting ${what}: ${formatBytes(free.bytes)} free under ${this.dir}, it needs ${formatBytes(need)}` +
        `${this.reserved > 0 ? ` (+${formatBytes(this.reserved)} in flight)` : ''}, and storage.min_free is ${formatBytes(minFreeBytes)}`, {
        hint: 'free space there (biomass cleanup --emergency frees completed states\' tiles), lower storage.min_free, or point storage.dir at a larger disk',
      });
    }
    const held = await readyBytes(this.db, this.plan.name);
    if (held + this.reserved + need > budgetBytes) {
      throw new BiomassError('STORAGE_BUDGET', `not converting ${what}: the plan holds ${formatBytes(held)} of temporary tiles` +
        `${this.reserved > 0 ? ` (+${formatBytes(this.reserved)} in flight)` : ''}; ${formatBytes(need)} more would exceed storage.budget ${formatBytes(budgetBytes)}`, {
        hint: 'raise storage.budget, run `biomass cleanup` for finished states, or preprocess fewer items at once',
      });
    }
    this.reserved += need;
  }

  release(need: number): void {
    this.reserved -= need;
  }
}

function asBiomassError(error: unknown, what: string): BiomassError {
  if (error instanceof BiomassError) {
    // Every failure names the item and band it belongs to.
    return error.message.includes(what) ? error : new BiomassError(error.code, `${what}: ${error.message}`, { hint: error.hint, exitCode: error.exitCode, cause: error });
  }
  if ((error as Error)?.name === 'AbortError') return new BiomassError('ABORTED', `${what}: aborted`, { cause: error });
  return new BiomassError('PREPROCESS_FAILED', `${what}: ${redact((error as Error)?.message ?? String(error))}`, { cause: error });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
