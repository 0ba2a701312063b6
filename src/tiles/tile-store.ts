/**
 * Blob access for tile items: list names under a prefix, write a file, say where GDAL reads
 * it. One interface over Azure Blob Storage and a local folder, so the catalog and the scene
 * generator do not care which one a plan names.
 */
export interface TileStore {
  /** The source as it may be printed (secrets redacted). */
  readonly name: string;
  /** Names (relative to the source root, '/'-separated) that start with `prefix`. */
  list(prefix: string, signal?: AbortSignal): AsyncIterable<string>;
  /** Stores a local file under `name`, whole or not at all. */
  write(name: string, localFile: string, signal?: AbortSignal): Promise<void>;
  /** A URI for a stored name: azure://CONTAINER/NAME or file:///PATH, what an index records. */
  href(name: string): string;
  /** Creates the container or folder if it is missing (the generator's first step). */
  ensure(signal?: AbortSignal): Promise<void>;
}
