-- The product (SAFE) name an item's files come from, so an index restored from the
-- database on resume says the same as the listing that stored it. NULL in estimated mode.
ALTER TABLE biomass.tile_items ADD COLUMN product text;
