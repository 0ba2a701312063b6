/**
 * Reads COG blocks by their exact byte ranges: the file's block index (TileOffsets and
 * TileByteCounts, from its first bytes, once per file), then for a set of blocks one ranged
 * request per run of blocks that lie next to each other in the file, and each block decoded
 * here (src/tiles/tiff-block-decoder.ts). GDAL's /vsiaz/ reads round ranges to 16 KB chunks
 * and read ahead while reads look sequential, fetching blocks no parcel touches; this fetches
 * the blocks asked for, plus at most `maxGap` bytes between two merged ones (a COG puts 8
 * bytes of leader and trailer around each block).
 */
import type { BandSource } from './band-source.js';
import { decodeTiffBlock, unsupportedLayout, type DecodedBlock } from './tiff-block-decoder.js';
import { blockNumber, parseTiffBlockIndex, type TiffBlockIndex } from './tiff-block-index.js';

/** Reads `length` bytes at `offset` (fewer at the end of the file); TileAccess.readRange. */
export type RangeRead = (source: BandSource, offset: number, length: number, signal?: AbortSignal) => Promise<Uint8Array>;

export interface RangedFigures {
  /** Ranged requests for block bytes, and the bytes they returned. */
  requests: number;
  bytes: number;
  /** Requests and bytes for the files' headers (block indexes). */
  headerRequests: number;
  headerBytes: number;
}

const FIRST_HEADER_READ = 16_384;
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export class RangedBlocks {
  private readonly counts: RangedFigures = { requests: 0, bytes: 0, headerRequests: 0, headerBytes: 0 };
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  /** `maxInFlight`: requests at once (the plan's http.concurrency); `maxGap`: bytes fetched between two merged blocks. */
  constructor(private readonly read: RangeRead, private readonly options: { maxGap?: number; maxInFlight?: number } = {}) {}

  /** One request, when fewer than maxInFlight are under way. */
  private async request(source: BandSource, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    const limit = this.options.maxInFlight ?? 12;
    while (this.active >= limit) await new Promise<void>((go) => this.waiting.push(go));
    this.active++;
    try {
      return await this.read(source, offset, length, signal);
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  /** The file's block index, from its first bytes (more when the index lies further in). */
  async index(source: BandSource, signal?: AbortSignal): Promise<TiffBlockIndex> {
    for (let size = FIRST_HEADER_READ; ; size *= 4) {
      const head = await this.request(source, 0, size, signal);
      this.counts.headerRequests++;
      this.counts.headerBytes += head.byteLength;
      try {
        return parseTiffBlockIndex(head);
      } catch (error) {
        if (!(error instanceof RangeError) || head.byteLength < size || size >= MAX_HEADER_BYTES) throw error;
      }
    }
  }

  /** Why these blocks cannot be read here (then GDAL reads them), or undefined. */
  static unsupported(index: TiffBlockIndex): string | undefined {
    return unsupportedLayout(index);
  }

  /** The decoded blocks (bx, by), in the order asked; sparse blocks come back filled with `fill`. */
  async blocks(source: BandSource, index: TiffBlockIndex, coords: ReadonlyArray<readonly [number, number]>, fill = 0, signal?: AbortSignal): Promise<DecodedBlock[]> {
    const wanted = coords.map(([bx, by], k) => {
      const n = blockNumber(index, bx, by);
      const offset = index.offsets[n], size = index.byteCounts[n];
      if (offset === undefined || size === undefined) throw new RangeError(`block (${bx}, ${by}) is outside the ${index.width}x${index.height} image`);
      return { k, offset, size };
    });
    const stored: Uint8Array[] = new Array(coords.length);
    for (const w of wanted.filter((w) => w.size === 0)) stored[w.k] = new Uint8Array(0);
    await Promise.all(mergedRuns(wanted.filter((w) => w.size > 0), this.options.maxGap ?? 1024).map(async (run) => {
      const start = run[0]!.offset;
      const end = Math.max(...run.map((w) => w.offset + w.size));
      const bytes = await this.request(source, start, end - start, signal);
      this.counts.requests++;
      this.counts.bytes += bytes.byteLength;
      if (bytes.byteLength < end - start) throw new Error(`${source.uri}: the file ends before its block at ${end} (damaged or changed while read)`);
      for (const w of run) stored[w.k] = bytes.subarray(w.offset - start, w.offset - start + w.size);
    }));
    return Promise.all(stored.map((bytes) => decodeTiffBlock(bytes, index, fill)));
  }

  figures(): RangedFigures {
    return { ...this.counts };
  }
}

/** Blocks sorted by offset and grouped where each starts at most `maxGap` bytes after the previous one ends. */
export function mergedRuns<T extends { offset: number; size: number }>(blocks: readonly T[], maxGap: number): T[][] {
  const sorted = [...blocks].sort((a, b) => a.offset - b.offset);
  const runs: T[][] = [];
  let end = -Infinity;
  for (const b of sorted) {
    const last = runs.at(-1);
    if (last && b.offset - end <= maxGap) last.push(b);
    else runs.push([b]);
    end = Math.max(end, b.offset + b.size);
  }
  return runs;
}
