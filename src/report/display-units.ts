/**
 * Sizes and durations as the dry run shows them (issue 13 items 8 and 9). Sizes are decimal
 * (1 GB = 10^9 bytes), as the plan's sizes are; `df -h` shows binary units (1 GiB = 2^30 bytes
 * = 1.074 GB), so figures a user compares with `df` are shown in both. Durations round to the
 * nearest minute everywhere, the same rule as the schedule's clock, so a window ending 12:18
 * sits beside a total of 12h 18m.
 */
import { formatBinaryBytes, formatBytes, formatDuration } from '../plan/units.js';

/** Said once in the output and in docs/dry-run.md. */
export const UNITS_NOTE = 'Sizes are decimal (1 GB = 10^9 bytes, 1 TB = 10^12); `df -h` shows binary units (1 GiB = 1.074 GB, 1 TiB = 1.100 TB).';

/** "81.1 GB (75.5 GiB)": a size beside its binary form, for figures compared with `df -h`. */
export function bytesWithBinary(bytes: number): string {
  return `${formatBytes(bytes)} (${formatBinaryBytes(bytes)})`;
}

/**
 * A size shown beside a limit it is checked against: with as many more digits as it takes for
 * the two to read differently when they differ, so a 2.495 TB peak reads "2.495 TB", never
 * "2.5 TB", against a 2.5 TB budget.
 */
export function bytesAgainst(bytes: number, limit: number): string {
  const plain = formatBytes(bytes);
  if (bytes === limit || plain !== formatBytes(limit)) return plain;
  const exponent = Math.max(0, Math.min(5, Math.floor(Math.log10(Math.max(1, Math.abs(bytes))) / 3)));
  const unit = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'][exponent]!;
  const value = bytes / 1000 ** exponent;
  for (let digits = 1; digits <= 9; digits++) {
    const scale = 10 ** digits;
    const shown = Math.round(value * scale) / scale;
    const limitShown = Math.round((limit / 1000 ** exponent) * scale) / scale;
    if (shown !== limitShown) return `${shown} ${unit}`;
  }
  return `${bytes} B`;
}

/** A duration rounded to the nearest minute: "12h 18m", "1d 19h 42m"; under a minute, seconds. */
export function duration(ms: number): string {
  if (ms < 60_000) return formatDuration(ms);
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m`;
}
