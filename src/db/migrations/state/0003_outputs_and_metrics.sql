-- The last batch of a county whose outputs are committed. It is advanced in the same
-- transaction as the outputs, so a resumed county starts exactly after it.
CREATE TABLE biomass.county_checkpoints (
  plan_name     text NOT NULL,
  county_fips   text NOT NULL,
  last_batch    integer NOT NULL,
  parcels_done  integer NOT NULL,
  run_id        text NOT NULL,
  attempt       integer NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_name, county_fips)
);

-- One row per parcel and run configuration (model version / configuration hash), upserted:
-- a batch written twice (retry, at-least-once delivery) leaves one row, tagged with the
-- run and attempt that wrote it last.
CREATE TABLE biomass.parcel_outputs (
  plan_name          text NOT NULL,
  parcel_id          text NOT NULL,
  config_hash        text NOT NULL,
  county_fips        text NOT NULL,
  model_version      text NOT NULL,
  status             text NOT NULL CHECK (status IN ('ok', 'no_model', 'no_pixels')),
  area_m2            double precision NOT NULL,
  pixel_count        integer NOT NULL,
  clear_pixel_count  integer NOT NULL,
  clear_acquisitions integer NOT NULL,
  ndvi               double precision,
  biomass_density    double precision,
  biomass_total      double precision,
  run_id             text NOT NULL,
  attempt            integer NOT NULL,
  written_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_name, parcel_id, config_hash)
);
CREATE INDEX parcel_outputs_county ON biomass.parcel_outputs (plan_name, county_fips);

-- Performance figures of a run, one value per (run, scope, name); recording again replaces it.
CREATE TABLE biomass.performance_metrics (
  run_id      text NOT NULL,
  scope       text NOT NULL,
  name        text NOT NULL,
  value       double precision NOT NULL,
  unit        text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, scope, name)
);
