/**
 * The names a plan puts into OGR SQL (sources.parcels.county_field and layer) and the county
 * filter, without GDAL: what is quoted and what is refused. test/safety/ogr-identifiers.test.ts
 * checks the same rules against GDAL's drivers.
 */
import { describe, expect, it } from 'vitest';
import { BiomassError } from '../../src/biomass-error.js';
import { countyAttributeFilter, quoteOgrIdentifier, quoteOgrLayer } from '../../src/plan/ogr-identifier.js';

function refusal(run: () => unknown): BiomassError {
  try {
    run();
  } catch (error) {
    if (error instanceof BiomassError) return error;
    throw error;
  }
  throw new Error('expected a BiomassError');
}

describe('quoting an OGR name', () => {
  it.each(['parcels', 'county_fips', '_x', 'County FIPS', 'a-b', 'A'.repeat(63)])('quotes %j in double quotes', (name) => {
    expect(quoteOgrIdentifier(name, 'sources.parcels.county_field')).toBe(`"${name}"`);
  });

  it.each(['', '1st', 'a"b', "a'b", 'a;b', 'a.b', ' lead', '-lead', 'A'.repeat(64), 'fips\n', 'é'])('refuses %j, naming the plan key, with exit code 2', (name) => {
    const error = refusal(() => quoteOgrIdentifier(name, 'sources.parcels.county_field'));
    expect(error.code).toBe('UNSAFE_IDENTIFIER');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`sources.parcels.county_field ${JSON.stringify(name)} is not a name biomass can put into SQL safely`);
    expect(error.hint).toBe('use letters, digits, "_", " " and "-" (at most 63, starting with a letter or "_"); rename the field or layer, or make a view with such a name');
  });
});

describe('quoting a layer', () => {
  it('quotes a PostgreSQL schema.table as two names', () => {
    expect(quoteOgrLayer('public.parcels', true)).toBe('"public"."parcels"');
  });

  it('quotes a plain layer as one name, on PostgreSQL too', () => {
    expect(quoteOgrLayer('parcels', true)).toBe('"parcels"');
    expect(quoteOgrLayer('parcels', false)).toBe('"parcels"');
  });

  it('refuses a dotted layer outside PostgreSQL: a dot is no part of a name', () => {
    const error = refusal(() => quoteOgrLayer('public.parcels', false));
    expect(error.code).toBe('UNSAFE_IDENTIFIER');
    expect(error.message).toBe('sources.parcels.layer "public.parcels" is not a name biomass can put into SQL safely');
  });

  it('refuses three parts on PostgreSQL, naming the whole layer', () => {
    const error = refusal(() => quoteOgrLayer('db.public.parcels', true));
    expect(error.code).toBe('UNSAFE_IDENTIFIER');
    expect(error.message).toBe('sources.parcels.layer "db.public.parcels" is not a name biomass can put into SQL safely');
  });

  it('refuses a bad part of a schema.table by that part', () => {
    const error = refusal(() => quoteOgrLayer('public.par"cels', true));
    expect(error.message).toBe('sources.parcels.layer "par\\"cels" is not a name biomass can put into SQL safely');
  });
});

describe('the county filter', () => {
  it('compares the quoted field with the 5-digit code', () => {
    expect(countyAttributeFilter('county_fips', '17113')).toBe(`"county_fips" = '17113'`);
  });

  it.each(['1711', '171130', '1711x', "17113' OR '1'='1", ' 17113'])('refuses %j as a county code, with exit code 2', (fips) => {
    const error = refusal(() => countyAttributeFilter('county_fips', fips));
    expect(error.code).toBe('BAD_COUNTY_FIPS');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`county ${JSON.stringify(fips)} is not a 5-digit county FIPS code`);
  });

  it('refuses an unsafe field before the code is looked at', () => {
    const error = refusal(() => countyAttributeFilter('fips"; DROP TABLE parcels; --', '17113'));
    expect(error.code).toBe('UNSAFE_IDENTIFIER');
    expect(error.message).toContain('sources.parcels.county_field ');
  });
});
