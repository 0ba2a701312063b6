/**
 * Parcels per county from the plan's parcel source, when it can be opened here: one
 * GROUP BY query through OGR, read-only. Unreachable sources are not an error for a dry run:
 * the caller falls back to the area-based estimate and says so.
 */
import { existsSync } from 'node:fs';
import type * as gdal from 'gdal-async';
import { BiomassError } from '../biomass-error.js';
import { loadGdal } from '../load-gdal.js';
import { fileKind } from '../plan/file-kind.js';
import { quoteOgrIdentifier, quoteOgrLayer } from '../plan/ogr-identifier.js';
import type { Plan } from '../plan/plan.js';
import type { ParcelCounts } from './compile-inputs.js';

export interface ParcelCountsResult {
  counts?: ParcelCounts;
  /** Why the source was not read, for the sources line; absent when it was. */
  unreadable?: string;
}

/** Seconds a PostgreSQL parcel source may take to answer a dry run's connection. */
const PG_CONNECT_TIMEOUT_S = 3;

export async function readParcelCounts(plan: Plan): Promise<ParcelCountsResult> {
  const { uri, layer, countyField } = plan.parcels;
  if (plan.unresolved['sources.parcels.uri']) return { unreadable: `\${${plan.unresolved['sources.parcels.uri']}} is unset` };
  const isPg = uri.startsWith('PG:');
  if (!isPg && !existsSync(uri)) return { unreadable: `${uri} does not exist here` };
  if (!isPg && fileKind(uri) === 'special') {
    // Opening a FIFO for reading would block until something writes to it.
    throw new BiomassError('PARCELS_NOT_A_FILE', `the parcel source ${uri} is not a regular file (a FIFO, socket or device)`, {
      hint: 'name a GeoPackage, a shapefile or a PG: connection in sources.parcels.uri',
      exitCode: 2,
    });
  }
  const open = isPg && !/connect_timeout=/.test(uri) ? `${uri} connect_timeout=${PG_CONNECT_TIMEOUT_S}` : uri;
  // Checked before opening: a name that cannot be quoted is an error in the plan, not "unreadable".
  quoteOgrIdentifier(countyField, 'sources.parcels.county_field');
  if (layer !== '') quoteOgrLayer(layer, isPg);
  let dataset: gdal.Dataset | undefined;
  try {
    // Vectors only: the PostGIS raster driver would try a PG: source first and fail on it.
    dataset = isPg ? await loadGdal().openAsync(open, 'r', ['PostgreSQL']) : await loadGdal().openAsync(open, 'r');
    const native = isPg || dataset.driver.description === 'GPKG';
    const field = quoteOgrIdentifier(countyField, 'sources.parcels.county_field');
    const sql = `SELECT ${field} AS fips, COUNT(*) AS n FROM ${quoteOgrLayer(layer || dataset.layers.get(0).name, isPg)} GROUP BY ${field}`;
    const result = await dataset.executeSQLAsync(sql, undefined, native ? undefined : 'SQLITE');
    const counts = new Map<string, number>();
    for (const feature of result.features) {
      const fips = String(feature.fields.get('fips') ?? '').padStart(5, '0');
      counts.set(fips, Number(feature.fields.get('n')));
    }
    return {
      counts: { countOf: (fips) => counts.get(fips), source: `counted in the parcel source (${isPg ? 'PostgreSQL' : uri}, layer ${layer})` },
    };
  } catch (error) {
    return { unreadable: `cannot be read here (${(error as Error).message.split('\n')[0]})` };
  } finally {
    dataset?.close();
  }
}
