-- The tile index of a state: one row per Sentinel-2 item (one MGRS tile on one date) the
-- state's counties need, deduplicated across counties.
CREATE TABLE biomass.tile_items (
  plan_name     text NOT NULL,
  state_fips    text NOT NULL,
  item_id       text NOT NULL,
  mgrs_tile     text NOT NULL,
  acquired_on   date NOT NULL,
  band_uris     jsonb NOT NULL,
  counties      text[] NOT NULL,
  usage_count   integer NOT NULL,
  priority      double precision NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_name, state_fips, item_id)
);
CREATE INDEX tile_items_mgrs ON biomass.tile_items (plan_name, mgrs_tile, acquired_on);

-- A county is marked here in the same transaction that stores its items, so indexing
-- resumes county by county after an interruption.
CREATE TABLE biomass.indexed_counties (
  plan_name   text NOT NULL,
  state_fips  text NOT NULL,
  county_fips text NOT NULL,
  item_count  integer NOT NULL,
  indexed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_name, state_fips, county_fips)
);

CREATE TABLE biomass.state_indexes (
  plan_name    text NOT NULL,
  state_fips   text NOT NULL,
  item_count   integer NOT NULL,
  county_count integer NOT NULL,
  completed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_name, state_fips)
);

-- Preprocessed (streamable COG) files in temporary storage, one per item and band.
CREATE TABLE biomass.preprocessed_tiles (
  plan_name  text NOT NULL,
  item_id    text NOT NULL,
  band       text NOT NULL,
  path       text NOT NULL,
  bytes      bigint NOT NULL DEFAULT 0,
  sha256     text,
  status     text NOT NULL CHECK (status IN ('pending', 'ready', 'failed', 'deleted')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_name, item_id, band)
);
CREATE INDEX preprocessed_tiles_status ON biomass.preprocessed_tiles (plan_name, status);
