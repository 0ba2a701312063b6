/**
 * What an edit to a plan changes: every edited key with its effect on the estimates (or "no
 * effect on estimates") and what must rerun; states added, removed, reordered; estimates
 * before and after, downloads included.
 */
import { formatBytes } from '../plan/units.js';
import { clock } from './estimate-text.js';
import { duration } from './display-units.js';
import type { PlanEstimate, StateEstimate } from '../dag/plan-estimate.js';
import type { StoredWork } from '../dag/stored-work.js';
import { RERUN_TEXT, type PlanEdit } from './plan-edits.js';

export interface PlanDiff {
  old: { file: string; name: string };
  new: { file: string; name: string };
  /** Every key whose value differs, with its effect and what it makes rerun. */
  edits: Array<PlanEdit & { effect: string; reruns: string }>;
  added: string[];
  removed: string[];
  /** States in both whose position changed (0-based). */
  moved: Array<{ fips: string; from: number; to: number }>;
  totals: Array<{ key: string; before: number; after: number }>;
  /** States in both whose estimates changed. */
  changed: Array<{ fips: string; postal: string; before: StateEstimate; after: StateEstimate }>;
  refused: { before: string | null; after: string | null };
  /** Where "what must rerun" came from: the stored runs, or why they were not read. */
  stored: string;
}

const TOTAL_LABELS: Record<string, string> = {
  states: 'states', counties: 'counties', tiles: 'MGRS tiles', distinctItems: 'distinct tile items', items: 'items summed per state',
  itemsMade: 'items downloaded', itemsMadeTwice: 'items made twice', compressedBytes: 'compressed', uncompressedBytes: 'uncompressed',
  downloadedBytes: 'downloaded', peakBytes: 'peak storage', budgetBytes: 'storage.budget', totalMs: 'total time',
};

const TOTAL_KEYS = [
  'states', 'counties', 'tiles', 'distinctItems', 'items', 'itemsMade', 'itemsMadeTwice', 'compressedBytes', 'uncompressedBytes',
  'downloadedBytes', 'peakBytes', 'budgetBytes', 'totalMs',
] as const;

/** What the diff knows of each edit: its estimate effect when measured alone, and what is stored. */
export interface DiffContext {
  edits?: PlanEdit[];
  /** The estimate of the old plan with one edit applied, to measure that edit alone. */
  estimateWith?: (edit: PlanEdit) => PlanEstimate;
  stored?: StoredWork | { unreadable: string };
  /** The index fingerprint of the new plan (indexFingerprint), to tell stale stored indexes. */
  fingerprint?: string;
}

export function diffEstimates(before: PlanEstimate, after: PlanEstimate, context: DiffContext = {}): PlanDiff {
  const was = new Map(before.states.map((s) => [s.fips, s]));
  const now = new Map(after.states.map((s) => [s.fips, s]));
  const changed: PlanDiff['changed'] = [];
  const moved: PlanDiff['moved'] = [];
  for (const s of after.states) {
    const old = was.get(s.fips);
    if (!old) continue;
    if (old.position !== s.position) moved.push({ fips: s.fips, from: old.position, to: s.position });
    if (old.items !== s.items || old.itemsMade !== s.itemsMade || old.peakBytes !== s.peakBytes || old.startMs !== s.startMs || old.endMs !== s.endMs || old.counties !== s.counties) {
      changed.push({ fips: s.fips, postal: s.postal, before: old, after: s });
    }
  }
  const added = after.states.filter((s) => !was.has(s.fips)).map((s) => s.fips);
  const edits = context.edits ?? [];
  const measured = edits.filter((e) => e.effect === undefined);
  return {
    old: { file: before.plan.file, name: before.plan.name },
    new: { file: after.plan.file, name: after.plan.name },
    edits: edits.map((e) => ({
      ...e,
      // One edit that may move estimates: the whole diff is its effect; several: each measured alone.
      effect: e.effect ?? effectText(before, measured.length === 1 || !context.estimateWith ? after : context.estimateWith(e)),
      reruns: rerunText(e, after, added, context),
    })),
    added,
    removed: before.states.filter((s) => !now.has(s.fips)).map((s) => s.fips),
    moved,
    totals: TOTAL_KEYS.map((key) => ({ key, before: before.totals[key], after: after.totals[key] })),
    changed,
    refused: { before: before.refused?.message ?? null, after: after.refused?.message ?? null },
    stored: !context.stored ? 'not read' : 'unreadable' in context.stored ? `not read (${context.stored.unreadable})` : context.stored.source,
  };
}

function fmt(key: string, v: number): string {
  return key.endsWith('Bytes') ? formatBytes(v) : key.endsWith('Ms') ? duration(v) : v.toLocaleString('en-US');
}

/** "peak storage 281 GB -> 300 GB, total time 6h 0m -> 5h 12m", or "no effect on estimates". */
function effectText(before: PlanEstimate, after: PlanEstimate): string {
  const moved = TOTAL_KEYS.filter((k) => k !== 'budgetBytes' && before.totals[k] !== after.totals[k])
    .map((k) => `${TOTAL_LABELS[k]} ${fmt(k, before.totals[k])} -> ${fmt(k, after.totals[k])}`);
  if ((before.refused === null) !== (after.refused === null)) moved.push(after.refused ? 'the plan is refused' : 'the plan is no longer refused');
  return moved.length > 0 ? moved.join(', ') : 'no effect on estimates';
}

/** What the edit makes rerun, from the stored runs when they were read. */
function rerunText(edit: PlanEdit, after: PlanEstimate, added: string[], context: DiffContext): string {
  const kind = RERUN_TEXT[edit.rerun];
  if (edit.rerun === 'nothing') return kind;
  if (edit.rerun === 'new-work') return added.length > 0 ? `${kind} (${added.join(', ')} new)` : kind;
  const stored = context.stored;
  if (!stored || 'unreadable' in stored) return `${kind} (stored runs not read${stored ? `: ${stored.unreadable}` : ''})`;
  const states = new Set(after.states.map((s) => s.fips));
  const counties = [...stored.outputs.keys()].filter((c) => states.has(c.slice(0, 2)));
  const list = (items: string[]) => (items.length > 8 ? `${items.slice(0, 8).join(', ')} and ${items.length - 8} more` : items.join(', '));
  if (edit.rerun === 'index') {
    const stale = stored.indexed.filter((s) => states.has(s.fips) && s.fingerprint !== context.fingerprint).map((s) => s.fips);
    const parts = [stale.length > 0 ? `re-index ${list(stale)} (stored index made from other tiles, bands or season)` : 'no stored index to redo'];
    const outputs = counties.filter((c) => stale.includes(c.slice(0, 2)) || stale.length === 0);
    if (outputs.length > 0) parts.push(`recompute ${outputs.length} count${outputs.length === 1 ? 'y' : 'ies'} with stored outputs (${list(outputs)})`);
    return `${parts.join('; ')}; then re-preprocess their tiles`;
  }
  if (edit.rerun === 'outputs' || edit.rerun === 'everything') {
    return counties.length > 0
      ? `${kind}: ${counties.length} count${counties.length === 1 ? 'y has' : 'ies have'} stored outputs (${list(counties)})`
      : `${kind}; nothing is stored yet for plan ${after.plan.name}`;
  }
  return kind;
}

export function diffText(diff: PlanDiff, before: PlanEstimate, after: PlanEstimate): string {
  const name = (e: PlanEstimate, fips: string) => `${fips} ${[...e.states].find((s) => s.fips === fips)?.postal ?? ''}`.trim();
  const out = [`Plan diff ${diff.old.file} -> ${diff.new.file}`, ''];
  if (diff.edits.length === 0) out.push('Keys edited: none');
  else {
    out.push(`Keys edited (what must rerun from stored runs: ${diff.stored}):`);
    for (const e of diff.edits) {
      out.push(`  ${e.key}: ${e.before} -> ${e.after}`, `     estimates: ${e.effect}`, `     reruns: ${e.reruns}`);
    }
  }
  out.push('');
  out.push(`States added: ${diff.added.length ? diff.added.map((f) => name(after, f)).join(', ') : 'none'}`);
  out.push(`States removed: ${diff.removed.length ? diff.removed.map((f) => name(before, f)).join(', ') : 'none'}`);
  out.push(`States reordered: ${diff.moved.length ? diff.moved.map((m) => `${name(after, m.fips)} ${m.from + 1} -> ${m.to + 1}`).join(', ') : 'none'}`);
  out.push('');
  const delta = (key: string, a: number, b: number) => {
    if (a === b) return '';
    const sign = b > a ? '+' : '-';
    return `${sign}${fmt(key, Math.abs(b - a))}`;
  };
  const rows = diff.totals.map((t) => [TOTAL_LABELS[t.key] ?? t.key, fmt(t.key, t.before), fmt(t.key, t.after), delta(t.key, t.before, t.after)]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[['', 'before', 'after', 'change'], ...rows].map((r) => r[i]!.length)));
  for (const r of [['', 'before', 'after', 'change'], ...rows]) out.push(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  if (diff.changed.length > 0) {
    out.push('', 'Changed states:');
    for (const c of diff.changed) {
      out.push(`  ${c.fips} ${c.postal}  items ${c.before.items.toLocaleString('en-US')} -> ${c.after.items.toLocaleString('en-US')}, downloaded ${c.before.itemsMade.toLocaleString('en-US')} -> ${c.after.itemsMade.toLocaleString('en-US')}, peak ${formatBytes(c.before.peakBytes)} -> ${formatBytes(c.after.peakBytes)}, window ${clock(c.before.startMs)}-${clock(c.before.endMs)} -> ${clock(c.after.startMs)}-${clock(c.after.endMs)}`);
    }
  }
  if (diff.refused.before !== diff.refused.after) {
    out.push('', `Refused before: ${diff.refused.before ?? 'no'}`, `Refused after: ${diff.refused.after ?? 'no'}`);
  }
  return out.join('\n') + '\n';
}
