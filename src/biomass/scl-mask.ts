/**
 * The cloud mask: Sentinel-2 L2A scene classification (SCL) classes whose pixels are left
 * out. The plan's processing.scl_mask lists them; by default 0 no data, 1 saturated or
 * defective, 3 cloud shadow, 8 and 9 cloud (medium, high probability), 10 thin cirrus and
 * 11 snow or ice.
 */
export const DEFAULT_SCL_MASK: readonly number[] = [0, 1, 3, 8, 9, 10, 11];

/** A 256-entry lookup table: 1 where the class is masked out. */
export function sclMaskTable(classes: readonly number[] = DEFAULT_SCL_MASK): Uint8Array {
  const table = new Uint8Array(256);
  for (const c of classes) if (Number.isInteger(c) && c >= 0 && c < 256) table[c] = 1;
  return table;
}
