/**
 * Sentinel-2 L2A digital numbers to surface reflectance, and NDVI (docs/zonal.md):
 * reflectance = (DN + BOA_ADD_OFFSET) / 10,000. From processing baseline 04.00 (products of
 * 25 January 2022 on) ESA adds 1,000 to every DN and states BOA_ADD_OFFSET = -1000; earlier
 * products have no offset. DN 0 is no data.
 */

/** The quantification of L2A surface reflectance (BOA_QUANTIFICATION_VALUE). */
export const L2A_QUANTIFICATION = 10_000;

/** The offset of baseline 04.00 and later. */
export const BASELINE_04_OFFSET = -1000;

/**
 * The BOA offset of an item, most specific first: the value the file itself states
 * (metadata BOA_ADD_OFFSET), else the product's processing baseline (`_N0400_` and later:
 * -1000), else 0. A product name without a baseline (the `simple` layout's `{tile}_{date}`)
 * means a hand-made folder of plain reflectance x 10,000.
 */
export function boaOffset(item: { product?: string | null; metadataOffset?: string | number | null }): number {
  if (item.metadataOffset !== undefined && item.metadataOffset !== null && item.metadataOffset !== '') {
    const value = Number(item.metadataOffset);
    if (Number.isFinite(value)) return value;
  }
  const baseline = /_N(\d{2})(\d{2})_/.exec(item.product ?? '');
  if (baseline) return Number(baseline[1]) >= 4 ? BASELINE_04_OFFSET : 0;
  return 0;
}

/**
 * NDVI = (NIR - red) / (NIR + red) on reflectances; NaN for no data (DN 0) or when the two
 * reflectances do not sum to a positive value (the ratio means nothing there).
 */
export function ndviOf(redDn: number, nirDn: number, offset: number): number {
  if (redDn === 0 || nirDn === 0) return NaN;
  // The quantification divides out of the ratio; the offset does not.
  const red = redDn + offset;
  const nir = nirDn + offset;
  const sum = nir + red;
  return sum > 0 ? (nir - red) / sum : NaN;
}
