import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findState } from '../geo/states.js';
import type { BiomassRolloutPlan } from './plan-document.js';
import { parseDuration, parseSize } from './units.js';

/** A plan as written, with the schema's defaults filled in by validation. */
export type PlanDocument = BiomassRolloutPlan;

export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export type TileSourceKind = 'azure' | 'file' | 'estimated';

/**
 * A plan as compiled: validated, defaults filled, units parsed to bytes and milliseconds,
 * paths absolute, states as 2-digit FIPS codes. The core only ever sees this.
 */
export interface Plan {
  /** The plan file, as given on the command line. */
  file: string;
  name: string;
  description: string;
  season: { start: string; end: string };
  tiles: {
    uri: string;
    kind: TileSourceKind;
    /** Azure container, for kind azure. */
    container: string;
    /** Prefix inside the container (azure) or absolute folder (file). */
    prefix: string;
    connection: string;
    sasToken: string;
    account: string;
    /** SAS token endpoint (GET {tokenUrl}/{container}); '' when not used. */
    tokenUrl: string;
    layout: 'planetary-computer' | 'simple';
    bands: string[];
    preprocess: 'always' | 'when-needed' | 'never';
    revisitDays: number;
  };
  parcels: { uri: string; layer: string; countyField: string; idField: string };
  forestry: { url: string; table: string };
  database: {
    url: string;
    embeddedDir: string;
    pool: {
      max: number;
      connectTimeoutMs: number;
      idleTimeoutMs: number;
      statementTimeoutMs: number;
      healthCheckIntervalMs: number;
      retry: RetryPolicy;
    };
    backup: { beforeState: boolean; dir: string };
    forestryUrl: string;
  };
  storage: {
    dir: string;
    minFreeBytes: number;
    budgetBytes: number;
    tileSize: { compressedBytes: number; uncompressedBytes: number };
  };
  preprocess: {
    parallelJobs: number;
    compression: 'none' | 'deflate' | 'lzw' | 'zstd';
    blockSize: number;
    verify: 'sha256' | 'none';
  };
  cache: { maxTiles: number; maxBytes: number; eviction: 'plan-aware' | 'lru' };
  http: { concurrency: number; chunkSizeBytes: number; keepAlive: boolean; timeoutMs: number; retry: RetryPolicy };
  processing: {
    batchSize: number;
    parallelBatches: number;
    workers: number;
    countyOrder: 'largest-first' | 'smallest-first' | 'fips';
    coverage: 'centre' | 'fractional';
    composite: 'max' | 'median';
    /** Retries of a failed node before it is marked failed. */
    retry: RetryPolicy;
    /** SCL classes left out of NDVI. */
    sclMask: number[];
  };
  rollout: {
    /** 2-digit FIPS codes, in the order written. */
    states: string[];
    counties: string[];
    order: 'plan' | 'largest-first' | 'geographic';
    parallelStates: number;
  };
  estimates: {
    /** 0: season length / revisit days. */
    acquisitionsPerTile: number;
    downloadBytesPerSecond: number;
    preprocessTimeMs: number;
    parcelRate: number;
    parcelsPerKm2: number;
  };
  costs: { currency: string; storagePerGbMonth: number; egressPerGb: number };
  /** Alerts besides the log and the terminal; webhook '' means none. */
  notify: { webhook: string };
  /** Plan keys (dotted) whose ${VARIABLE} was not set, with the variable's name. */
  unresolved: Record<string, string>;
}

/** Everything below is present after validation filled the schema's defaults. */
type Filled<T> = T extends Array<infer U> ? Array<Filled<U>> : T extends object ? { [K in keyof T]-?: Filled<T[K]> } : T;

/**
 * Builds the compiled plan from a validated document. Pure: no I/O. Relative paths in the
 * plan are resolved against `planDir`, the folder of the plan file.
 */
export function normalizePlan(document: PlanDocument, file: string, unresolved: Record<string, string>, planDir: string): Plan {
  const doc = document as Filled<PlanDocument>;
  const base = planDir;
  const local = (p: string) => (p === '' ? '' : path.resolve(base, p));
  const retry = (r: Filled<PlanDocument>['http']['retry']): RetryPolicy => ({
    attempts: r.attempts,
    initialDelayMs: parseDuration(r.initial_delay),
    maxDelayMs: parseDuration(r.max_delay),
  });
  const { tiles, parcels, forestry } = doc.sources;
  const source = tileSource(tiles.uri, base);
  return {
    file,
    name: doc.name,
    description: document.description ?? '',
    season: { ...doc.season },
    tiles: {
      uri: tiles.uri,
      ...source,
      connection: tiles.connection,
      sasToken: tiles.sas_token,
      account: tiles.account,
      tokenUrl: tiles.token_url,
      layout: tiles.layout,
      bands: [...tiles.bands],
      preprocess: tiles.preprocess,
      revisitDays: tiles.revisit_days,
    },
    parcels: {
      uri: /^[A-Za-z]{2,}:/.test(parcels.uri) ? parcels.uri : local(parcels.uri),
      layer: parcels.layer,
      countyField: parcels.county_field,
      idField: parcels.id_field,
    },
    forestry: { url: forestry.url, table: forestry.table },
    database: {
      url: doc.database.url,
      embeddedDir: local(doc.database.embedded_dir),
      pool: {
        max: doc.database.pool.max,
        connectTimeoutMs: parseDuration(doc.database.pool.connect_timeout),
        idleTimeoutMs: parseDuration(doc.database.pool.idle_timeout),
        statementTimeoutMs: parseDuration(doc.database.pool.statement_timeout),
        healthCheckIntervalMs: parseDuration(doc.database.pool.health_check_interval),
        retry: retry(doc.database.pool.retry),
      },
      backup: { beforeState: doc.database.backup.before_state, dir: local(doc.database.backup.dir) },
      forestryUrl: forestry.url,
    },
    storage: {
      dir: local(doc.storage.dir),
      minFreeBytes: parseSize(doc.storage.min_free),
      budgetBytes: parseSize(doc.storage.budget),
      tileSize: {
        compressedBytes: parseSize(doc.storage.tile_size.compressed),
        uncompressedBytes: parseSize(doc.storage.tile_size.uncompressed),
      },
    },
    preprocess: {
      parallelJobs: doc.preprocess.parallel_jobs,
      compression: doc.preprocess.compression,
      blockSize: doc.preprocess.block_size,
      verify: doc.preprocess.verify,
    },
    cache: { maxTiles: doc.cache.max_tiles, maxBytes: parseSize(doc.cache.max_bytes), eviction: doc.cache.eviction },
    http: {
      concurrency: doc.http.concurrency,
      chunkSizeBytes: parseSize(doc.http.chunk_size),
      keepAlive: doc.http.keep_alive,
      timeoutMs: parseDuration(doc.http.timeout),
      retry: retry(doc.http.retry),
    },
    processing: {
      batchSize: doc.processing.batch_size,
      parallelBatches: doc.processing.parallel_batches,
      workers: doc.processing.workers,
      countyOrder: doc.processing.county_order,
      coverage: doc.processing.coverage,
      composite: doc.processing.composite,
      retry: retry(doc.processing.retry),
      sclMask: [...doc.processing.scl_mask],
    },
    rollout: {
      states: doc.rollout.states.map((code) => findState(code)?.fips ?? code),
      counties: [...doc.rollout.counties],
      order: doc.rollout.order,
      parallelStates: doc.rollout.parallel_states,
    },
    estimates: {
      acquisitionsPerTile: doc.estimates.acquisitions_per_tile,
      downloadBytesPerSecond: parseSize(doc.estimates.download_rate),
      preprocessTimeMs: parseDuration(doc.estimates.preprocess_time),
      parcelRate: doc.estimates.parcel_rate,
      parcelsPerKm2: doc.estimates.parcels_per_km2,
    },
    costs: {
      currency: doc.costs.currency,
      storagePerGbMonth: doc.costs.storage_per_gb_month,
      egressPerGb: doc.costs.egress_per_gb,
    },
    notify: { webhook: doc.notify.webhook },
    unresolved,
  };
}

function tileSource(uri: string, base: string): { kind: TileSourceKind; container: string; prefix: string } {
  if (uri.startsWith('azure://')) {
    const [container = '', ...rest] = uri.slice('azure://'.length).split('/');
    return { kind: 'azure', container, prefix: rest.filter(Boolean).join('/') };
  }
  if (uri.startsWith('file://')) {
    const rest = uri.slice('file://'.length);
    const folder = rest.startsWith('/') ? fileURLToPath(`file://${rest}`) : path.resolve(base, rest);
    return { kind: 'file', container: '', prefix: folder };
  }
  return { kind: 'estimated', container: '', prefix: '' };
}
