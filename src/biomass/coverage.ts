/** The plan's coverage rule (processing.coverage) applied to a polygon on a window. */
import { centreCoverage } from './centre-coverage.js';
import { fractionalCoverage } from './fractional-coverage.js';
import type { Coverage, PixelMultiPolygon, PixelWindow } from './pixel-polygon.js';

export type CoverageRule = 'centre' | 'fractional';

export function coverage(rule: CoverageRule, geometry: PixelMultiPolygon, window: PixelWindow): Coverage {
  return rule === 'fractional' ? fractionalCoverage(geometry, window) : centreCoverage(geometry, window);
}
