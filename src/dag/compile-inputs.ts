/**
 * What compile() reads besides the plan: the geography, the tile index (items per MGRS
 * tile), parcel counts and measured throughput. Each is an interface so tests pass small
 * builders; each says where its numbers came from, so the dry run can tell the user.
 */
import type { Plan } from '../plan/plan.js';

/** The part of src/geo's Geography the compiler uses; the real one satisfies it. */
export interface DagGeography {
  state(code: string): { fips: string; postal: string; name: string };
  countiesOf(stateFips: string): Array<{ fips: string; name: string; stateFips: string; areaKm2: number; bbox: [number, number, number, number] }>;
  tilesOfCounty(fips: string): string[];
}

/** Tile items per MGRS tile in the season: from the catalog when it was read, else estimated. */
export interface TileIndex {
  /** Items of one tile; undefined when this index does not know the tile. */
  itemsOf(tileId: string): number | undefined;
  /** Where the counts come from, for the user: "catalog azure://...", "estimated: ...". */
  source: string;
  estimated: boolean;
}

/** Parcels per county from the parcel source, when it could be read. */
export interface ParcelCounts {
  countOf(countyFips: string): number | undefined;
  source: string;
}

/** Throughput measured by earlier runs (from the database, when the lead wires it). */
export interface MeasuredThroughput {
  downloadBytesPerSecond?: number;
  preprocessTimeMs?: number;
  parcelRate?: number;
  /** e.g. "run 2026-11-02 (measured)". */
  source: string;
}

export interface CompileInputs {
  tiles?: TileIndex;
  parcels?: ParcelCounts;
  measured?: MeasuredThroughput;
}

/** A number and where it came from. */
export interface Sourced {
  value: number;
  source: string;
}

export interface Throughput {
  downloadBytesPerSecond: Sourced;
  preprocessTimeMs: Sourced;
  parcelRate: Sourced;
}

/** The plan's throughput defaults, replaced one by one by measured figures where they exist. */
export function throughputOf(plan: Plan, measured?: MeasuredThroughput): Throughput {
  const pick = (measuredValue: number | undefined, planValue: number, key: string): Sourced =>
    measuredValue !== undefined && measuredValue > 0 && measured
      ? { value: measuredValue, source: measured.source }
      : { value: planValue, source: `plan (estimates.${key})` };
  return {
    downloadBytesPerSecond: pick(measured?.downloadBytesPerSecond, plan.estimates.downloadBytesPerSecond, 'download_rate'),
    preprocessTimeMs: pick(measured?.preprocessTimeMs, plan.estimates.preprocessTimeMs, 'preprocess_time'),
    parcelRate: pick(measured?.parcelRate, plan.estimates.parcelRate, 'parcel_rate'),
  };
}

/**
 * Acquisitions per tile when the catalog was not read: estimates.acquisitions_per_tile, or
 * the season's days (inclusive) / tiles.revisit_days, rounded down (the rule src/tiles uses
 * for its estimated catalog: a 183-day season at a 5-day revisit gives 36).
 */
export function estimatedAcquisitions(plan: Plan): number {
  if (plan.estimates.acquisitionsPerTile > 0) return plan.estimates.acquisitionsPerTile;
  const days = Math.round((Date.parse(plan.season.end) - Date.parse(plan.season.start)) / 86_400_000) + 1;
  return Math.max(1, Math.floor(days / plan.tiles.revisitDays));
}

/** The tile index of a dry run that reads no catalog: every tile has the same estimated count. */
export function estimatedTileIndex(plan: Plan): TileIndex {
  const items = estimatedAcquisitions(plan);
  const how = plan.estimates.acquisitionsPerTile > 0
    ? `estimates.acquisitions_per_tile = ${items}`
    : `${items} dates/tile: season ${plan.season.start}..${plan.season.end} / revisit ${plan.tiles.revisitDays} days`;
  return { itemsOf: () => items, source: `estimated (${how})`, estimated: true };
}
