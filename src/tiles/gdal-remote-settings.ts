/**
 * GDAL's settings for reading originals in place through /vsiaz/, set once per process
 * (and the credentials again when a SAS is renewed). Why each one: docs/tiles.md.
 */
import type { Plan } from '../plan/plan.js';

/** The request-saving settings, by name, with the value set. */
export function gdalRemoteSettings(http: Plan['http']): Record<string, string> {
  return {
    // Opening a file must not list its folder (one LIST per open, thousands of blobs deep).
    GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
    // Adjacent blocks of one read become one range request, not one per block.
    GDAL_HTTP_MERGE_CONSECUTIVE_RANGES: 'YES',
    // Sidecar probes (.aux.xml, .ovr, .msk) for names without these extensions are skipped.
    CPL_VSIL_CURL_ALLOWED_EXTENSIONS: '.tif,.tiff,.TIF,.jp2',
    // The first request fetches the COG header and its tile index together (two at most).
    GDAL_INGESTED_BYTES_AT_OPEN: '32768',
    // Retries on 429/502/503/504 and network errors, with the plan's attempts and delay.
    GDAL_HTTP_MAX_RETRY: String(http.retry.attempts),
    GDAL_HTTP_RETRY_DELAY: String(Math.max(0.1, http.retry.initialDelayMs / 1000)),
    GDAL_HTTP_TIMEOUT: String(Math.max(1, Math.round(http.timeoutMs / 1000))),
    // Keep read ranges of recently used files (per handle cache).
    VSI_CACHE: 'TRUE',
    VSI_CACHE_SIZE: String(16 * 1024 * 1024),
  };
}

/** Applies the settings and the connection string (a secret: set, never logged). */
export async function applyGdalRemoteSettings(http: Plan['http'], connection: string): Promise<void> {
  const gdal = (await import('gdal-async')).default;
  for (const [key, value] of Object.entries(gdalRemoteSettings(http))) gdal.config.set(key, value);
  gdal.config.set('AZURE_STORAGE_CONNECTION_STRING', connection);
}
