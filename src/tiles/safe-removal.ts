/**
 * Deleting one temporary file, only inside the storage folder: the path is resolved, must
 * lie strictly below the (already checked) root, and neither it nor any folder between it
 * and the root may be a symbolic link. Anything else is refused, not deleted.
 */
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';

export type Removal = { removed: true; bytes: number } | { removed: false; reason: string };

export async function removeInside(root: string, file: string): Promise<Removal> {
  const resolved = path.resolve(file);
  if (!resolved.startsWith(root + path.sep)) return { removed: false, reason: `${resolved} is outside storage.dir ${root}` };
  for (let at = path.dirname(resolved); at !== root; at = path.dirname(at)) {
    const info = await lstat(at).catch(() => undefined);
    if (!info) return { removed: false, reason: `${resolved} is already gone` };
    if (info.isSymbolicLink()) return { removed: false, reason: `${at} is a symbolic link: not followed` };
  }
  const info = await lstat(resolved).catch(() => undefined);
  if (!info) return { removed: false, reason: `${resolved} is already gone` };
  if (info.isSymbolicLink()) return { removed: false, reason: `${resolved} is a symbolic link: not followed` };
  if (!info.isFile()) return { removed: false, reason: `${resolved} is not a regular file` };
  await unlink(resolved);
  return { removed: true, bytes: info.size };
}

/** Removes the empty folders from `folder` up to (not including) root; stops at the first non-empty one. */
export async function pruneEmptyFolders(root: string, folder: string): Promise<void> {
  for (let at = path.resolve(folder); at.startsWith(root + path.sep); at = path.dirname(at)) {
    const info = await lstat(at).catch(() => undefined);
    if (!info || info.isSymbolicLink() || !info.isDirectory()) return;
    if ((await readdir(at)).length > 0) return;
    await rmdir(at);
  }
}
