/**
 * Where tile items come from, as plain options the plan's `sources.tiles` maps onto, and
 * the parsing of its URI: azure://CONTAINER[/PREFIX], file://PATH or estimated:.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BiomassError } from '../biomass-error.js';
import { requirePlanValue } from '../plan/load-plan.js';
import type { Plan } from '../plan/plan.js';
import { redact } from '../secrets.js';

export type TileLayoutName = 'planetary-computer' | 'simple';

/** Acquisition window, inclusive ISO dates (YYYY-MM-DD). */
export interface Season {
  start: string;
  end: string;
}

/** `sources.tiles` of a plan, plus the season, as the catalog needs them. */
export interface TileSourceOptions {
  /** azure://CONTAINER[/PREFIX] | file://PATH | estimated:. Default estimated:. */
  uri: string;
  /** Azure Storage connection string (secret). Default: none. */
  connection?: string;
  /** SAS token for the container, used with `account` when there is no connection string (secret). */
  sasToken?: string;
  /** Storage account name (or blob endpoint URL), with sasToken or tokenUrl. */
  account?: string;
  /** SAS token endpoint: GET {tokenUrl}/{container} (src/tiles/sas-token-source.ts). */
  tokenUrl?: string;
  /** Default planetary-computer. */
  layout?: TileLayoutName;
  /** Default [B04, B08, SCL]. */
  bands?: string[];
  season: Season;
  /** Days between acquisitions in estimated mode and in generated scenes. Default 5. */
  revisitDays?: number;
  /** Folder a relative file:// URI is resolved against. Default: the process's cwd. */
  baseDir?: string;
}

export const DEFAULT_BANDS = ['B04', 'B08', 'SCL'];

export type ParsedSourceUri =
  | { kind: 'azure'; container: string; prefix: string }
  | { kind: 'file'; path: string }
  | { kind: 'estimated' };

/** Parses a tile source URI; throws BiomassError BAD_TILE_SOURCE (exit 2) on anything else. */
export function parseSourceUri(uri: string, baseDir = process.cwd()): ParsedSourceUri {
  if (uri === 'estimated:' || uri === 'estimated') return { kind: 'estimated' };
  const azure = /^azure:\/\/([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9]))(?:\/(.*))?$/.exec(uri);
  if (azure) return { kind: 'azure', container: azure[1]!, prefix: trimSlashes(azure[2] ?? '') };
  if (uri.startsWith('file://')) {
    // file:///abs/path is a proper file URL; file://relative/path is accepted as relative.
    const path = uri.startsWith('file:///') ? fileURLToPath(uri) : uri.slice('file://'.length);
    return { kind: 'file', path: isAbsolute(path) ? path : resolve(baseDir, path) };
  }
  throw new BiomassError('BAD_TILE_SOURCE', `tile source "${redact(uri)}" is not azure://CONTAINER[/PREFIX], file://PATH or estimated:`, {
    hint: 'a container name is 3-63 lowercase letters, digits and hyphens, e.g. azure://sentinel2-l2',
    exitCode: 2,
  });
}

/** A name for the source that is safe to print: no key, no token. */
export function describeSource(options: Pick<TileSourceOptions, 'uri' | 'account'>): string {
  const account = options.account ? ` (account ${options.account})` : '';
  return redact(options.uri) + account;
}

/** Checks the season and returns its length in days, inclusive. Throws EMPTY_SEASON (exit 2). */
export function seasonDays(season: Season): number {
  const start = parseIsoDate(season.start, 'season.start');
  const end = parseIsoDate(season.end, 'season.end');
  const days = Math.round((end - start) / 86_400_000) + 1;
  if (days < 1) {
    throw new BiomassError('EMPTY_SEASON', `the season ${season.start}..${season.end} is empty: it ends before it starts`, {
      hint: 'set season.end on or after season.start (e.g. --season-start 2024-04-01 --season-end 2024-09-30)',
      exitCode: 2,
    });
  }
  return days;
}

/** Milliseconds since the epoch of an ISO date at 00:00 UTC. Throws BAD_DATE (exit 2). */
export function parseIsoDate(text: string, what: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new BiomassError('BAD_DATE', `${what} "${text}" is not a date of the form YYYY-MM-DD`, {
      hint: 'write a calendar date such as 2024-04-01', exitCode: 2,
    });
  }
  return ms;
}

/**
 * The acquisition dates of estimated mode and of generated scenes: every `revisitDays` from
 * the season's start, floor(season length / revisit) of them (at least one).
 */
export function revisitDates(season: Season, revisitDays: number): string[] {
  if (!Number.isInteger(revisitDays) || revisitDays < 1) {
    throw new BiomassError('BAD_REVISIT', `revisit days must be a whole number of days, at least 1 (got ${revisitDays})`, { exitCode: 2 });
  }
  const days = seasonDays(season);
  const start = parseIsoDate(season.start, 'season.start');
  const count = Math.max(1, Math.floor(days / revisitDays));
  return Array.from({ length: count }, (_, k) => new Date(start + k * revisitDays * 86_400_000).toISOString().slice(0, 10));
}

function trimSlashes(text: string): string {
  return text.replace(/^\/+|\/+$/g, '');
}

/**
 * The tile source a compiled plan names. A connection string whose ${VARIABLE} is unset is
 * refused here by name, since every source but `estimated:` and folders needs it.
 */
export function tileSourceOf(plan: Plan): TileSourceOptions {
  const t = plan.tiles;
  return {
    // A folder is already absolute in the compiled plan (relative to the plan file).
    uri: t.kind === 'file' ? pathToFileURL(t.prefix).href : t.uri,
    layout: t.layout, bands: t.bands, revisitDays: t.revisitDays, season: plan.season,
    connection: t.kind === 'azure' && !t.sasToken && !t.tokenUrl ? requirePlanValue(plan, 'sources.tiles.connection', t.connection) : t.connection,
    sasToken: t.sasToken, account: t.account, tokenUrl: t.tokenUrl || undefined,
  };
}
