/** A local folder as a tile store (the embedded default of file:// sources). */
import { copyFile, mkdir, readdir, rename, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BiomassError } from '../biomass-error.js';
import type { TileStore } from './tile-store.js';

export class FolderTileStore implements TileStore {
  constructor(private readonly root: string, readonly name: string) {}

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<string> {
    await this.checkRoot();
    // Walk only the deepest folder the prefix names, not the whole tree.
    const slash = prefix.lastIndexOf('/');
    const folder = join(this.root, slash >= 0 ? prefix.slice(0, slash) : '');
    let entries: string[];
    try {
      entries = await readdir(folder, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw this.failure('list', error);
    }
    signal?.throwIfAborted();
    const names = entries
      .map((entry) => relative(this.root, join(folder, entry)).split(sep).join('/'))
      .filter((name) => name.startsWith(prefix) && !name.endsWith('.tmp'))
      .sort();
    for (const name of names) {
      if ((await stat(join(this.root, name))).isFile()) yield name;
    }
  }

  async write(name: string, localFile: string): Promise<void> {
    const target = join(this.root, name);
    await mkdir(dirname(target), { recursive: true });
    // Copy beside the target, then rename: a reader never sees half a file.
    const tmp = `${target}.${process.pid}.tmp`;
    await copyFile(localFile, tmp);
    await rename(tmp, target);
  }

  href(name: string): string {
    return pathToFileURL(join(this.root, name)).href;
  }

  async ensure(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  private async checkRoot(): Promise<void> {
    try {
      if ((await stat(this.root)).isDirectory()) return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw this.failure('open', error);
    }
    throw new BiomassError('CATALOG_NOT_FOUND', `tile source ${this.name}: folder ${this.root} does not exist`, {
      hint: 'check sources.tiles.uri (file://PATH), or run `biomass demo` to generate scenes there',
      exitCode: 2,
    });
  }

  private failure(what: string, error: unknown): BiomassError {
    return new BiomassError('CATALOG_UNREACHABLE', `tile source ${this.name}: cannot ${what} ${this.root}: ${(error as Error).message}`, { cause: error });
  }
}
