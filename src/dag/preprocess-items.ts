/**
 * Which tile items a preprocess node converts, from the stored tile index: the rule documented
 * on PreprocessNode (dag.ts), in one place for the runner and the tests.
 */
import type { PreprocessNode } from './dag.js';

/** An item as the stored index lists it; only what ordering needs. */
export interface OrderedItem {
  itemId: string;
  mgrsTile: string;
  /** YYYY-MM-DD. */
  acquiredOn: string;
}

/** The node's items: the tile's items in acquisition order (date, then id), positions firstItem .. firstItem+items-1 (the last group takes the rest). */
export function preprocessItemsOf<T extends OrderedItem>(node: Pick<PreprocessNode, 'tileId' | 'firstItem' | 'items' | 'lastGroup'>, stateItems: readonly T[]): T[] {
  const ofTile = stateItems
    .filter((item) => item.mgrsTile === node.tileId)
    .sort((a, b) => a.acquiredOn.localeCompare(b.acquiredOn) || a.itemId.localeCompare(b.itemId));
  return node.lastGroup ? ofTile.slice(node.firstItem) : ofTile.slice(node.firstItem, node.firstItem + node.items);
}
