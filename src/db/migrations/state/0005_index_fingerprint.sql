-- What produced a stored index: a fingerprint of the tile source, layout, bands, season and
-- revisit. An index made from other settings is not resumed or trusted; it is rebuilt.
ALTER TABLE biomass.indexed_counties ADD COLUMN source_fingerprint text NOT NULL DEFAULT '';
ALTER TABLE biomass.state_indexes ADD COLUMN source_fingerprint text NOT NULL DEFAULT '';
