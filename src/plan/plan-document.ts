/* This file is generated from schemas/plan.schema.json by `npm run gen`. Do not edit it;
 * edit the schema. test/plan/plan-document.test.ts fails when the two drift. */

/**
 * A rollout plan: which states to process, from which sources, under which storage budget. Keep it in git; check it with `biomass validate`.
 */
export interface BiomassRolloutPlan {
  /**
   * Optional: the schema this file follows, for editors.
   */
  $schema?: string;
  /**
   * Plan language version. Must be 1.
   */
  version: 1;
  /**
   * Name of the plan: lower-case letters, digits, ".", "_" and "-". Runs and outputs are recorded under it.
   */
  name: string;
  /**
   * Free text for people reading the plan.
   */
  description?: string;
  /**
   * Acquisition dates to use, inclusive: the growing season.
   */
  season: {
    /**
     * First acquisition date, YYYY-MM-DD.
     */
    start: string;
    /**
     * Last acquisition date, YYYY-MM-DD; not before start.
     */
    end: string;
  };
  /**
   * Where the imagery, the parcels and the biomass models come from.
   */
  sources: {
    /**
     * Sentinel-2 L2A scene tiles.
     */
    tiles: {
      /**
       * azure://CONTAINER[/PREFIX] for Azure Blob Storage, file:///PATH (or file://RELATIVE) for a local folder, or "estimated:" for no catalog at all (dry runs only). Default: estimated:.
       */
      uri?: string;
      /**
       * Azure Storage connection string, from the environment: "${AZURE_STORAGE_CONNECTION_STRING}". Never written in the plan itself. Default: empty (local or estimated sources).
       */
      connection?: string;
      /**
       * A SAS token for the container, from the environment, used instead of a connection string. Default: empty.
       */
      sas_token?: string;
      /**
       * Azure Storage account name, with sas_token or token_url: 3-24 lowercase letters and digits; requests go to https://ACCOUNT.blob.core.windows.net only. A custom endpoint (Azurite, sovereign clouds) comes only from the connection string in the environment. Default: empty.
       */
      account?: string;
      /**
       * A SAS token endpoint of the kind the Planetary Computer serves: GET {token_url}/{container} answers JSON with token and msft:expiry. The token is fetched once, shared by the Azure SDK and GDAL, and fetched again before it expires. Used with account (or, for Azurite, with an endpoint-only connection string BlobEndpoint=... from the environment), instead of sas_token. Default: empty.
       */
      token_url?: string;
      /**
       * How items are laid out: planetary-computer (Sentinel-2 L2A COGs as on the Planetary Computer) or simple (TILE/YYYY-MM-DD/BAND.tif). One of planetary-computer, simple. Default: planetary-computer.
       */
      layout?: 'planetary-computer' | 'simple';
      /**
       * Bands to read. B04 (red) and B08 (NIR) make NDVI; SCL masks clouds. Default: [B04, B08, SCL].
       *
       * @minItems 1
       */
      bands?: [
        'B01' | 'B02' | 'B03' | 'B04' | 'B05' | 'B06' | 'B07' | 'B08' | 'B8A' | 'B09' | 'B11' | 'B12' | 'SCL',
        ...(
          | 'B01'
          | 'B02'
          | 'B03'
          | 'B04'
          | 'B05'
          | 'B06'
          | 'B07'
          | 'B08'
          | 'B8A'
          | 'B09'
          | 'B11'
          | 'B12'
          | 'SCL'
        )[]
      ];
      /**
       * When to convert originals to streamable COGs: always, when-needed (only those the streamability probe finds not window-readable: stripped TIFF, JPEG2000), never. One of always, when-needed, never. Default: when-needed.
       */
      preprocess?: 'always' | 'when-needed' | 'never';
      /**
       * Days between acquisitions, for estimates when the catalog is not read. Default: 5.
       */
      revisit_days?: number;
    };
    /**
     * Land parcels: any OGR source.
     */
    parcels: {
      /**
       * An OGR data source: a GeoPackage, FlatGeobuf or Shapefile path, or "PG:dbname=..." for PostGIS (put credentials in the environment).
       */
      uri: string;
      /**
       * Layer name (letters, digits, _, space and -; schema.table for PostgreSQL): names outside this set are refused rather than put into SQL. Default: the first layer.
       */
      layer?: string;
      /**
       * Field holding the 5-digit county FIPS code (letters, digits, _, space and -). Default: county_fips.
       */
      county_field?: string;
      /**
       * Field holding the parcel id. Default: parcel_id.
       */
      id_field?: string;
    };
    /**
     * Biomass models (forestry coefficients).
     */
    forestry?: {
      /**
       * PostgreSQL URL of the forestry database, when it is not the state database: "${FORESTRY_DATABASE_URL}". Default: empty (the state database).
       */
      url?: string;
      /**
       * Table holding the model rows. Default: biomass_models.
       */
      table?: string;
    };
  };
  /**
   * Where run state, checkpoints, the tile index and outputs live.
   */
  database?: {
    /**
     * PostgreSQL URL, from the environment: "${DATABASE_URL}". Empty means the embedded database (PGlite) under embedded_dir. Default: empty.
     */
    url?: string;
    /**
     * Data folder of the embedded database, relative to the plan file. Default: .biomass/db.
     */
    embedded_dir?: string;
    /**
     * Connection pool of the state database (and of the forestry database).
     */
    pool?: {
      /**
       * Most connections open at once. Default: 25.
       */
      max?: number;
      /**
       * How long to wait for a connection; also the silence after which TCP keepalive probes a connection. A duration: "500ms", "30s", "1h30m". Default: 30s.
       */
      connect_timeout?: string;
      /**
       * Close a connection idle this long. A duration: "500ms", "30s", "1h30m". Default: 30s.
       */
      idle_timeout?: string;
      /**
       * Cancel a statement running longer (on the server; the client stops waiting for an answer after this plus connect_timeout, then retries on a fresh connection). A duration: "500ms", "30s", "1h30m". Default: 5m.
       */
      statement_timeout?: string;
      /**
       * How often idle connections are checked and broken ones replaced. A duration: "500ms", "30s", "1h30m". Default: 30s.
       */
      health_check_interval?: string;
      /**
       * Retries for connections and transactions that fail with a retryable error, with exponential backoff and jitter.
       */
      retry?: {
        /**
         * Attempts after the first failure. The defaults (12 retries, 500ms doubling to 10s) wait 42-85 s in all before giving up, enough to ride through a 30 s restart or failover. Default: 12.
         */
        attempts?: number;
        /**
         * Delay before the first retry; doubles each attempt. A duration: "500ms", "30s", "1h30m". Default: 500ms.
         */
        initial_delay?: string;
        /**
         * Longest delay between two attempts. A duration: "500ms", "30s", "1h30m". Default: 10s.
         */
        max_delay?: string;
      };
    };
    /**
     * A pg_dump of the project tables before each state starts.
     */
    backup?: {
      /**
       * Take the backup. Default: false.
       */
      before_state?: boolean;
      /**
       * Folder for the dumps. Default: .biomass/backups.
       */
      dir?: string;
    };
  };
  /**
   * Temporary storage for preprocessed tiles.
   */
  storage?: {
    /**
     * Folder for temporary tiles, one sub-folder per state. Cleanup never deletes outside it. Default: /tmp/preprocessing.
     */
    dir?: string;
    /**
     * Stop admitting work when free space under dir would fall below this. A size with a unit: "250MB", "1.5TB", "512MiB". Default: 100GB.
     */
    min_free?: string;
    /**
     * Most temporary storage the plan may hold at once. A size with a unit: "250MB", "1.5TB", "512MiB". Default: 1.5TB.
     */
    budget?: string;
    /**
     * Sizes of one tile item (all its bands), used until measured sizes are known.
     */
    tile_size?: {
      /**
       * One original item as downloaded. A size with a unit: "250MB", "1.5TB", "512MiB". Default: 250MB.
       */
      compressed?: string;
      /**
       * One item after preprocessing. A size with a unit: "250MB", "1.5TB", "512MiB". Default: 750MB.
       */
      uncompressed?: string;
    };
  };
  /**
   * Conversion of originals to streamable COGs.
   */
  preprocess?: {
    /**
     * Conversions at once. Default: 8.
     */
    parallel_jobs?: number;
    /**
     * COG compression. none reads fastest; deflate, lzw and zstd stay streamable (tiled) and take less disk. One of none, deflate, lzw, zstd. Default: none.
     */
    compression?: 'none' | 'deflate' | 'lzw' | 'zstd';
    /**
     * COG block size in pixels. One of 256, 512, 1024. Default: 512.
     */
    block_size?: 256 | 512 | 1024;
    /**
     * Integrity check of each converted tile against its original. One of sha256, none. Default: sha256.
     */
    verify?: 'sha256' | 'none';
  };
  /**
   * Cache of open tiles and read blocks.
   */
  cache?: {
    /**
     * Most tiles open at once. Default: 500.
     */
    max_tiles?: number;
    /**
     * Most bytes of blocks kept in memory. A size with a unit: "250MB", "1.5TB", "512MiB". Default: 36GB.
     */
    max_bytes?: string;
    /**
     * plan-aware evicts the tile whose remaining users are fewest; lru evicts the least recently used. One of plan-aware, lru. Default: plan-aware.
     */
    eviction?: 'plan-aware' | 'lru';
  };
  /**
   * Downloads and ranged reads from the tile source.
   */
  http?: {
    /**
     * Requests at once. Default: 12.
     */
    concurrency?: number;
    /**
     * Size of one ranged request. A size with a unit: "250MB", "1.5TB", "512MiB". Default: 4MB.
     */
    chunk_size?: string;
    /**
     * Reuse connections. Default: true.
     */
    keep_alive?: boolean;
    /**
     * Give up on one request after this long. A duration: "500ms", "30s", "1h30m". Default: 60s.
     */
    timeout?: string;
    /**
     * Retries for requests that fail with a network error or HTTP 429/5xx, with exponential backoff and jitter.
     */
    retry?: {
      /**
       * Attempts after the first failure. Default: 5.
       */
      attempts?: number;
      /**
       * Delay before the first retry; doubles each attempt. A duration: "500ms", "30s", "1h30m". Default: 1s.
       */
      initial_delay?: string;
      /**
       * Longest delay between two attempts. A duration: "500ms", "30s", "1h30m". Default: 60s.
       */
      max_delay?: string;
    };
  };
  /**
   * County processing.
   */
  processing?: {
    /**
     * Parcels per batch; each batch commits its outputs at once. Default: 100.
     */
    batch_size?: number;
    /**
     * Batches at once per state. Default: 4.
     */
    parallel_batches?: number;
    /**
     * Compute worker threads; 0 means one per core. Default: 0.
     */
    workers?: number;
    /**
     * Order of counties within a state. One of largest-first, smallest-first, fips. Default: largest-first.
     */
    county_order?: 'largest-first' | 'smallest-first' | 'fips';
    /**
     * Which pixels belong to a parcel: centre (pixel centre inside the polygon) or fractional (area-weighted). One of centre, fractional. Default: centre.
     */
    coverage?: 'centre' | 'fractional';
    /**
     * Seasonal NDVI composite over clear acquisitions. One of max, median. Default: max.
     */
    composite?: 'max' | 'median';
    /**
     * Retries of a failed DAG node (a county, a tile's conversion, ...), with exponential backoff and jitter; then the node is marked failed and the rest of the run goes on. Errors of an unavailable database are retried without counting as attempts.
     */
    retry?: {
      /**
       * Attempts after the first failure. Default: 2.
       */
      attempts?: number;
      /**
       * Delay before the first retry; doubles each attempt. A duration: "500ms", "30s", "1h30m". Default: 10s.
       */
      initial_delay?: string;
      /**
       * Longest delay between two attempts. A duration: "500ms", "30s", "1h30m". Default: 5m.
       */
      max_delay?: string;
    };
    /**
     * Sentinel-2 scene classification (SCL) classes left out of NDVI: 0 no data, 1 saturated, 3 cloud shadow, 8 and 9 cloud, 10 cirrus, 11 snow (docs/zonal.md). Default: [0, 1, 3, 8, 9, 10, 11].
     */
    scl_mask?: number[];
  };
  /**
   * Which states, in which order, how many at once.
   */
  rollout: {
    /**
     * States by 2-digit FIPS code ("17") or postal code ("IL"), in the order to run them when order is plan.
     *
     * @minItems 1
     */
    states: [string, ...string[]];
    /**
     * Optional: only these counties (5-digit FIPS), each inside a listed state. Default: every county of each state.
     */
    counties?: string[];
    /**
     * plan runs states as listed; largest-first by parcels when known, else area; geographic runs neighbours consecutively so border tiles are reused. One of plan, largest-first, geographic. Default: plan.
     */
    order?: 'plan' | 'largest-first' | 'geographic';
    /**
     * States at once, while the storage budget allows. Default: 1.
     */
    parallel_states?: number;
  };
  /**
   * Throughput assumed by dry runs until runs have measured it.
   */
  estimates?: {
    /**
     * Acquisitions per MGRS tile in the season; 0 means season length / revisit_days. Default: 0.
     */
    acquisitions_per_tile?: number;
    /**
     * Download throughput per second, all connections together. A size with a unit: "250MB", "1.5TB", "512MiB". Default: 200MB.
     */
    download_rate?: string;
    /**
     * Time to convert one item, per job. A duration: "500ms", "30s", "1h30m". Default: 90s.
     */
    preprocess_time?: string;
    /**
     * Parcels processed per second per batch. Default: 50.
     */
    parcel_rate?: number;
    /**
     * Parcels per square kilometre when the parcel source cannot be read. Default: 2.
     */
    parcels_per_km2?: number;
  };
  /**
   * Optional prices that turn estimates into a cost line.
   */
  costs?: {
    /**
     * Currency label. Default: USD.
     */
    currency?: string;
    /**
     * Price of 1 GB of temporary storage for a month. Default: 0.
     */
    storage_per_gb_month?: number;
    /**
     * Price of 1 GB downloaded from the tile source. Default: 0.
     */
    egress_per_gb?: number;
  };
  /**
   * Where `biomass run` sends alerts (failed nodes, free space near storage.min_free, storage budget near full) besides its log and the terminal.
   */
  notify?: {
    /**
     * URL that receives each alert as a JSON POST ({"text": ..., "level": ..., "plan": ..., "run": ...}; Slack and Teams incoming webhooks accept it), from the environment: "${BIOMASS_WEBHOOK_URL}". Empty: no webhook. Default: empty.
     */
    webhook?: string;
  };
}
