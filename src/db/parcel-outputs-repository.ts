import { rowsPlaceholders, statementGroups } from './multi-row-insert.js';
import type { Queryable } from './store.js';

/** What happened to a parcel (docs/county.md). */
export type ParcelOutputStatus = 'ok' | 'no_clear_pixels' | 'outside_tiles' | 'invalid_geometry' | 'empty_geometry' | 'no_model';

export const PARCEL_OUTPUT_STATUSES: readonly ParcelOutputStatus[] = ['ok', 'no_clear_pixels', 'outside_tiles', 'invalid_geometry', 'empty_geometry', 'no_model'];

/** The result for one parcel under one run configuration, with what it was computed from. */
export interface ParcelOutput {
  parcelId: string;
  /** Hash of the run configuration (model version, composite, coverage rule, ...). */
  configHash: string;
  countyFips: string;
  modelVersion: string;
  status: ParcelOutputStatus;
  areaM2: number;
  pixelCount: number;
  /** Null where not counted (the county step counts clear weight per date, not pixels). */
  clearPixelCount: number | null;
  clearAcquisitions: number;
  /** Seasonal composite NDVI; null when no clear pixel was seen. */
  ndvi: number | null;
  /** Mg/ha; null unless status is 'ok'. */
  biomassDensity: number | null;
  /** Mg (density x area); null unless status is 'ok'. */
  biomassTotal: number | null;
  /** 2-digit state FIPS. Default ''. */
  stateFips?: string;
  /** Sum of coverage weights. Default: pixelCount. */
  pixelWeight?: number;
  modelId?: string | null;
  /** centre or fractional. Default centre. */
  coverageRule?: string;
  /** Tile item ids whose pixels were used. */
  tileItems?: readonly string[];
  /** The county batch that wrote it. */
  batchIndex?: number;
}

export interface WrittenBy {
  planName: string;
  runId: string;
  attempt: number;
}

const COLUMNS = 21;

/**
 * Writes a batch of outputs with multi-row INSERT ... ON CONFLICT DO UPDATE: one row per
 * (plan, parcel, configuration) however often the batch is written. A row written by a
 * later attempt is not overwritten by an earlier one (a worker whose lease was taken over).
 * Returns the number of rows inserted or updated.
 */
export async function upsertParcelOutputs(db: Queryable, by: WrittenBy, outputs: readonly ParcelOutput[]): Promise<number> {
  // ON CONFLICT may not touch a row twice in one statement: the last entry of a key wins.
  const unique = [...new Map(outputs.map((o) => [`${o.parcelId}\u0000${o.configHash}`, o])).values()];
  let written = 0;
  for (const group of statementGroups(unique, COLUMNS)) {
    const result = await db.query(
      `INSERT INTO biomass.parcel_outputs AS p
         (plan_name, parcel_id, config_hash, county_fips, model_version, status, area_m2, pixel_count,
          clear_pixel_count, clear_acquisitions, ndvi, biomass_density, biomass_total, run_id, attempt,
          state_fips, pixel_weight, model_id, coverage_rule, tile_items, batch_index)
       VALUES ${rowsPlaceholders(group.length, COLUMNS)}
       ON CONFLICT (plan_name, parcel_id, config_hash) DO UPDATE SET
         county_fips = EXCLUDED.county_fips, model_version = EXCLUDED.model_version, status = EXCLUDED.status,
         area_m2 = EXCLUDED.area_m2, pixel_count = EXCLUDED.pixel_count,
         clear_pixel_count = EXCLUDED.clear_pixel_count, clear_acquisitions = EXCLUDED.clear_acquisitions,
         ndvi = EXCLUDED.ndvi, biomass_density = EXCLUDED.biomass_density, biomass_total = EXCLUDED.biomass_total,
         run_id = EXCLUDED.run_id, attempt = EXCLUDED.attempt, written_at = now(),
         state_fips = EXCLUDED.state_fips, pixel_weight = EXCLUDED.pixel_weight, model_id = EXCLUDED.model_id,
         coverage_rule = EXCLUDED.coverage_rule, tile_items = EXCLUDED.tile_items, batch_index = EXCLUDED.batch_index
       WHERE p.run_id <> EXCLUDED.run_id OR p.attempt <= EXCLUDED.attempt`,
      group.flatMap((o) => [
        by.planName, o.parcelId, o.configHash, o.countyFips, o.modelVersion, o.status, o.areaM2, o.pixelCount,
        o.clearPixelCount, o.clearAcquisitions, o.ndvi, o.biomassDensity, o.biomassTotal, by.runId, by.attempt,
        o.stateFips ?? '', o.pixelWeight ?? o.pixelCount, o.modelId ?? null, o.coverageRule ?? 'centre',
        textArray(o.tileItems ?? []), o.batchIndex ?? 0,
      ]),
    );
    written += result.rowCount;
  }
  return written;
}

/** A text[] literal: parameters are sent as text, and both pg and PGlite cast it. */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

export interface StoredParcelOutput extends ParcelOutput {
  runId: string;
  attempt: number;
  writtenAt: Date;
}

interface OutputRow {
  parcel_id: string; config_hash: string; county_fips: string; model_version: string; status: ParcelOutputStatus;
  area_m2: number; pixel_count: number; clear_pixel_count: number; clear_acquisitions: number;
  ndvi: number | null; biomass_density: number | null; biomass_total: number | null;
  run_id: string; attempt: number; written_at: Date;
  state_fips: string; pixel_weight: number; model_id: string | null; coverage_rule: string; tile_items: string[]; batch_index: number;
}

/** A county's outputs, by parcel id. */
export async function listCountyOutputs(db: Queryable, planName: string, countyFips: string): Promise<StoredParcelOutput[]> {
  const result = await db.query<OutputRow>(
    'SELECT * FROM biomass.parcel_outputs WHERE plan_name = $1 AND county_fips = $2 ORDER BY parcel_id, config_hash',
    [planName, countyFips],
  );
  return result.rows.map((row) => ({
    parcelId: row.parcel_id, configHash: row.config_hash, countyFips: row.county_fips, modelVersion: row.model_version,
    status: row.status, areaM2: row.area_m2, pixelCount: Number(row.pixel_count),
    clearPixelCount: row.clear_pixel_count === null ? null : Number(row.clear_pixel_count), clearAcquisitions: Number(row.clear_acquisitions),
    ndvi: row.ndvi, biomassDensity: row.biomass_density, biomassTotal: row.biomass_total,
    runId: row.run_id, attempt: Number(row.attempt), writtenAt: row.written_at,
    stateFips: row.state_fips, pixelWeight: row.pixel_weight, modelId: row.model_id, coverageRule: row.coverage_rule,
    tileItems: row.tile_items, batchIndex: Number(row.batch_index),
  }));
}

/** Outputs per status for a plan (or one county of it): what `verify` compares with the parcel source. */
export async function countOutputs(
  db: Queryable,
  planName: string,
  countyFips?: string,
): Promise<Record<ParcelOutputStatus, number> & { total: number }> {
  const result = await db.query<{ status: ParcelOutputStatus; n: string | number }>(
    `SELECT status, count(*) AS n FROM biomass.parcel_outputs
     WHERE plan_name = $1 AND ($2::text IS NULL OR county_fips = $2) GROUP BY status`,
    [planName, countyFips ?? null],
  );
  const counts: Record<ParcelOutputStatus, number> & { total: number } = {
    ok: 0, no_clear_pixels: 0, outside_tiles: 0, invalid_geometry: 0, empty_geometry: 0, no_model: 0, total: 0,
  };
  for (const row of result.rows) {
    counts[row.status] = Number(row.n);
    counts.total += Number(row.n);
  }
  return counts;
}

/** Stored outputs per county of a plan: what an edit to the model or coverage rule makes stale (`plan --diff`). */
export async function countOutputsByCounty(db: Queryable, planName: string): Promise<Map<string, number>> {
  const result = await db.query<{ county_fips: string; n: string | number }>(
    'SELECT county_fips, count(*) AS n FROM biomass.parcel_outputs WHERE plan_name = $1 GROUP BY county_fips ORDER BY county_fips',
    [planName],
  );
  return new Map(result.rows.map((row) => [row.county_fips, Number(row.n)]));
}

/** Distinct parcels with an output, per county of a plan: what `verify:<state>` compares with the parcel source. */
export async function countParcelsWithOutputs(db: Queryable, planName: string, counties: readonly string[]): Promise<Map<string, number>> {
  const result = await db.query<{ county_fips: string; n: string | number }>(
    `SELECT county_fips, count(DISTINCT parcel_id) AS n FROM biomass.parcel_outputs
     WHERE plan_name = $1 AND county_fips = ANY($2::text[]) GROUP BY county_fips`,
    [planName, [...counties]],
  );
  return new Map(result.rows.map((row) => [row.county_fips, Number(row.n)]));
}
