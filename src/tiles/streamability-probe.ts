/**
 * The streamability probe: can a band file be read window by window in place? Yes when it
 * is a tiled GeoTIFF/COG (internal blocks, each compressed on its own or not: none,
 * DEFLATE, LZW, ZSTD...) whose header (the first IFD) is reached in at most two range
 * requests. Stripped TIFFs and JPEG2000 are not. Reads only the bytes it needs.
 */
import type { BandSource } from './band-source.js';

export type ProbeFormat = 'cog' | 'tiled-tiff' | 'stripped-tiff' | 'jpeg2000' | 'unknown';

export interface ProbeResult {
  streamable: boolean;
  format: ProbeFormat;
  reason: string;
  /** Range requests made. */
  requests: number;
  /** Bytes those requests fetched. */
  bytes: number;
}

/** What the probe needs: one ranged read (TileAccess.readRange fits). */
export interface RangeReader {
  readRange(source: BandSource, offset: number, length: number, signal?: AbortSignal): Promise<Buffer>;
}

/** Bytes of one request: the COG header and IFD of a Sentinel-2 band fit in far less. */
export const PROBE_BYTES = 16_384;

const TAG = { stripOffsets: 273, tileWidth: 322, tileOffsets: 324 } as const;
const JP2_BOX = Buffer.from([0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]);
const J2K_CODESTREAM = Buffer.from([0xff, 0x4f, 0xff, 0x51]);

export async function probeBand(source: BandSource, reader: RangeReader, signal?: AbortSignal): Promise<ProbeResult> {
  let requests = 1;
  const head = await reader.readRange(source, 0, PROBE_BYTES, signal);
  let bytes = head.length;
  const result = (streamable: boolean, format: ProbeFormat, reason: string): ProbeResult => ({ streamable, format, reason, requests, bytes });

  if (head.subarray(0, 12).equals(JP2_BOX) || head.subarray(0, 4).equals(J2K_CODESTREAM)) {
    return result(false, 'jpeg2000', 'JPEG2000 has no block index GDAL can read by range: convert it');
  }
  const tiff = tiffHeader(head);
  if (!tiff) return result(false, 'unknown', head.length < 16 ? `too short to be a raster (${head.length} bytes)` : 'neither a TIFF nor a JPEG2000 file');

  // The first IFD: in the first request when the file starts with its header (a COG), else one more.
  let ifd = head;
  let base = 0;
  if (!holdsIfd(head, tiff.ifdOffset, tiff)) {
    requests = 2;
    ifd = await reader.readRange(source, tiff.ifdOffset, PROBE_BYTES, signal);
    bytes += ifd.length;
    base = tiff.ifdOffset;
    if (!holdsIfd(ifd, 0, tiff)) return result(false, 'unknown', `the TIFF header at byte ${tiff.ifdOffset} is not reached in two range requests (truncated?)`);
  }
  const tags = readTags(ifd, tiff.ifdOffset - base, tiff);
  const cogLayout = head.subarray(0, 200).toString('latin1').includes('LAYOUT=IFDS_BEFORE_DATA');
  if (tags.has(TAG.tileWidth) && tags.has(TAG.tileOffsets)) {
    return cogLayout
      ? result(true, 'cog', 'cloud-optimized GeoTIFF: tiled, header first')
      : result(true, 'tiled-tiff', `tiled GeoTIFF, header reached in ${requests} request${requests > 1 ? 's' : ''}`);
  }
  if (tags.has(TAG.stripOffsets)) return result(false, 'stripped-tiff', 'stripped GeoTIFF: a window needs whole strips of full rows: convert it');
  return result(false, 'unknown', 'a TIFF with neither tiles nor strips');
}

interface TiffHeader { little: boolean; big: boolean; ifdOffset: number }

function tiffHeader(b: Buffer): TiffHeader | undefined {
  if (b.length < 8) return undefined;
  const order = b.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const little = order === 'II';
  const magic = little ? b.readUInt16LE(2) : b.readUInt16BE(2);
  if (magic === 42) return { little, big: false, ifdOffset: little ? b.readUInt32LE(4) : b.readUInt32BE(4) };
  if (magic === 43 && b.length >= 16) {
    const offset = little ? b.readBigUInt64LE(8) : b.readBigUInt64BE(8);
    return { little, big: true, ifdOffset: Number(offset) };
  }
  return undefined;
}

/** Whether `b` holds the whole IFD (count and entries) starting at `at`. */
function holdsIfd(b: Buffer, at: number, t: TiffHeader): boolean {
  const countBytes = t.big ? 8 : 2;
  if (at < 0 || at + countBytes > b.length) return false;
  const count = readCount(b, at, t);
  return at + countBytes + count * (t.big ? 20 : 12) <= b.length;
}

function readCount(b: Buffer, at: number, t: TiffHeader): number {
  if (t.big) return Number(t.little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
  return t.little ? b.readUInt16LE(at) : b.readUInt16BE(at);
}

function readTags(b: Buffer, at: number, t: TiffHeader): Set<number> {
  const count = readCount(b, at, t);
  const first = at + (t.big ? 8 : 2);
  const size = t.big ? 20 : 12;
  const tags = new Set<number>();
  for (let k = 0; k < count; k++) {
    const p = first + k * size;
    tags.add(t.little ? b.readUInt16LE(p) : b.readUInt16BE(p));
  }
  return tags;
}
