/**
 * Decodes one block of a tiled TIFF from its stored bytes, as libtiff would: DEFLATE (zlib,
 * on libuv's thread pool) or none, then the file's byte order, then the horizontal
 * predictor. Only what Sentinel-2 COGs and our preprocessed copies use is handled; anything
 * else is reported by `unsupportedLayout`, and the block reader reads such files through
 * GDAL instead.
 */
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import type { TiffBlockIndex } from './tiff-block-index.js';

const inflateAsync = promisify(inflate);

export type DecodedBlock = Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

type Layout = Pick<TiffBlockIndex, 'compression' | 'predictor' | 'bitsPerSample' | 'sampleFormat' | 'samplesPerPixel' | 'littleEndian' | 'tileWidth' | 'tileHeight'>;

const DEFLATE = new Set([8, 32946]);

/** Why this decoder cannot read the file's blocks, or undefined when it can. */
export function unsupportedLayout(layout: Layout): string | undefined {
  if (layout.compression !== 1 && !DEFLATE.has(layout.compression)) return `compression ${layout.compression} (only none and DEFLATE)`;
  if (layout.samplesPerPixel !== 1) return `${layout.samplesPerPixel} samples per pixel (only 1)`;
  if (layout.predictor !== 1 && layout.predictor !== 2) return `predictor ${layout.predictor} (only none and horizontal)`;
  const integer = layout.sampleFormat === 1 || layout.sampleFormat === 2;
  if (integer && ![8, 16, 32].includes(layout.bitsPerSample)) return `${layout.bitsPerSample}-bit integer samples`;
  if (layout.sampleFormat === 3 && ![32, 64].includes(layout.bitsPerSample)) return `${layout.bitsPerSample}-bit float samples`;
  if (!integer && layout.sampleFormat !== 3) return `sample format ${layout.sampleFormat}`;
  if (layout.sampleFormat === 3 && layout.predictor === 2) return 'horizontal predictor on float samples';
  return undefined;
}

/** The typed array of a block of this layout over `buffer`. */
function typed(layout: Layout, buffer: ArrayBuffer): DecodedBlock {
  const { bitsPerSample: bits, sampleFormat: format } = layout;
  if (format === 3) return bits === 32 ? new Float32Array(buffer) : new Float64Array(buffer);
  if (bits === 8) return new Uint8Array(buffer);
  if (bits === 16) return format === 2 ? new Int16Array(buffer) : new Uint16Array(buffer);
  return format === 2 ? new Int32Array(buffer) : new Uint32Array(buffer);
}

/**
 * The block's pixels (tileWidth x tileHeight, row-major). `stored` is the block's bytes as
 * the file holds them; an empty `stored` is a sparse block, filled with `fill`.
 */
export async function decodeTiffBlock(stored: Uint8Array, layout: Layout, fill = 0): Promise<DecodedBlock> {
  const bytesPerSample = layout.bitsPerSample / 8;
  const expected = layout.tileWidth * layout.tileHeight * bytesPerSample;
  const out = new Uint8Array(expected);
  if (stored.byteLength === 0) {
    const block = typed(layout, out.buffer);
    if (fill !== 0) block.fill(fill);
    return block;
  }
  const raw = DEFLATE.has(layout.compression) ? await inflateAsync(stored) : stored;
  if (raw.byteLength < expected) {
    throw new Error(`a ${layout.tileWidth}x${layout.tileHeight} block decoded to ${raw.byteLength} bytes, not ${expected}: the file is damaged`);
  }
  out.set(raw.subarray(0, expected));
  const littleHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (bytesPerSample > 1 && layout.littleEndian !== littleHost) swapBytes(out, bytesPerSample);
  if (layout.predictor === 2) undoHorizontalPredictor(out.buffer, bytesPerSample, layout.tileWidth, layout.tileHeight);
  return typed(layout, out.buffer);
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** Each sample was stored as the difference from its left neighbour in the row: sum them back (modulo the sample size). */
function undoHorizontalPredictor(buffer: ArrayBuffer, bytesPerSample: number, width: number, height: number): void {
  const samples = bytesPerSample === 1 ? new Uint8Array(buffer) : bytesPerSample === 2 ? new Uint16Array(buffer) : new Uint32Array(buffer);
  for (let row = 0; row < height; row++) {
    const start = row * width;
    for (let i = start + 1; i < start + width; i++) samples[i] = samples[i]! + samples[i - 1]!;
  }
}
