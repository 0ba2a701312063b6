/** Which TileStore a tile source names: Azure Blob Storage or a local folder. */
import { BiomassError } from '../biomass-error.js';
import { AzureTileStore } from './azure-tile-store.js';
import { FolderTileStore } from './folder-tile-store.js';
import { describeSource, parseSourceUri, type TileSourceOptions } from './tile-source.js';
import type { TileStore } from './tile-store.js';

/** Opens the store a tile source names; `estimated:` has none and is refused here. */
export function openTileStore(options: TileSourceOptions): TileStore {
  const parsed = parseSourceUri(options.uri, options.baseDir);
  const name = describeSource(options);
  switch (parsed.kind) {
    case 'azure':
      return new AzureTileStore(parsed.container, parsed.prefix, options, name);
    case 'file':
      return new FolderTileStore(parsed.path, name);
    case 'estimated':
      throw new BiomassError('NO_TILE_STORE', 'the tile source "estimated:" holds no files', {
        hint: 'name a folder (file://PATH) or a container (azure://CONTAINER) to read or write scenes',
        exitCode: 2,
      });
  }
}
