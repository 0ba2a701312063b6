// What the bundle in dist/cli was built from, cheaply: the newest modification time and the
// number of entries over src/ (folders too: adding, removing or renaming a file changes its
// folder's time) and the build's own inputs. bin/biomass.js compares it with the stamp the
// build wrote, at every start, so it is plain JavaScript and costs about a millisecond.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Files outside src/ whose change changes the bundle (bundled dependencies, build settings). */
const BUILD_INPUTS = ['package-lock.json', 'scripts/build.js', 'scripts/source-stamp.js'];

export const STAMP_FILE = 'dist/cli/build-stamp.json';

/** @returns {{ newestMs: number, entries: number }} */
export function sourceStamp(root) {
  let newestMs = 0;
  let entries = 0;
  const visit = (file) => {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    entries += 1;
    newestMs = Math.max(newestMs, stat.mtimeMs);
    if (stat.isDirectory()) for (const name of readdirSync(file)) visit(path.join(file, name));
  };
  visit(path.join(root, 'src'));
  for (const file of BUILD_INPUTS) visit(path.join(root, file));
  return { newestMs, entries };
}

/** Whether dist/cli holds a bundle built from the sources as they are now. */
export function distIsFresh(root) {
  let built;
  try {
    built = JSON.parse(readFileSync(path.join(root, STAMP_FILE), 'utf8'));
  } catch {
    return false;
  }
  const now = sourceStamp(root);
  return now.entries === built.entries && now.newestMs <= built.newestMs;
}
