import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { BiomassError } from '../biomass-error.js';

/**
 * What is at `database.embedded_dir` before the embedded database is opened there. PGlite
 * writes about 1,000 files into the folder it is given, replacing any of the same name
 * (pg_hba.conf, base/, global/ ...), so a folder is used only when it is empty or already
 * holds a PostgreSQL data directory (recognised by its PG_VERSION file).
 */
export type EmbeddedDirState = 'absent' | 'empty' | 'pglite' | 'other';

/** Files every PostgreSQL data directory has, PGlite's included. */
const DATA_DIR_MARKERS = ['PG_VERSION', 'global', 'base'];

/**
 * The folder's real path (a symlink is followed: PGlite itself cannot open one) and what it
 * holds. Throws DB_EMBEDDED_DIR (exit 2) when the path names something that is not a folder.
 */
export async function inspectEmbeddedDir(dir: string): Promise<{ dir: string; state: EmbeddedDirState }> {
  try {
    await lstat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { dir, state: 'absent' };
    throw notUsable(dir, (error as Error).message);
  }
  let real: string;
  try {
    real = await realpath(dir);
  } catch (error) {
    // A symlink whose target is missing: creating the target through it would surprise.
    throw notUsable(dir, `it is a link to something that does not exist (${(error as NodeJS.ErrnoException).code})`);
  }
  const info = await stat(real);
  if (!info.isDirectory()) throw notUsable(dir, 'it is not a folder');
  const entries = await readdir(real);
  if (entries.length === 0) return { dir: real, state: 'empty' };
  const names = new Set(entries);
  return { dir: real, state: DATA_DIR_MARKERS.every((name) => names.has(name)) ? 'pglite' : 'other' };
}

/**
 * The folder a command that writes may open the embedded database in: absent (created),
 * empty, or an existing data directory. Any other folder is refused by name, untouched.
 */
export async function writableEmbeddedDir(dir: string): Promise<string> {
  const found = await inspectEmbeddedDir(dir);
  if (found.state === 'other') {
    throw new BiomassError('DB_EMBEDDED_DIR', `database.embedded_dir ${dir} is a folder that holds other files, not an embedded database`, {
      hint: 'name an empty or new folder in database.embedded_dir (e.g. .biomass/db); the embedded database would replace files there',
      exitCode: 2,
    });
  }
  return found.dir;
}

function notUsable(dir: string, why: string): BiomassError {
  return new BiomassError('DB_EMBEDDED_DIR', `database.embedded_dir ${dir} cannot hold the embedded database: ${why}`, {
    hint: 'name a folder in database.embedded_dir (e.g. .biomass/db), or remove what is there',
    exitCode: 2,
  });
}
