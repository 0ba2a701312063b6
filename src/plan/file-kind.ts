import { statSync } from 'node:fs';

/**
 * What a path names, found with stat alone: a FIFO, socket or device is never opened for
 * reading (a FIFO nobody writes to blocks the reader for ever), only refused by name.
 */
export type FileKind = 'missing' | 'file' | 'directory' | 'special';

export function fileKind(file: string): FileKind {
  let info;
  try {
    info = statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return 'missing';
    throw error;
  }
  if (info.isFile()) return 'file';
  if (info.isDirectory()) return 'directory';
  return 'special';
}
