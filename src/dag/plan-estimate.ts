/**
 * The dry run's result, as `biomass plan --json` prints it (schemas/plan-estimate.schema.json).
 * Bytes are bytes and times are milliseconds from the start of the rollout.
 */
import type { Sourced } from './compile-inputs.js';
import type { RolloutOrder } from './rollout-order.js';

export const PLAN_ESTIMATE_SCHEMA_ID = 'https://biomass.example/schemas/plan-estimate.schema.json';

export interface StateEstimate {
  fips: string;
  postal: string;
  name: string;
  /** 0-based position in the rollout order. */
  position: number;
  counties: number;
  parcels: number;
  parcelsEstimated: boolean;
  /** Distinct MGRS tiles its counties read. */
  tiles: number;
  /** Of those, tiles still on disk from the previous state (not downloaded again). */
  tilesReused: number;
  /** Tiles it shares with the next state but deletes (the next makes them again): keeping them would stall the schedule. */
  tilesNotKept: number;
  /** Tile items its counties read (tiles x acquisitions). */
  items: number;
  /** Tile items this state downloads and converts. */
  itemsMade: number;
  /** items x tile_size.compressed. */
  compressedBytes: number;
  /** items x tile_size.uncompressed. */
  uncompressedBytes: number;
  /** The seed's model: every item's original and converted copy on disk at once. */
  seedPeakBytes: number;
  /** The most of this state's tiles on disk at once in the simulated schedule. */
  peakBytes: number;
  /** When refused: the least storage budget with which this state alone can finish. */
  needBytes?: number;
  /** First conversion start to last conversion end of the tiles it makes; 0 when it makes none. */
  preprocessMs: number;
  /** First county start to last county end. */
  countiesMs: number;
  startMs: number;
  endMs: number;
}

export interface OrderComparison {
  order: RolloutOrder;
  chosen: boolean;
  /** Items downloaded and converted again because the tile was deleted between two states that need it. */
  itemsMadeTwice: number;
  peakBytes: number;
  totalMs: number;
}

export interface EstimateWarning {
  code: string;
  message: string;
  hint?: string;
}

export interface Refusal {
  code: 'STORAGE_BUDGET';
  message: string;
  hint: string;
  budgetBytes: number;
  states: Array<{ fips: string; postal: string; needBytes: number; county?: { fips: string; name: string; tiles: number; items: number } }>;
}

export interface PlanEstimate {
  $schema: typeof PLAN_ESTIMATE_SCHEMA_ID;
  plan: { name: string; file: string };
  order: { strategy: RolloutOrder; basis?: 'parcels' | 'area'; states: string[] };
  refused: Refusal | null;
  inputs: {
    tileItems: { source: string; estimated: boolean; perTile: number };
    tileSizes: { compressedBytes: number; uncompressedBytes: number; source: string };
    throughput: { downloadBytesPerSecond: Sourced; preprocessTimeMs: Sourced; parcelRate: Sourced };
    parcels: { source: string };
    database: string;
    freeSpace: { bytes: number | null; path: string; source: string };
    preprocess: 'always' | 'when-needed' | 'never';
  };
  states: StateEstimate[];
  totals: {
    states: number;
    counties: number;
    parcels: number;
    tiles: number;
    /** Tile items summed per state: a tile read by two states counts in both. */
    items: number;
    /** Distinct tile items the rollout reads (each MGRS tile once). */
    distinctItems: number;
    /** Tile items downloaded and converted, counting those made a second time. */
    itemsMade: number;
    itemsMadeTwice: number;
    compressedBytes: number;
    uncompressedBytes: number;
    downloadedBytes: number;
    /** The largest state's figure in the seed's model. */
    seedPeakBytes: number;
    /** The most on disk at once in the simulated schedule; what the budget is checked against. */
    peakBytes: number;
    budgetBytes: number;
    minFreeBytes: number;
    /** The disk capacity the schedule was simulated with: the budget, or the least that lets a refused plan finish. */
    scheduledWithBytes: number;
    totalMs: number;
    criticalPath: Array<{ id: string; label: string; startMs: number; endMs: number }>;
  };
  orders: OrderComparison[];
  cost: null | { currency: string; storageGbMonths: number; storage: number; egressGb: number; egress: number; total: number };
  warnings: EstimateWarning[];
}
