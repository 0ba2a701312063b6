/**
 * Names from the plan (sources.parcels.layer, county_field) inside OGR SQL and OGR attribute
 * filters. The dialects in use (OGR SQL, SQLite for GeoPackage, PostgreSQL) all quote an
 * identifier in double quotes, but they escape a double quote inside it differently, so
 * names are limited to what needs no escaping anywhere: letters, digits, "_", " " and "-".
 * The schema holds the same pattern, so `validate` reports a bad name at its line.
 */
import { BiomassError } from '../biomass-error.js';

/** A field or layer name every OGR SQL dialect quotes the same way. */
export const OGR_NAME = /^[A-Za-z_][A-Za-z0-9_ -]{0,62}$/;

/** `"name"`, or UNSAFE_IDENTIFIER (exit 2) naming the plan key `what`. */
export function quoteOgrIdentifier(name: string, what: string): string {
  if (!OGR_NAME.test(name)) {
    throw new BiomassError('UNSAFE_IDENTIFIER', `${what} ${JSON.stringify(name)} is not a name biomass can put into SQL safely`, {
      hint: 'use letters, digits, "_", " " and "-" (at most 63, starting with a letter or "_"); rename the field or layer, or make a view with such a name',
      exitCode: 2,
    });
  }
  return `"${name}"`;
}

/**
 * A layer: `"layer"`, or `"schema"."table"` for a PostgreSQL layer named schema.table
 * (OGR names PostgreSQL tables outside the search path that way).
 */
export function quoteOgrLayer(layer: string, isPostgres: boolean): string {
  const parts = isPostgres && layer.includes('.') ? layer.split('.') : [layer];
  if (parts.length > 2) quoteOgrIdentifier(layer, 'sources.parcels.layer');
  return parts.map((part) => quoteOgrIdentifier(part, 'sources.parcels.layer')).join('.');
}

/**
 * The OGR attribute filter that selects one county's parcels: `"county_field" = '17113'`.
 * For Layer.setAttributeFilter in the county step; the value is checked to be 5 digits.
 */
export function countyAttributeFilter(countyField: string, countyFips: string): string {
  if (!/^\d{5}$/.test(countyFips)) {
    throw new BiomassError('BAD_COUNTY_FIPS', `county ${JSON.stringify(countyFips)} is not a 5-digit county FIPS code`, { exitCode: 2 });
  }
  return `${quoteOgrIdentifier(countyField, 'sources.parcels.county_field')} = '${countyFips}'`;
}
