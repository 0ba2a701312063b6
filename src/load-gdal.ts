/**
 * gdal-async, loaded on first use. Loading it maps libgdal and its drivers (about 0.3 s), which
 * only the commands that read geometries or rasters should pay, not `biomass --version` or
 * `biomass validate`. It is CommonJS, so it can be required synchronously from the sync
 * geometry code; modules import its types with `import type * as gdal from 'gdal-async'`.
 */
import { createRequire } from 'node:module';
import type * as Gdal from 'gdal-async';

let loaded: typeof Gdal | undefined;

export function loadGdal(): typeof Gdal {
  loaded ??= createRequire(import.meta.url)('gdal-async') as typeof Gdal;
  return loaded;
}
