/**
 * Per parcel: the clear weight and weighted mean NDVI of one acquisition, and the seasonal
 * composite over the acquisitions that had clear pixels.
 */
import type { Coverage } from './pixel-polygon.js';
import { ndviOf } from './reflectance.js';

export interface DateNdvi {
  /** Sum of the coverage weights of clear pixels with a valid NDVI. */
  clearWeight: number;
  /** Weighted mean NDVI of those pixels; NaN when clearWeight is 0. */
  ndvi: number;
}

/**
 * One acquisition of one parcel. `red`, `nir` and `scl` cover the same window as the
 * coverage indices (SCL already on the 10 m grid); `mask` is sclMaskTable's table.
 */
export function parcelDateNdvi(
  coverage: Coverage,
  red: ArrayLike<number>,
  nir: ArrayLike<number>,
  scl: ArrayLike<number>,
  mask: Uint8Array,
  offset: number,
): DateNdvi {
  let weight = 0;
  let sum = 0;
  const { indices, weights } = coverage;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (mask[scl[i]!] === 1) continue;
    const v = ndviOf(red[i]!, nir[i]!, offset);
    if (Number.isNaN(v)) continue;
    const w = weights[k]!;
    weight += w;
    sum += w * v;
  }
  return { clearWeight: weight, ndvi: weight > 0 ? sum / weight : NaN };
}

export type CompositeRule = 'max' | 'median';

/** The seasonal composite of per-date NDVI values (NaN for dates without clear pixels are skipped). */
export function compositeNdvi(values: readonly number[], rule: CompositeRule): { ndvi: number; dates: number } {
  const clear = values.filter((v) => !Number.isNaN(v));
  if (clear.length === 0) return { ndvi: NaN, dates: 0 };
  if (rule === 'max') return { ndvi: Math.max(...clear), dates: clear.length };
  clear.sort((a, b) => a - b);
  const mid = clear.length >> 1;
  const ndvi = clear.length % 2 === 1 ? clear[mid]! : (clear[mid - 1]! + clear[mid]!) / 2;
  return { ndvi, dates: clear.length };
}
