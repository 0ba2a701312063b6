/**
 * What an edit to a plan is, key by key (issue 13 items 5 and 6): every key whose value
 * differs between two compiled plans, named as the plan writes it, with what the edit implies
 * must rerun. Pure; stored-reruns.ts adds which states and counties that is, from the plan's
 * database when it is reachable.
 */
import type { Plan } from '../plan/plan.js';
import { formatBytes, formatDuration } from '../plan/units.js';

/** What an edit makes stale of what earlier runs stored. */
export type RerunKind = 'index' | 'preprocess' | 'outputs' | 'everything' | 'new-work' | 'nothing';

export interface PlanEdit {
  /** The plan key as written: `processing.batch_size`, `sources.tiles.bands`. */
  key: string;
  before: string;
  after: string;
  rerun: RerunKind;
  /** Filled by the diff: the estimate figures this edit alone changes, or 'no effect on estimates'. */
  effect?: string;
}

/** Compiled field paths whose plan key is not the mechanical snake_case of the path. */
const KEY_NAMES: Record<string, string> = {
  'tiles': 'sources.tiles',
  'parcels': 'sources.parcels',
  'forestry': 'sources.forestry',
  'storage.budgetBytes': 'storage.budget',
  'storage.minFreeBytes': 'storage.min_free',
  'storage.tileSize.compressedBytes': 'storage.tile_size.compressed',
  'storage.tileSize.uncompressedBytes': 'storage.tile_size.uncompressed',
  'estimates.downloadBytesPerSecond': 'estimates.download_rate',
  'tiles.revisitDays': 'sources.tiles.revisit_days',
  'http.chunkSizeBytes': 'http.chunk_size',
  'cache.maxBytes': 'cache.max_bytes',
};

/** Derived fields: they change only with a key that is already listed. */
const DERIVED = new Set(['file', 'unresolved', 'tiles.kind', 'tiles.container', 'tiles.prefix', 'database.embeddedDir', 'database.forestryUrl']);

/** Values never printed (they may hold credentials). */
const SECRET = /connection|sasToken|url$|Url$/;
/** A value that carries a password (`PG:... password=x`, `scheme://user:secret@host`) is not printed either. */
const CREDENTIAL_IN_VALUE = /password=|:\/\/[^/@\s]+:[^/@\s]+@/i;

/**
 * What each key's edit makes stale, first match wins. Tiles: the stored index is made from
 * the tile source, bands and season (indexFingerprint), and the converted tiles and the
 * outputs from that index. Outputs: the model, coverage and composite rules, and the parcels.
 */
const RERUN_RULES: ReadonlyArray<[RegExp, RerunKind]> = [
  [/^name$/, 'everything'],
  [/^season\.|^tiles\.(uri|account|layout|bands|revisitDays)$/, 'index'],
  [/^preprocess\.(compression|blockSize)$|^tiles\.preprocess$/, 'preprocess'],
  [/^processing\.(coverage|composite)$|^forestry\.|^parcels\./, 'outputs'],
  [/^rollout\.(states|counties)$/, 'new-work'],
];

/** Keys that cannot move an estimate (the dry run reads none of them), so no dry run is needed to say so. */
const NO_ESTIMATE_EFFECT = /^(name|description|tiles\.(uri|account|layout|bands|connection|sasToken)|preprocess\.(compression|blockSize|verify)|cache\.|http\.|processing\.(coverage|composite|workers)|forestry\.|parcels\.(layer|countyField|idField)|database\.(url|backup|pool\.(connectTimeoutMs|idleTimeoutMs|statementTimeoutMs|healthCheckIntervalMs|retry)))/;

export const RERUN_TEXT: Record<RerunKind, string> = {
  index: 're-index and re-preprocess the states\' tiles, then recompute their counties\' outputs',
  preprocess: 're-preprocess tiles not converted yet; finished outputs stay',
  outputs: 'recompute the counties\' outputs; the tile index and converted tiles stay',
  everything: 'a new plan name starts from nothing: runs are recorded under the plan\'s name',
  'new-work': 'states or counties added run; the others keep what they have',
  nothing: 'nothing reruns',
};

/** Every key whose compiled value differs, in plan order. */
export function planEdits(before: Plan, after: Plan): PlanEdit[] {
  const was = flatten(before);
  const now = flatten(after);
  const edits: PlanEdit[] = [];
  for (const path of new Set([...was.keys(), ...now.keys()])) {
    if (DERIVED.has(path) || [...DERIVED].some((d) => path.startsWith(`${d}.`))) continue;
    const a = was.get(path);
    const b = now.get(path);
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const secret = SECRET.test(path) || [a, b].some((v) => typeof v === 'string' && CREDENTIAL_IN_VALUE.test(v));
    edits.push({
      key: keyName(path),
      before: secret ? '(not shown)' : show(path, a),
      after: secret ? '(changed, not shown)' : show(path, b),
      rerun: RERUN_RULES.find(([pattern]) => pattern.test(path))?.[1] ?? 'nothing',
      ...(NO_ESTIMATE_EFFECT.test(path) ? { effect: 'no effect on estimates' } : {}),
    });
  }
  return edits;
}

/** The compiled plan with one edit applied: how the diff measures that edit's effect alone. */
export function withEdit(before: Plan, after: Plan, key: string): Plan {
  const copy = structuredClone(before);
  for (const path of new Set([...flatten(before).keys(), ...flatten(after).keys()])) {
    if (keyName(path) !== key) continue;
    const parts = path.split('.');
    let target: Record<string, unknown> = copy as unknown as Record<string, unknown>;
    let source: Record<string, unknown> = after as unknown as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) {
      target = target[part] as Record<string, unknown>;
      source = source[part] as Record<string, unknown>;
    }
    target[parts[parts.length - 1]!] = structuredClone(source[parts[parts.length - 1]!]);
  }
  return copy;
}

/** Leaves of the compiled plan by dotted path; arrays are leaves. */
function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** `processing.batchSize` -> `processing.batch_size`; `tiles.bands` -> `sources.tiles.bands`. */
export function keyName(path: string): string {
  if (KEY_NAMES[path]) return KEY_NAMES[path]!;
  const parts = path.split('.');
  const head = KEY_NAMES[parts[0]!] ?? parts[0]!;
  const rest = parts.slice(1).map((p) => p.replace(/(Bytes|Ms)$/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  return [head, ...rest].join('.');
}

function show(path: string, value: unknown): string {
  if (value === undefined) return '(not set)';
  if (typeof value === 'number' && /Bytes$/.test(path)) return formatBytes(value);
  if (typeof value === 'number' && /BytesPerSecond$/.test(path)) return `${formatBytes(value)}/s`;
  if (typeof value === 'number' && /Ms$/.test(path)) return formatDuration(value);
  return Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
}
