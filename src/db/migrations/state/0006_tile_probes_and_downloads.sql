-- The streamability probe's verdict, one row per item and band: whether the original can be
-- read window by window in place (a tiled GeoTIFF/COG whose header two range requests reach)
-- or must be converted (stripped TIFF, JPEG2000). Preprocessing and windowed reads read it.
CREATE TABLE biomass.tile_probes (
  plan_name   text NOT NULL,
  item_id     text NOT NULL,
  band        text NOT NULL,
  uri         text NOT NULL,
  streamable  boolean NOT NULL,
  format      text NOT NULL,
  reason      text NOT NULL DEFAULT '',
  requests    integer NOT NULL DEFAULT 0,
  bytes       bigint NOT NULL DEFAULT 0,
  probed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_name, item_id, band)
);

-- A temporary file is either a converted COG or, as a last resort for windowed reads, a whole
-- download of a non-streamable original. The state that made it names the folder it lives in
-- (storage.dir/<state>/); a failed conversion keeps its reason for the summary and the retry.
ALTER TABLE biomass.preprocessed_tiles ADD COLUMN kind text NOT NULL DEFAULT 'cog' CHECK (kind IN ('cog', 'download'));
ALTER TABLE biomass.preprocessed_tiles ADD COLUMN state_fips text;
ALTER TABLE biomass.preprocessed_tiles ADD COLUMN error text;
