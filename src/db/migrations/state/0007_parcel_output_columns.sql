-- The county step's outputs (#10): every parcel gets a row whatever happened to it, with
-- what it was computed from, so a number can always be traced to pixels, dates and model.
ALTER TABLE biomass.parcel_outputs DROP CONSTRAINT IF EXISTS parcel_outputs_status_check;
UPDATE biomass.parcel_outputs SET status = 'no_clear_pixels' WHERE status = 'no_pixels';
ALTER TABLE biomass.parcel_outputs ADD CONSTRAINT parcel_outputs_status_check CHECK (status IN
  ('ok', 'no_clear_pixels', 'outside_tiles', 'invalid_geometry', 'empty_geometry', 'no_model'));
-- Counts of pixels are not defined per parcel once dates differ in clouds: the clear
-- weight is per date, the acquisitions count says how many dates were clear.
ALTER TABLE biomass.parcel_outputs ALTER COLUMN clear_pixel_count DROP NOT NULL;
ALTER TABLE biomass.parcel_outputs
  ADD COLUMN state_fips    text NOT NULL DEFAULT '',
  -- Sum of the coverage weights (pixels under `centre`, area in pixels under `fractional`).
  ADD COLUMN pixel_weight  double precision NOT NULL DEFAULT 0,
  ADD COLUMN model_id      text,
  ADD COLUMN coverage_rule text NOT NULL DEFAULT 'centre',
  ADD COLUMN tile_items    text[] NOT NULL DEFAULT '{}',
  ADD COLUMN batch_index   integer NOT NULL DEFAULT 0;
