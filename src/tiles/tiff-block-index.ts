/**
 * Where each block of a tiled (Cloud Optimized) GeoTIFF lies in the file: the full-resolution
 * image's TileOffsets and TileByteCounts, read from the file's first bytes (a COG keeps its
 * IFDs and these arrays ahead of the pixel data). The benchmark uses it for the I/O limit:
 * the bytes of exactly the blocks the parcels touch.
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
}

/** Parses IFD 0; throws when `bytes` ends before the arrays it needs (read more and retry). */
export function parseTiffBlockIndex(bytes: Uint8Array): TiffBlockIndex {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = view.getUint16(0) === 0x4949;
  const magic = view.getUint16(2, little);
  const big = magic === 43;
  if (magic !== 42 && !big) throw new Error('not a TIFF');
  const u64 = (at: number) => Number(view.getBigUint64(at, little));
  let ifd = big ? u64(8) : view.getUint32(4, little);
  const count = big ? u64(ifd) : view.getUint16(ifd, little);
  ifd += big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  const tags = new Map<number, number[]>();
  let headerBytes = 0;
  const typeSize: Record<number, number> = { 3: 2, 4: 4, 16: 8 };
  for (let i = 0; i < count; i++) {
    const e = ifd + i * entrySize;
    const tag = view.getUint16(e, little);
    const type = view.getUint16(e + 2, little);
    const n = big ? u64(e + 4) : view.getUint32(e + 4, little);
    const size = typeSize[type];
    if (!size || ![256, 257, 322, 323, 324, 325].includes(tag)) continue;
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
  const one = (tag: number) => {
    const v = tags.get(tag)?.[0];
    if (v === undefined) throw new Error(`TIFF tag ${tag} missing (not a tiled TIFF?)`);
    return v;
  };
  return {
    width: one(256), height: one(257), tileWidth: one(322), tileHeight: one(323),
    offsets: tags.get(324) ?? [], byteCounts: tags.get(325) ?? [], headerBytes,
  };
}
