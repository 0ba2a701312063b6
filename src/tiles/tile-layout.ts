/**
 * How tile items are named inside a source. Two layouts:
 *
 * planetary-computer, as the Planetary Computer stores Sentinel-2 L2A COGs:
 *   {zone}/{band}/{square}/{YYYY}/{MM}/{DD}/{product}.SAFE/GRANULE/{granule}/IMG_DATA/R10m/T{tile}_{datetime}_B04_10m.tif
 *   (R20m/..._SCL_20m.tif, R60m/..._B01_60m.tif; zone written without a leading zero)
 * simple, for hand-made folders:
 *   {tile}/{YYYY-MM-DD}/{BAND}.tif
 * Either may hold .jp2 instead of .tif.
 */
import { parseTileId } from '../geo/mgrs.js';
import type { TileLayoutName } from './tile-source.js';

/** Native resolution of each Sentinel-2 L2A band, metres. */
export const BAND_RESOLUTION: Record<string, 10 | 20 | 60> = {
  B01: 60, B02: 10, B03: 10, B04: 10, B05: 20, B06: 20, B07: 20, B08: 10, B8A: 20, B09: 60, B11: 20, B12: 20, SCL: 20,
};

/** One band file of one item, as read back from a name. */
export interface BandFile {
  tileId: string;
  /** YYYY-MM-DD, the acquisition date (UTC). */
  date: string;
  /** The product (SAFE) name; in the simple layout `{tile}_{date}`. */
  product: string;
  band: string;
  name: string;
}

/** What a generator needs to name an item's files. */
export interface ItemNaming {
  tileId: string;
  date: string;
  /** e.g. S2A_MSIL2A_20240401T164851_N0510_R026_T16TCK_20240401T224157 */
  product: string;
  /** e.g. L2A_T16TCK_A045832_20240401T165708 */
  granule: string;
  /** Sensing time, YYYYMMDDTHHMMSS. */
  datetime: string;
}

export interface TileLayout {
  readonly name: TileLayoutName;
  /** Prefixes that together hold every file of a tile's items within the months given (YYYY-MM). */
  prefixes(tileId: string, months: string[]): string[];
  /** The band file a name holds, or undefined for names that are not band files. */
  parse(name: string): BandFile | undefined;
  /** The name of one band file of an item. */
  bandName(item: ItemNaming, band: string, extension: 'tif' | 'jp2'): string;
  /** The product name `parse` reads back for an item. */
  productName(item: ItemNaming): string;
}

const PC_BAND_FILE = /(?:^|\/)([^/]+)\.SAFE\/GRANULE\/[^/]+\/IMG_DATA\/R(\d+)m\/T(\d{2}[A-Z]{3})_(\d{8})T\d{6}_([A-Z0-9]{3})_(\d+)m\.(?:tif|jp2)$/;

const planetaryComputer: TileLayout = {
  name: 'planetary-computer',
  prefixes(tileId, months) {
    const p = parseTileId(tileId)!;
    const square = p.column + p.row;
    // Zones below 10 are written "1", but accept "01" too: both spellings are seen in mirrors.
    const zones = p.zone < 10 ? [String(p.zone), `0${p.zone}`] : [String(p.zone)];
    return zones.flatMap((zone) => months.map((month) => `${zone}/${p.band}/${square}/${month.replace('-', '/')}/`));
  },
  parse(name) {
    const m = PC_BAND_FILE.exec(name);
    if (!m) return undefined;
    const day = m[4]!;
    return {
      product: m[1]!, tileId: m[3]!, band: m[5]!, name,
      date: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`,
    };
  },
  bandName(item, band, extension) {
    const p = parseTileId(item.tileId)!;
    const [yyyy, mm, dd] = item.date.split('-');
    const res = BAND_RESOLUTION[band] ?? 10;
    return `${p.zone}/${p.band}/${p.column}${p.row}/${yyyy}/${mm}/${dd}/${item.product}.SAFE/GRANULE/${item.granule}` +
      `/IMG_DATA/R${res}m/T${item.tileId}_${item.datetime}_${band}_${res}m.${extension}`;
  },
  productName: (item) => item.product,
};

const SIMPLE_BAND_FILE = /(?:^|\/)(\d{2}[A-Z]{3})\/(\d{4}-\d{2}-\d{2})\/([A-Z0-9]{3})\.(?:tif|jp2)$/;

const simple: TileLayout = {
  name: 'simple',
  prefixes(tileId) {
    return [`${tileId}/`];
  },
  parse(name) {
    const m = SIMPLE_BAND_FILE.exec(name);
    if (!m) return undefined;
    return { tileId: m[1]!, date: m[2]!, band: m[3]!, product: `${m[1]}_${m[2]}`, name };
  },
  bandName(item, band, extension) {
    return `${item.tileId}/${item.date}/${band}.${extension}`;
  },
  productName: (item) => `${item.tileId}_${item.date}`,
};

export function tileLayout(name: TileLayoutName = 'planetary-computer'): TileLayout {
  return name === 'simple' ? simple : planetaryComputer;
}

/** The months (YYYY-MM) an inclusive date range touches. */
export function monthsOf(start: string, end: string): string[] {
  const out: string[] = [];
  let [y, m] = start.split('-').map(Number) as [number, number];
  const [ey, em] = end.split('-').map(Number) as [number, number];
  while (y < ey || (y === ey && m <= em)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m === 13) { m = 1; y += 1; }
  }
  return out;
}
