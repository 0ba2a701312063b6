/**
 * Zonal statistics of one band under a coverage: count = sum of the weights of valid pixels,
 * sum = weighted sum of values, mean = sum / count; min and max of the valid covered values.
 * A pixel equal to the band's no-data value, or NaN, is not valid.
 */
import type { Coverage } from './pixel-polygon.js';

export interface ZonalStatistics {
  count: number;
  sum: number;
  /** NaN when no valid pixel is covered (as min and max). */
  mean: number;
  min: number;
  max: number;
}

export function zonalStatistics(coverage: Coverage, values: ArrayLike<number>, noData: number | null): ZonalStatistics {
  let count = 0, sum = 0, min = Infinity, max = -Infinity;
  const { indices, weights } = coverage;
  for (let k = 0; k < indices.length; k++) {
    const v = values[indices[k]!]!;
    if (Number.isNaN(v) || v === noData) continue;
    const w = weights[k]!;
    count += w;
    sum += w * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return count > 0 ? { count, sum, mean: sum / count, min, max } : { count: 0, sum: 0, mean: NaN, min: NaN, max: NaN };
}
