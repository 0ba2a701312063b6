/**
 * The pixels of one batch: the union of its parcels' pixel boxes on a tile's 10 m grid,
 * filled from only the COG blocks those boxes touch (pixels of untouched blocks stay 0, the
 * L2A no-data value, and no parcel covers them). SCL (20 m) is mapped onto the 10 m grid by
 * nearest neighbour: each 10 m pixel takes the SCL pixel under its centre.
 */
import { BlockReader, type BandInfo, type BlockPixels, type LocatableItem } from './block-reader.js';

/** Pixel box [col0, col1) x [row0, row1) on a band's grid. */
export interface PixelBox {
  col0: number;
  row0: number;
  col1: number;
  row1: number;
}

/** The pixel box of a world box on a grid, clipped to the raster; undefined when outside. */
export function pixelBox(bbox: readonly [number, number, number, number], info: Pick<BandInfo, 'geoTransform' | 'width' | 'height'>): PixelBox | undefined {
  const [x0, dx, , y0, , dy] = info.geoTransform as [number, number, number, number, number, number];
  const c0 = Math.floor((bbox[0] - x0) / dx), c1 = Math.floor((bbox[2] - x0) / dx) + 1;
  const r0 = Math.floor((bbox[3] - y0) / dy), r1 = Math.floor((bbox[1] - y0) / dy) + 1;
  const box = { col0: Math.max(0, c0), row0: Math.max(0, r0), col1: Math.min(info.width, c1), row1: Math.min(info.height, r1) };
  return box.col0 < box.col1 && box.row0 < box.row1 ? box : undefined;
}

export function unionBox(boxes: readonly PixelBox[]): PixelBox | undefined {
  if (boxes.length === 0) return undefined;
  return boxes.reduce((a, b) => ({ col0: Math.min(a.col0, b.col0), row0: Math.min(a.row0, b.row0), col1: Math.max(a.col1, b.col1), row1: Math.max(a.row1, b.row1) }));
}

/** The distinct blocks (bx, by) the boxes touch, in row-major order. */
export function blocksOf(boxes: readonly PixelBox[], blockWidth: number, blockHeight: number): Array<[number, number]> {
  const seen = new Set<string>();
  const out: Array<[number, number]> = [];
  for (const b of boxes) {
    for (let by = Math.floor(b.row0 / blockHeight); by <= Math.floor((b.row1 - 1) / blockHeight); by++) {
      for (let bx = Math.floor(b.col0 / blockWidth); bx <= Math.floor((b.col1 - 1) / blockWidth); bx++) {
        const k = `${bx}:${by}`;
        if (!seen.has(k)) {
          seen.add(k);
          out.push([bx, by]);
        }
      }
    }
  }
  return out.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}

/** The boxes of a 10 m grid on a coarser grid (SCL), covering the pixels under their centres. */
export function boxesOnGrid(boxes: readonly PixelBox[], fine: BandInfo, coarse: BandInfo): PixelBox[] {
  const [fx0, fdx, , fy0, , fdy] = fine.geoTransform as [number, number, number, number, number, number];
  return boxes.flatMap((b) => {
    const bbox: [number, number, number, number] = [fx0 + (b.col0 + 0.5) * fdx, fy0 + (b.row1 - 0.5) * fdy, fx0 + (b.col1 - 0.5) * fdx, fy0 + (b.row0 + 0.5) * fdy];
    const box = pixelBox(bbox, coarse);
    return box ? [box] : [];
  });
}

type WindowArray = Uint8Array | Uint16Array;

/** One band over the window, from the blocks the boxes touch. */
export async function readWindow(
  reader: BlockReader, item: LocatableItem, band: string, info: BandInfo, window: PixelBox, boxes: readonly PixelBox[],
  make: (n: number) => WindowArray,
): Promise<WindowArray> {
  const width = window.col1 - window.col0;
  const out = make(width * (window.row1 - window.row0));
  const blocks = blocksOf(boxes, info.blockWidth, info.blockHeight);
  const pixels = await reader.blocks(item, band, blocks);
  blocks.forEach(([bx, by], k) => copyBlock(pixels[k]!, bx, by, info, window, out, width));
  return out;
}

function copyBlock(block: BlockPixels, bx: number, by: number, info: BandInfo, window: PixelBox, out: WindowArray, width: number): void {
  const c0 = Math.max(window.col0, bx * info.blockWidth), c1 = Math.min(window.col1, (bx + 1) * info.blockWidth, info.width);
  const r0 = Math.max(window.row0, by * info.blockHeight), r1 = Math.min(window.row1, (by + 1) * info.blockHeight, info.height);
  for (let r = r0; r < r1; r++) {
    const src = (r - by * info.blockHeight) * info.blockWidth + (c0 - bx * info.blockWidth);
    out.set(block.subarray(src, src + (c1 - c0)) as never, (r - window.row0) * width + (c0 - window.col0));
  }
}

/** SCL over the 10 m window, nearest neighbour from its own (coarser) grid. */
export async function readSclOnGrid(
  reader: BlockReader, item: LocatableItem, band: string, fine: BandInfo, scl: BandInfo, window: PixelBox, boxes: readonly PixelBox[],
): Promise<Uint8Array> {
  const coarseBoxes = boxesOnGrid(boxes, fine, scl);
  const coarseWindow = unionBox(coarseBoxes);
  const width = window.col1 - window.col0, height = window.row1 - window.row0;
  const out = new Uint8Array(width * height);
  if (!coarseWindow) return out;
  const coarse = (await readWindow(reader, item, band, scl, coarseWindow, coarseBoxes, (n) => new Uint8Array(n))) as Uint8Array;
  const cw = coarseWindow.col1 - coarseWindow.col0;
  const [fx0, fdx, , fy0, , fdy] = fine.geoTransform as [number, number, number, number, number, number];
  const [sx0, sdx, , sy0, , sdy] = scl.geoTransform as [number, number, number, number, number, number];
  const cols = new Int32Array(width), rows = new Int32Array(height);
  for (let c = 0; c < width; c++) cols[c] = Math.floor((fx0 + (window.col0 + c + 0.5) * fdx - sx0) / sdx) - coarseWindow.col0;
  for (let r = 0; r < height; r++) rows[r] = Math.floor((fy0 + (window.row0 + r + 0.5) * fdy - sy0) / sdy) - coarseWindow.row0;
  for (let r = 0; r < height; r++) {
    const sr = rows[r]!;
    if (sr < 0 || sr >= coarseWindow.row1 - coarseWindow.row0) continue;
    for (let c = 0; c < width; c++) {
      const sc = cols[c]!;
      if (sc >= 0 && sc < cw) out[r * width + c] = coarse[sr * cw + sc]!;
    }
  }
  return out;
}
