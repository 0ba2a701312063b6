/**
 * The folder holding biomass's package.json, as a file: URL ending in '/'. Files that ship
 * beside the code (package.json, schemas/, the SQL migrations under src/db/migrations) are
 * found from here, so they resolve the same whether this module runs from src/ (tsx, the
 * tests) or from the bundle in dist/cli/ (bin/biomass.js), wherever the bundler put it.
 */
import { existsSync } from 'node:fs';

function findPackageRoot(): URL {
  let dir = new URL('./', import.meta.url);
  for (;;) {
    if (existsSync(new URL('package.json', dir))) return dir;
    const parent = new URL('../', dir);
    if (parent.href === dir.href) throw new Error(`no package.json above ${import.meta.url}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
