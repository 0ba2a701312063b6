/** `biomass status PLAN --outputs`: a plan's parcel outputs as CSV, county by county (the way to read them out of the embedded database). */
import { listCountyOutputs } from '../db/parcel-outputs-repository.js';
import { listNodeStatus } from '../db/node-status-repository.js';
import type { Store } from '../db/store.js';

const COLUMNS = ['parcel_id', 'county_fips', 'status', 'model_version', 'area_m2', 'pixel_count', 'clear_pixel_count', 'clear_acquisitions', 'ndvi', 'biomass_density', 'biomass_total', 'config_hash', 'run_id'];

export async function writeOutputsCsv(db: Store, planName: string, write: (text: string) => void, counties?: string[]): Promise<number> {
  const fips = counties && counties.length > 0
    ? counties
    : (await listNodeStatus(db, planName, { kind: 'county' })).map((r) => r.countyFips).filter((c): c is string => Boolean(c));
  write(COLUMNS.join(',') + '\n');
  let rows = 0;
  for (const county of fips) {
    const lines = (await listCountyOutputs(db, planName, county)).map((o) => [
      o.parcelId, o.countyFips, o.status, o.modelVersion, o.areaM2, o.pixelCount, o.clearPixelCount, o.clearAcquisitions,
      o.ndvi ?? '', o.biomassDensity ?? '', o.biomassTotal ?? '', o.configHash, o.runId,
    ].map(csvField).join(','));
    if (lines.length > 0) write(lines.join('\n') + '\n');
    rows += lines.length;
  }
  return rows;
}

function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
