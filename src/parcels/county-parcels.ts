/**
 * A county's parcels placed on the Sentinel-2 tiles that hold them and cut into batches:
 * each parcel is reprojected to the UTM zone of its tile (a county across two zones has
 * parcels in both), ordered along a Hilbert curve per tile, and cut into batches of
 * processing.batch_size. The batch list is a pure function of the source and the plan, so
 * a restarted county finds the same batches and continues after its last committed one.
 */
import gdal from 'gdal-async';
import { areaOf, srsOf } from '../geo/utm-projection.js';
import { utmZoneOfLon, type Footprint } from '../geo/mgrs.js';
import { cutBatches, hilbertSort } from './hilbert-order.js';
import type { SourceParcel } from './parcel-source.js';

/** A parcel on its tile: geometry as WKB in the tile's CRS. */
export interface PlacedParcel {
  id: string;
  tileId: string;
  wkb: Uint8Array;
  bbox: [number, number, number, number];
  areaM2: number;
  repaired: boolean;
}

/** A parcel that gets a status and no pixels. */
export interface UnplacedParcel {
  id: string;
  status: 'invalid_geometry' | 'empty_geometry' | 'outside_tiles';
  /** Area where it is known (outside_tiles), else 0. */
  areaM2: number;
}

export interface CountyBatch {
  index: number;
  /** The tile all its parcels are on; undefined for the batch of parcels without pixels. */
  tileId?: string;
  parcels: PlacedParcel[];
  unplaced: UnplacedParcel[];
}

export interface TileOfCounty {
  tileId: string;
  footprint: Footprint;
}

/**
 * Places parcels on tiles: the first tile whose footprint holds the parcel whole, else the
 * one holding the larger part of its box; none: outside_tiles. Tiles of the parcel's own
 * UTM zone (by the longitude of its centre) come first, then by id: Sentinel-2 tiles of
 * neighbouring zones overlap, and the own zone's projection distorts least.
 */
export function placeParcels(parcels: readonly SourceParcel[], sourceSrs: gdal.SpatialReference, tiles: readonly TileOfCounty[]): { placed: PlacedParcel[]; unplaced: UnplacedParcel[] } {
  const byId = [...tiles].sort((a, b) => a.tileId.localeCompare(b.tileId));
  const toLonLat = new gdal.CoordinateTransformation(sourceSrs, gdal.SpatialReference.fromUserInput('OGC:CRS84'));
  const transforms = new Map<number, gdal.CoordinateTransformation>();
  const transformTo = (epsg: number) => {
    let ct = transforms.get(epsg);
    if (!ct) transforms.set(epsg, (ct = new gdal.CoordinateTransformation(sourceSrs, srsOf(epsg))));
    return ct;
  };
  const placed: PlacedParcel[] = [];
  const unplaced: UnplacedParcel[] = [];
  for (const parcel of parcels) {
    if (!parcel.geometry) {
      unplaced.push({ id: parcel.id, status: parcel.status ?? 'invalid_geometry', areaM2: 0 });
      continue;
    }
    const centre = parcel.geometry.getEnvelope();
    const lon = toLonLat.transformPoint((centre.minX + centre.maxX) / 2, (centre.minY + centre.maxY) / 2).x;
    const ownZone = utmZoneOfLon(lon);
    const sorted = [...byId.filter((t) => t.footprint.epsg % 100 === ownZone), ...byId.filter((t) => t.footprint.epsg % 100 !== ownZone)];
    // One projected copy per zone, shared by the zone's tiles.
    const projected = new Map<number, { geometry: gdal.Geometry; env: gdal.Envelope }>();
    let best: { tile: TileOfCounty; share: number } | undefined;
    for (const tile of sorted) {
      let p = projected.get(tile.footprint.epsg);
      if (!p) {
        const geometry = parcel.geometry.clone();
        geometry.transform(transformTo(tile.footprint.epsg));
        p = { geometry, env: geometry.getEnvelope() };
        projected.set(tile.footprint.epsg, p);
      }
      const share = boxShare(p.env, tile.footprint);
      if (share === 1) {
        best = { tile, share };
        break;
      }
      if (share > 0 && (!best || share > best.share)) best = { tile, share };
    }
    const first = projected.values().next().value;
    if (!best) {
      unplaced.push({ id: parcel.id, status: 'outside_tiles', areaM2: first ? areaOf(first.geometry) : 0 });
      continue;
    }
    const { geometry, env } = projected.get(best.tile.footprint.epsg)!;
    placed.push({
      id: parcel.id, tileId: best.tile.tileId, wkb: new Uint8Array(geometry.toWKB()),
      bbox: [env.minX, env.minY, env.maxX, env.maxY], areaM2: areaOf(geometry), repaired: parcel.repaired === true,
    });
  }
  return { placed, unplaced };
}

/** Share of a box inside a footprint, 0..1 (1 for a box wholly inside). */
function boxShare(env: gdal.Envelope, fp: Footprint): number {
  const w = Math.max(0, Math.min(env.maxX, fp.maxX) - Math.max(env.minX, fp.minX));
  const h = Math.max(0, Math.min(env.maxY, fp.maxY) - Math.max(env.minY, fp.minY));
  const area = (env.maxX - env.minX) * (env.maxY - env.minY);
  if (area <= 0) return w > 0 || h > 0 || (env.minX >= fp.minX && env.maxX <= fp.maxX && env.minY >= fp.minY && env.maxY <= fp.maxY) ? 1 : 0;
  const inside = env.minX >= fp.minX && env.maxX <= fp.maxX && env.minY >= fp.minY && env.maxY <= fp.maxY;
  return inside ? 1 : (w * h) / area;
}

/**
 * The county's batches: per tile (by id) in Hilbert order, `size` parcels each, then the
 * parcels without pixels in batches of their own at the end. Numbered from 0.
 */
export function countyBatches(placed: readonly PlacedParcel[], unplaced: readonly UnplacedParcel[], size: number): CountyBatch[] {
  const byTile = new Map<string, PlacedParcel[]>();
  for (const p of placed) {
    const list = byTile.get(p.tileId) ?? [];
    list.push(p);
    byTile.set(p.tileId, list);
  }
  const batches: CountyBatch[] = [];
  for (const tileId of [...byTile.keys()].sort()) {
    for (const parcels of cutBatches(hilbertSort(byTile.get(tileId)!), size)) {
      batches.push({ index: batches.length, tileId, parcels, unplaced: [] });
    }
  }
  for (const group of cutBatches(unplaced, size)) batches.push({ index: batches.length, parcels: [], unplaced: group });
  return batches;
}
