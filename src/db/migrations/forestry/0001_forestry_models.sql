-- Empirical biomass models (the plan's sources.forestry.table, default biomass_models) are
-- data the users load, not code: the form of the equation, its
-- coefficients, and the cover type and region it was fitted for. A parcel with no
-- applicable model gets the status no_model, never an invented number.
CREATE TABLE biomass.biomass_models (
  model_id      text PRIMARY KEY,
  model_version text NOT NULL,
  form          text NOT NULL CHECK (form IN ('linear', 'power', 'exponential')),
  coefficients  jsonb NOT NULL,
  cover_type    text NOT NULL,
  region        text NOT NULL,
  fit_stats     jsonb NOT NULL DEFAULT '{}'::jsonb,
  citation      text NOT NULL,
  illustrative  boolean NOT NULL DEFAULT false,
  loaded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX biomass_models_cover ON biomass.biomass_models (cover_type, region);
