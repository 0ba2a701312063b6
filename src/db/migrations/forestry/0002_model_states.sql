-- The region a model applies to as a list of states (2-digit FIPS or postal codes; empty
-- means anywhere), so `biomass models load` can say "IL, IN, IA" and a county finds its
-- model by its state. `region` stays as the label the users gave.
ALTER TABLE biomass.biomass_models ADD COLUMN states text[] NOT NULL DEFAULT '{}';
UPDATE biomass.biomass_models SET states = CASE WHEN region = '*' THEN '{}'::text[] ELSE string_to_array(replace(region, ' ', ''), ',') END;
