import { describe, expect, it } from 'vitest';
import { biomassDensity, biomassTotal } from '../../src/biomass/biomass-model.js';
import { compositeNdvi, parcelDateNdvi } from '../../src/biomass/parcel-ndvi.js';
import { boaOffset, ndviOf } from '../../src/biomass/reflectance.js';
import { DEFAULT_SCL_MASK, sclMaskTable } from '../../src/biomass/scl-mask.js';

describe('reflectance and NDVI', () => {
  it('takes the BOA offset from the file, else the processing baseline, else none', () => {
    expect(boaOffset({ product: 'S2A_MSIL2A_20240401T164851_N0510_R026_T16TCK_20240401T224157' })).toBe(-1000);
    expect(boaOffset({ product: 'S2B_MSIL2A_20210601T164849_N0300_R026_T16TCK_20210601T205031' })).toBe(0);
    expect(boaOffset({ product: 'S2B_MSIL2A_20210601T164849_N0300_R026_T16TCK_20210601T205031', metadataOffset: '-1000' })).toBe(-1000);
    expect(boaOffset({ product: '16TCK_2024-06-01' })).toBe(0);
  });

  it('computes NDVI on reflectance, offset applied before the ratio', () => {
    // Reflectances 0.05 and 0.40 stored with the baseline 04.00 offset: DN = 10,000 r + 1,000.
    expect(ndviOf(1500, 5000, -1000)).toBeCloseTo((0.4 - 0.05) / 0.45, 15);
    // Without the offset the same DNs would read as a much lower NDVI.
    expect(ndviOf(1500, 5000, 0)).toBeCloseTo(3500 / 6500, 15);
    expect(ndviOf(0, 5000, 0)).toBeNaN();
    expect(ndviOf(900, 900, -1000)).toBeNaN();
  });

  it('masks the default SCL classes and keeps the others', () => {
    const table = sclMaskTable();
    expect([...Array(12).keys()].filter((c) => table[c] === 1)).toEqual([...DEFAULT_SCL_MASK]);
    expect(sclMaskTable([9])[3]).toBe(0);
  });
});

describe('per parcel NDVI and composite', () => {
  it('weights clear pixels and skips masked and no-data ones', () => {
    const coverage = { indices: Int32Array.from([0, 1, 2, 3]), weights: Float64Array.from([1, 0.5, 1, 1]) };
    const red = [1000, 2000, 1000, 0];
    const nir = [3000, 2000, 3000, 3000];
    const scl = [4, 5, 9, 4]; // pixel 2 cloud, pixel 3 no data
    const got = parcelDateNdvi(coverage, red, nir, scl, sclMaskTable(), 0);
    expect(got.clearWeight).toBe(1.5);
    expect(got.ndvi).toBeCloseTo((1 * 0.5 + 0.5 * 0) / 1.5, 15);
    const cloudy = parcelDateNdvi(coverage, red, nir, [9, 9, 9, 9], sclMaskTable(), 0);
    expect(cloudy.clearWeight).toBe(0);
    expect(cloudy.ndvi).toBeNaN();
  });

  it('composites by max or median over clear dates', () => {
    expect(compositeNdvi([0.2, NaN, 0.7, 0.5], 'max')).toEqual({ ndvi: 0.7, dates: 3 });
    expect(compositeNdvi([0.2, NaN, 0.7, 0.5], 'median')).toEqual({ ndvi: 0.5, dates: 3 });
    expect(compositeNdvi([0.2, 0.8, 0.7, 0.5], 'median').ndvi).toBeCloseTo(0.6, 15);
    expect(compositeNdvi([NaN], 'max').dates).toBe(0);
  });
});

describe('biomass model', () => {
  it('evaluates the three forms and never goes below zero', () => {
    expect(biomassDensity({ form: 'linear', coefficients: { a: -10, b: 200 } }, 0.5)).toBe(90);
    expect(biomassDensity({ form: 'linear', coefficients: { a: -10, b: 200 } }, 0.01)).toBe(0);
    expect(biomassDensity({ form: 'power', coefficients: { a: 250, b: 2 } }, 0.5)).toBe(62.5);
    expect(biomassDensity({ form: 'power', coefficients: { a: 250, b: 2 } }, -0.1)).toBeNaN();
    expect(biomassDensity({ form: 'exponential', coefficients: { a: 2, b: Math.log(3) } }, 2)).toBeCloseTo(18, 12);
    expect(biomassTotal(90, 25_000)).toBe(225);
  });
});
