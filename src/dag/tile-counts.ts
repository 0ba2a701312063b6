/**
 * Item counts per tile from several places, most trusted first: the stored index of states
 * already indexed, then a listing of the catalog (`biomass plan --catalog`), then the
 * season / revisit estimate for whatever is left. The dry run says which was used.
 */
import type { Plan } from '../plan/plan.js';
import type { TileCatalog } from '../tiles/catalog.js';
import { mapLimited } from '../map-limited.js';
import { estimatedTileIndex, type TileIndex } from './compile-inputs.js';

/** Items per tile that one place knows, and how to name that place. */
export interface TileCounts {
  counts: ReadonlyMap<string, number>;
  source: string;
}

/** The layers, most trusted first, over the plan's estimate for the `needed` tiles none covers. */
export function layeredTileIndex(plan: Plan, layers: ReadonlyArray<TileCounts | undefined>, needed: Iterable<string> = []): TileIndex {
  const estimate = estimatedTileIndex(plan);
  const known = layers.filter((l): l is TileCounts => l !== undefined && l.counts.size > 0);
  if (known.length === 0) return estimate;
  return {
    itemsOf: (tileId) => {
      for (const layer of known) {
        const n = layer.counts.get(tileId);
        if (n !== undefined) return n;
      }
      return estimate.itemsOf(tileId);
    },
    source: `from ${known.map((l) => l.source).join(', then ')}` +
      ([...needed].some((t) => !known.some((l) => l.counts.has(t))) ? `; other tiles ${estimate.source}` : ''),
    estimated: false,
  };
}

/** Lists the catalog for the given tiles (8 at a time); read-only. */
export async function listedTileCounts(catalog: TileCatalog, tiles: readonly string[], signal?: AbortSignal): Promise<TileCounts> {
  const listed = await mapLimited(tiles, 8, async (tile) => [tile, (await catalog.listItems(tile, signal)).length] as const);
  return { counts: new Map(listed), source: `a listing of the catalog ${catalog.source} (${tiles.length} tiles)` };
}
