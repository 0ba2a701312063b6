/**
 * The work a Piscina worker does: pure computation on typed arrays handed over by the main
 * thread (gdal-async cannot be loaded in a worker thread). Each task returns plain typed
 * arrays, transferred back.
 */
import { coverage, type CoverageRule } from './coverage.js';
import { compositeNdvi, parcelDateNdvi, type CompositeRule } from './parcel-ndvi.js';
import { sclMaskTable } from './scl-mask.js';
import { unpackWkb, wkbToPixelPolygons, type PackedWkb, type PixelGrid } from './wkb-pixel-polygon.js';
import { zonalStatistics } from './zonal-statistics.js';

type Pixels = Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Zonal statistics of polygons over a whole band (shared memory, not copied). */
export interface ZonalTask {
  task: 'zonal';
  rule: CoverageRule;
  width: number;
  height: number;
  values: Pixels;
  noData: number | null;
  grid: PixelGrid;
  geometries: PackedWkb;
}

/** Per feature: count, sum, mean, min, max (NaN where nothing valid was covered). */
export function runZonal(task: ZonalTask): Float64Array {
  const n = task.geometries.ends.length;
  const out = new Float64Array(5 * n);
  const window = { width: task.width, height: task.height };
  for (let i = 0; i < n; i++) {
    const geometry = wkbToPixelPolygons(unpackWkb(task.geometries, i), task.grid);
    const s = zonalStatistics(coverage(task.rule, geometry, window), task.values, task.noData);
    out.set([s.count, s.sum, s.mean, s.min, s.max], 5 * i);
  }
  return out;
}

/** One acquisition's pixels over a batch window: SCL already on the 10 m grid. */
export interface BatchDate {
  red: Uint16Array;
  nir: Uint16Array;
  scl: Uint8Array;
  offset: number;
}

/** The parcels of one batch on one tile, over the window that holds them. */
export interface ParcelBatchTask {
  task: 'parcels';
  rule: CoverageRule;
  composite: CompositeRule;
  sclMask: number[];
  width: number;
  height: number;
  /** World -> window pixel coordinates (the tile's CRS). */
  grid: PixelGrid;
  geometries: PackedWkb;
  dates: BatchDate[];
}

/**
 * Per parcel, `3 + dates` values: pixel weight, clear acquisitions, composite NDVI (NaN if
 * none), then the clear weight of each date (which items the parcel's figure came from).
 */
export function runParcelBatch(task: ParcelBatchTask): Float64Array {
  const n = task.geometries.ends.length;
  const stride = 3 + task.dates.length;
  const out = new Float64Array(stride * n);
  const mask = sclMaskTable(task.sclMask);
  const window = { width: task.width, height: task.height };
  for (let i = 0; i < n; i++) {
    const cover = coverage(task.rule, wkbToPixelPolygons(unpackWkb(task.geometries, i), task.grid), window);
    let weight = 0;
    for (const w of cover.weights) weight += w;
    const perDate = task.dates.map((d) => parcelDateNdvi(cover, d.red, d.nir, d.scl, mask, d.offset));
    const { ndvi, dates } = compositeNdvi(perDate.map((d) => d.ndvi), task.composite);
    out.set([weight, dates, ndvi, ...perDate.map((d) => d.clearWeight)], stride * i);
  }
  return out;
}

export type KernelTask = ZonalTask | ParcelBatchTask;

export function runKernelTask(task: KernelTask): Float64Array {
  return task.task === 'zonal' ? runZonal(task) : runParcelBatch(task);
}
