/**
 * The folder temporary tiles live in must be one the plan may write and delete in: never
 * `/`, the home folder or a system folder, and never reached through a symbolic link (a
 * link could point a cleanup at anything). Checked before preprocessing writes and before
 * cleanup deletes; a refusal is exit 2 (fix the plan).
 */
import { lstat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BiomassError } from '../biomass-error.js';

/** Folders that hold the system, and everything below some of them. */
const SYSTEM_FOLDERS = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/proc', '/root', '/run', '/sbin', '/sys', '/usr', '/var', '/opt', '/srv', '/home', '/tmp', '/mnt', '/media'];
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/proc', '/sbin', '/sys', '/usr'];

/** Returns the resolved folder, or throws UNSAFE_STORAGE_DIR (exit 2) naming why. */
export async function checkStorageDir(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const resolved = path.resolve(dir);
  const refuse = (why: string) => new BiomassError('UNSAFE_STORAGE_DIR', `storage.dir ${resolved} ${why}: temporary tiles are not written or deleted there`, {
    hint: 'set storage.dir to a folder of its own, e.g. /data/biomass-preprocessing (it is created when missing)', exitCode: 2,
  });
  if (resolved === path.parse(resolved).root) throw refuse('is the root folder');
  const homes = new Set([os.homedir(), env.HOME].filter((h): h is string => !!h).map((h) => path.resolve(h)));
  if (homes.has(resolved)) throw refuse('is the home folder');
  if (SYSTEM_FOLDERS.includes(resolved)) throw refuse('is a system folder');
  if (SYSTEM_TREES.some((tree) => resolved.startsWith(tree + path.sep))) throw refuse('is inside a system folder');
  // Every existing part of the path must be a real folder, not a link to one.
  for (let at = resolved; at !== path.dirname(at); at = path.dirname(at)) {
    const info = await lstat(at).catch(() => undefined);
    if (info?.isSymbolicLink()) throw refuse(`is reached through the symbolic link ${at}`);
  }
  return resolved;
}
