import type { ParcelOutput } from '../../src/db/parcel-outputs-repository.js';

/** `count` outputs of a county, parcel ids numbered from `from`; every tenth has no pixels. */
export function parcelOutputs(count: number, countyFips = '17113', from = 0): ParcelOutput[] {
  return Array.from({ length: count }, (_, i) => ({
    parcelId: `p${String(from + i).padStart(7, '0')}`,
    configHash: 'cfg-a',
    countyFips,
    modelVersion: 'demo-1',
    status: i % 10 === 0 ? 'no_clear_pixels' : 'ok',
    areaM2: 1000 + i,
    pixelCount: i % 10 === 0 ? 0 : 10,
    clearPixelCount: i % 10 === 0 ? 0 : 8,
    clearAcquisitions: 5,
    ndvi: i % 10 === 0 ? null : 0.5,
    biomassDensity: i % 10 === 0 ? null : 120.5,
    biomassTotal: i % 10 === 0 ? null : 12.05,
  }));
}
