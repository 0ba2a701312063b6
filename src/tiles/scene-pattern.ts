/**
 * The synthetic landscape of generated scenes, as pure functions of UTM position and date:
 * fields of land cover (crop, grass, forest, water, built-up) on a ~1 km grid, a seasonal
 * NDVI curve per cover, and clouds on a share of dates. Everything is a hash of position,
 * zone and date, so two tiles that overlap (the 9.8 km margins) agree pixel for pixel, and
 * the same call always makes the same scene.
 */

/** Land cover classes of the pattern. */
export const Cover = { Water: 0, Built: 1, Forest: 2, Grass: 3, Crop: 4 } as const;
export type Cover = (typeof Cover)[keyof typeof Cover];

/** SCL classes used (ESA L2A scene classification). */
export const SCL = { shadow: 3, vegetation: 4, notVegetated: 5, water: 6, cloudMedium: 8, cloudHigh: 9, cirrus: 10 } as const;

const FIELD_M = 960;
const CLOUD_CELL_M = 20_000;
/** The grain of the texture within a field: one draw per 10 m cell. */
const GRAIN_M = 10;
/** Relative spread of the texture (±): real 10 m reflectances vary this much within a field. */
const GRAIN = 0.06;

/** A deterministic hash of up to four integers to [0, 1). */
export function hash01(a: number, b: number, c = 0, d = 0): number {
  let h = 0x811c9dc5 ^ Math.imul(a | 0, 0x27d4eb2d);
  h = Math.imul(h ^ (b | 0), 0x165667b1);
  h = Math.imul(h ^ (c | 0), 0x9e3779b1);
  h = Math.imul(h ^ (d | 0), 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
}

/** The land cover of the field holding UTM point (x, y). */
export function coverAt(x: number, y: number, seed: number): Cover {
  const fx = Math.floor(x / FIELD_M);
  const fy = Math.floor(y / FIELD_M);
  // Rivers: a meandering band every ~40 km keeps water in long lines, not salt and pepper.
  const river = Math.abs(((y + 6_000 * Math.sin(x / 9_000)) % 40_000 + 40_000) % 40_000 - 20_000);
  if (river < 350) return Cover.Water;
  const r = hash01(fx, fy, seed, 1);
  if (r < 0.03) return Cover.Water;
  if (r < 0.10) return Cover.Built;
  if (r < 0.33) return Cover.Forest;
  if (r < 0.53) return Cover.Grass;
  return Cover.Crop;
}

/** Greenness in [0, 1] of a cover on a day of the year (northern temperate phenology). */
export function greenness(cover: Cover, dayOfYear: number): number {
  const bell = (peak: number, width: number) => Math.exp(-(((dayOfYear - peak) / width) ** 2));
  switch (cover) {
    case Cover.Crop: return bell(200, 38); // maize/soy: planted May, peak late July
    case Cover.Grass: return 0.25 + 0.75 * bell(160, 60);
    case Cover.Forest: return 1 / (1 + Math.exp(-(dayOfYear - 125) / 9)) / (1 + Math.exp((dayOfYear - 290) / 12));
    default: return 0;
  }
}

/** NDVI of a cover at a date, with a small per-field offset so fields differ. */
export function ndviAt(cover: Cover, dayOfYear: number, fieldJitter: number): number {
  const g = greenness(cover, dayOfYear);
  switch (cover) {
    case Cover.Water: return -0.3 + 0.1 * fieldJitter;
    case Cover.Built: return 0.08 + 0.08 * fieldJitter;
    case Cover.Forest: return 0.35 + 0.5 * g + 0.05 * fieldJitter;
    case Cover.Grass: return 0.2 + 0.45 * g + 0.05 * fieldJitter;
    case Cover.Crop: return 0.12 + 0.75 * g + 0.05 * fieldJitter;
  }
}

/** Cloud state of a point: 0 clear, else an SCL cloud or shadow class. */
export function cloudAt(x: number, y: number, zone: number, dateIndex: number, cloudy: boolean): number {
  if (!cloudy) return 0;
  const cx = Math.floor(x / CLOUD_CELL_M);
  const cy = Math.floor(y / CLOUD_CELL_M);
  let shadow = false;
  for (let i = cx - 1; i <= cx + 1; i++) {
    for (let j = cy - 1; j <= cy + 1; j++) {
      if (hash01(i, j, zone, dateIndex) > 0.45) continue;
      const px = (i + hash01(i, j, dateIndex, 7)) * CLOUD_CELL_M;
      const py = (j + hash01(i, j, dateIndex, 8)) * CLOUD_CELL_M;
      const radius = 3_000 + 6_000 * hash01(i, j, dateIndex, 9);
      const d = Math.hypot(x - px, y - py) / radius;
      if (d < 0.6) return SCL.cloudHigh;
      if (d < 0.85) return SCL.cloudMedium;
      if (d < 1) return SCL.cirrus;
      // The sun is in the south-east in the morning pass: shadows fall north-west.
      if (Math.hypot(x - (px - 2_500), y - (py + 2_500)) / radius < 0.9) shadow = true;
    }
  }
  return shadow ? SCL.shadow : 0;
}

/** Surface reflectances (red, nir) and the SCL class of a point on a date. */
export function pixelAt(
  x: number, y: number, zone: number, seed: number, dayOfYear: number, dateIndex: number, cloudy: boolean,
): { red: number; nir: number; scl: number } {
  const cover = coverAt(x, y, seed);
  const jitter = hash01(Math.floor(x / FIELD_M), Math.floor(y / FIELD_M), seed, 2) * 2 - 1;
  const ndvi = ndviAt(cover, dayOfYear, jitter);
  // Red falls as vegetation greens; NIR follows from NDVI = (nir - red) / (nir + red).
  const red = cover === Cover.Water ? 0.03 : cover === Cover.Built ? 0.13 + 0.03 * jitter : Math.max(0.02, 0.13 - 0.12 * Math.max(0, ndvi));
  const nir = (red * (1 + ndvi)) / (1 - ndvi);
  // Texture: each 10 m cell varies around its field's value, as real fields do (so DEFLATE
  // compresses the bands about as much as real ones, not to almost nothing).
  const gx = Math.floor(x / GRAIN_M), gy = Math.floor(y / GRAIN_M);
  const redGrain = 1 + GRAIN * (2 * hash01(gx, gy, seed, 4) - 1);
  const nirGrain = 1 + GRAIN * (2 * hash01(gx, gy, seed, 5) - 1);
  const cloud = cloudAt(x, y, zone, dateIndex, cloudy);
  if (cloud === SCL.cloudHigh || cloud === SCL.cloudMedium) {
    const brightness = cloud === SCL.cloudHigh ? 0.5 : 0.35;
    return { red: brightness * redGrain, nir: brightness * 1.08 * nirGrain, scl: cloud };
  }
  if (cloud === SCL.cirrus) return { red: (red + 0.08) * redGrain, nir: (nir + 0.08) * nirGrain, scl: cloud };
  if (cloud === SCL.shadow) return { red: red * 0.35 * redGrain, nir: nir * 0.35 * nirGrain, scl: cloud };
  const scl = cover === Cover.Water ? SCL.water : ndvi >= 0.35 ? SCL.vegetation : SCL.notVegetated;
  return { red: red * redGrain, nir: nir * nirGrain, scl };
}

/** Reflectance as an L2A digital number: reflectance x 10,000; 0 is kept for no data. */
export function toDigitalNumber(reflectance: number): number {
  return Math.min(65_535, Math.max(1, Math.round(reflectance * 10_000)));
}
