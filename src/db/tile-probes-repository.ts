import type { Queryable } from './store.js';

/** What the streamability probe found for one band of one item. */
export interface TileProbe {
  itemId: string;
  band: string;
  /** The original probed (azure://... or file:///...). */
  uri: string;
  streamable: boolean;
  /** cog | tiled-tiff | stripped-tiff | jpeg2000 | unknown. */
  format: string;
  /** Why it is (not) streamable, in words. */
  reason: string;
  /** Range requests the probe made to reach the header. */
  requests: number;
  /** Bytes those requests fetched. */
  bytes: number;
}

interface ProbeRow { item_id: string; band: string; uri: string; streamable: boolean; format: string; reason: string; requests: number; bytes: string | number }

/** Stores probe results; probing the same item band again replaces the row. */
export async function recordProbes(db: Queryable, planName: string, probes: readonly TileProbe[]): Promise<void> {
  for (const p of probes) {
    await db.query(
      `INSERT INTO biomass.tile_probes (plan_name, item_id, band, uri, streamable, format, reason, requests, bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (plan_name, item_id, band) DO UPDATE SET uri = EXCLUDED.uri, streamable = EXCLUDED.streamable,
         format = EXCLUDED.format, reason = EXCLUDED.reason, requests = EXCLUDED.requests, bytes = EXCLUDED.bytes, probed_at = now()`,
      [planName, p.itemId, p.band, p.uri, p.streamable, p.format, p.reason, p.requests, p.bytes],
    );
  }
}

/** The stored probe of one item band, when it was made for the same original. */
export async function getProbe(db: Queryable, planName: string, itemId: string, band: string): Promise<TileProbe | undefined> {
  const result = await db.query<ProbeRow>(
    'SELECT item_id, band, uri, streamable, format, reason, requests, bytes FROM biomass.tile_probes WHERE plan_name = $1 AND item_id = $2 AND band = $3',
    [planName, itemId, band],
  );
  const row = result.rows[0];
  return row && {
    itemId: row.item_id, band: row.band, uri: row.uri, streamable: row.streamable, format: row.format,
    reason: row.reason, requests: Number(row.requests), bytes: Number(row.bytes),
  };
}
