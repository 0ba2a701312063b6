/**
 * Where each block of a tiled (Cloud Optimized) GeoTIFF lies in the file, and how its bytes
 * are encoded: the full-resolution image's TileOffsets and TileByteCounts, compression,
 * predictor and sample layout, read from the file's first bytes (a COG keeps its IFDs and
 * these arrays ahead of the pixel data). The ranged block reader fetches exactly these
 * ranges (src/tiles/ranged-blocks.ts); the benchmark uses it for the I/O limit.
 */
export interface TiffBlockIndex {
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  /** Per block, row-major: byte offset and compressed size. */
  offsets: number[];
  byteCounts: number[];
  /** File bytes the caller must have given for this to be complete (the arrays' end). */
  headerBytes: number;
  /** TIFF Compression (1 none, 8 or 32946 DEFLATE, 5 LZW, 50000 ZSTD ...). */
  compression: number;
  /** TIFF Predictor (1 none, 2 horizontal differencing, 3 floating point). */
  predictor: number;
  bitsPerSample: number;
  /** TIFF SampleFormat (1 unsigned, 2 signed, 3 floating point). */
  sampleFormat: number;
  samplesPerPixel: number;
  /** The file's byte order: multi-byte samples in the blocks are in it too. */
  littleEndian: boolean;
}

const TAGS = { width: 256, height: 257, bitsPerSample: 258, compression: 259, samplesPerPixel: 277, predictor: 317, tileWidth: 322, tileHeight: 323, offsets: 324, byteCounts: 325, sampleFormat: 339 } as const;
const WANTED = new Set<number>(Object.values(TAGS));

/** Parses IFD 0; throws a RangeError when `bytes` ends before the arrays it needs (read more and retry). */
export function parseTiffBlockIndex(bytes: Uint8Array): TiffBlockIndex {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 16) throw new RangeError('TIFF header needs 16 bytes');
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) throw new Error('not a TIFF');
  const little = order === 0x4949;
  const magic = view.getUint16(2, little);
  const big = magic === 43;
  if (magic !== 42 && !big) throw new Error('not a TIFF');
  const u64 = (at: number) => Number(view.getBigUint64(at, little));
  let ifd = big ? u64(8) : view.getUint32(4, little);
  const entrySize = big ? 20 : 12;
  if (ifd + (big ? 8 : 2) > bytes.byteLength) throw new RangeError(`TIFF header needs ${ifd + 8} bytes`);
  const count = big ? u64(ifd) : view.getUint16(ifd, little);
  ifd += big ? 8 : 2;
  if (ifd + count * entrySize > bytes.byteLength) throw new RangeError(`TIFF header needs ${ifd + count * entrySize} bytes`);
  const tags = new Map<number, number[]>();
  let headerBytes = ifd + count * entrySize;
  const typeSize: Record<number, number> = { 3: 2, 4: 4, 16: 8 };
  for (let i = 0; i < count; i++) {
    const e = ifd + i * entrySize;
    const tag = view.getUint16(e, little);
    const type = view.getUint16(e + 2, little);
    const n = big ? u64(e + 4) : view.getUint32(e + 4, little);
    const size = typeSize[type];
    if (!size || !WANTED.has(tag)) continue;
    const inline = n * size <= (big ? 8 : 4);
    const at = inline ? e + (big ? 12 : 8) : big ? u64(e + 12) : view.getUint32(e + 8, little);
    headerBytes = Math.max(headerBytes, at + n * size);
    if (at + n * size > bytes.byteLength) throw new RangeError(`TIFF header needs ${at + n * size} bytes`);
    const values: number[] = [];
    for (let k = 0; k < n; k++) {
      const p = at + k * size;
      values.push(size === 2 ? view.getUint16(p, little) : size === 4 ? view.getUint32(p, little) : u64(p));
    }
    tags.set(tag, values);
  }
  const one = (tag: number, fallback?: number) => {
    const v = tags.get(tag)?.[0] ?? fallback;
    if (v === undefined) throw new Error(`TIFF tag ${tag} missing (not a tiled TIFF?)`);
    return v;
  };
  return {
    width: one(TAGS.width), height: one(TAGS.height), tileWidth: one(TAGS.tileWidth), tileHeight: one(TAGS.tileHeight),
    offsets: tags.get(TAGS.offsets) ?? [], byteCounts: tags.get(TAGS.byteCounts) ?? [], headerBytes,
    compression: one(TAGS.compression, 1), predictor: one(TAGS.predictor, 1), bitsPerSample: one(TAGS.bitsPerSample, 1),
    sampleFormat: one(TAGS.sampleFormat, 1), samplesPerPixel: one(TAGS.samplesPerPixel, 1), littleEndian: little,
  };
}

/** The block number of (bx, by), row-major, as TileOffsets orders them. */
export function blockNumber(index: Pick<TiffBlockIndex, 'width' | 'tileWidth'>, bx: number, by: number): number {
  return by * Math.ceil(index.width / index.tileWidth) + bx;
}
