import { BiomassError } from '../biomass-error.js';

// Decimal units as storage vendors and the users' plan use them (1,200 x 250 MB = 300 GB);
// binary units when written explicitly (GiB).
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, pb: 1e15,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, pib: 2 ** 50,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000,
};

/** Pattern used by the schema for sizes: a number and a unit, e.g. "250MB", "1.5TB", "512KiB". */
export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgGtTpP][iI]?[bB]|[bB])\\s*$';
/** Pattern used by the schema for durations: "500ms", "30s", "1h30m", "2d". */
export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*)+$';

/** Parses a human size ("250MB", "1.5TB") to bytes. Numbers are taken as bytes. */
export function parseSize(text: string | number): number {
  if (typeof text === 'number') return text;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(text);
  const unit = match?.[2]?.toLowerCase();
  const factor = unit === undefined ? undefined : SIZE_UNITS[unit];
  if (!match || factor === undefined) {
    throw new BiomassError('BAD_SIZE', `"${text}" is not a size`, {
      hint: 'write a number and a unit, e.g. "250MB", "1.5TB" or "512MiB"',
      exitCode: 2,
    });
  }
  return Math.round(Number(match[1]) * factor);
}

/** Parses a human duration ("30s", "500ms", "1h30m") to milliseconds. Numbers are ms. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return text;
  const part = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy;
  const trimmed = text.trim();
  let total = 0;
  let consumed = 0;
  let matched = false;
  for (let m = part.exec(trimmed); m; m = part.exec(trimmed)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    consumed = part.lastIndex;
    matched = true;
    while (trimmed[part.lastIndex] === ' ') part.lastIndex++;
  }
  if (!matched || consumed !== trimmed.length) {
    throw new BiomassError('BAD_DURATION', `"${text}" is not a duration`, {
      hint: 'write a number and a unit (ms, s, m, h, d), e.g. "30s", "500ms" or "1h30m"',
      exitCode: 2,
    });
  }
  return Math.round(total);
}

/** Formats bytes with decimal units, as the plan writes them: 1.05 TB, 262.5 GB. */
export function formatBytes(bytes: number): string {
  return scaledBytes(bytes, 1000, ['B', 'KB', 'MB', 'GB', 'TB', 'PB']);
}

/** Formats bytes with binary units, as `df -h` counts them: 75.5 GiB. */
export function formatBinaryBytes(bytes: number): string {
  return scaledBytes(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']);
}

function scaledBytes(bytes: number, base: number, units: readonly string[]): string {
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= base && i < units.length - 1) {
    value /= base;
    i++;
  }
  const digits = i === 0 || Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${Number(value.toFixed(digits))} ${units[i]}`;
}

/** Formats milliseconds as "4h 50m", "3m 10s", "850ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}
