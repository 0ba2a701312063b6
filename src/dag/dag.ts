/**
 * The compiled DAG: one node per step, its dependencies, the resources it claims while it
 * runs (or longer), and its estimated duration. Built by compile(); read by the scheduler,
 * the dry run and (later) the executor.
 */

import type { CountyFacts } from './rollout-facts.js';

/** The node kinds, in the order a state goes through them. */
export type NodeKindName = 'index' | 'preprocess' | 'county' | 'verify' | 'cleanup';

/** Resources the scheduler admits nodes against. Per-state batch slots are `batches:<fips>`. */
export const RESOURCE = {
  /** Bytes under storage.dir; capacity: storage.budget (and live free space minus min_free when running). */
  disk: 'disk',
  /** rollout.parallel_states. */
  states: 'states',
  /** preprocess.parallel_jobs. */
  jobs: 'jobs',
  /** database.pool.max. */
  pool: 'pool',
} as const;

export function batchResource(stateFips: string): string {
  return `batches:${stateFips}`;
}

/**
 * An amount of a resource a node takes when it starts. Without `until` it is given back when
 * the node finishes; with `until`, when every node listed there has finished (a converted
 * tile stays on disk until the cleanup that deletes it).
 */
export interface Claim {
  resource: string;
  amount: number;
  until?: string[];
}

interface NodeBase {
  /** Unique and stable: `index:17`, `preprocess:16TCK/0` (group 0; `preprocess:16TCK#2/0` for a second copy), `county:17113`, `verify:17`, `cleanup:17`, `cleanup:16TCK`. */
  id: string;
  kind: NodeKindName;
  /** The state the node belongs to (for a tile, the state that makes it). */
  state: string;
  /** Short human label: "17 IL index", "16TCK items 1-6", "17113 McLean". */
  label: string;
  deps: string[];
  /** Lower runs first among nodes that are ready at the same time. */
  priority: number;
  /** Filled by the kind's estimate(). */
  durationMs: number;
  claims: Claim[];
}

export interface IndexNode extends NodeBase {
  kind: 'index';
  /** MGRS tiles the state's counties need. */
  tiles: number;
  /** The node that ends the state's hold on its rollout slot. */
  cleanupId: string;
}

/**
 * Tile items converted per preprocess node: a tile's items run as groups of this many, each
 * group one job, so one job downloads while another converts (issue 13 item 4). Small enough
 * that downloads and conversions interleave across jobs, large enough to keep the DAG of a
 * national rollout to ~11,000 preprocess nodes.
 */
export const PREPROCESS_GROUP_ITEMS = 6;

/**
 * One group of items of one copy of a tile: downloads each item (its compressed original),
 * converts it, deletes the original, then the next. Which items: take the tile's items from
 * the stored index of the node's `state` (the state that makes the copy), sorted by acquisition
 * date then item id (acquisition order); the node converts positions `firstItem` ..
 * `firstItem + items - 1` of that list, i.e. group g of tile T is items
 * g*PREPROCESS_GROUP_ITEMS .. g*PREPROCESS_GROUP_ITEMS + PREPROCESS_GROUP_ITEMS - 1, and the
 * last group (`lastGroup`) also takes any items beyond its range (the index may list more than
 * the dry run estimated). `preprocessItemsOf` (preprocess-items.ts) does exactly this.
 */
export interface PreprocessNode extends NodeBase {
  kind: 'preprocess';
  tileId: string;
  /** 0-based group index within this copy of the tile. */
  group: number;
  /** Position of the group's first item in the tile's items in acquisition order. */
  firstItem: number;
  /** Tile items (acquisitions) this node converts. */
  items: number;
  /** True for the tile's last group. */
  lastGroup: boolean;
  /** 1 for the first time the tile is made; 2 (and more) when a later state makes it again. */
  making: number;
  /** States (FIPS) whose counties read this copy of the tile. */
  users: string[];
  /** The cleanup node that deletes this copy (all its groups). */
  cleanupId: string;
  /** Milliseconds to download one item's original at the full estimates.download_rate. */
  downloadMsPerItem: number;
  /** Milliseconds to convert one item (estimates.preprocess_time or measured). */
  convertMsPerItem: number;
}

/** A county's step: its facts as gathered for the rollout (parcels, tiles), less its map position. */
export interface CountyNode extends NodeBase, Omit<CountyFacts, 'centre'> {
  kind: 'county';
}

export interface VerifyNode extends NodeBase {
  kind: 'verify';
  counties: number;
}

export interface CleanupNode extends NodeBase {
  kind: 'cleanup';
  /** `tile`: deletes one converted tile after its last reader; `state`: the state's folder after verify. */
  scope: 'tile' | 'state';
  /** For scope tile. */
  tileId?: string;
}

export type DagNode = IndexNode | PreprocessNode | CountyNode | VerifyNode | CleanupNode;

/** One state as the compiled rollout sees it. */
export interface StateInfo {
  fips: string;
  postal: string;
  name: string;
  /** 0-based position in the rollout order. */
  position: number;
  counties: number;
  areaKm2: number;
  parcels: number;
  parcelsEstimated: boolean;
  /** Distinct MGRS tiles its counties need. */
  tiles: string[];
  /** Tiles already on disk from the previous state in the order (not made again). */
  tilesReused: number;
  /** Tiles it shares with the next state but deletes and leaves to that state to make again (keeping them would stall it). */
  tilesNotKept: number;
}

export interface Dag {
  nodes: DagNode[];
  byId: Map<string, DagNode>;
  /** States in rollout order. */
  states: StateInfo[];
  /** Tile items per MGRS tile. */
  itemsPerTile: number;
  /** Resource capacities the plan sets (disk: storage.budget). */
  capacities: Record<string, number>;
}
