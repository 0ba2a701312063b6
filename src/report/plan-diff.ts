/** What an edit to a plan changes: states added, removed, reordered; estimates before and after. */
import { formatBytes, formatDuration } from '../plan/units.js';
import { clock } from './estimate-text.js';
import type { PlanEstimate, StateEstimate } from '../dag/plan-estimate.js';

export interface PlanDiff {
  old: { file: string; name: string };
  new: { file: string; name: string };
  added: string[];
  removed: string[];
  /** States in both whose position changed (0-based). */
  moved: Array<{ fips: string; from: number; to: number }>;
  totals: Array<{ key: string; before: number; after: number }>;
  /** States in both whose estimates changed. */
  changed: Array<{ fips: string; postal: string; before: StateEstimate; after: StateEstimate }>;
  refused: { before: string | null; after: string | null };
}

const TOTAL_LABELS: Record<string, string> = {
  states: 'states', counties: 'counties', tiles: 'MGRS tiles', items: 'tile items', itemsMadeTwice: 'items made twice',
  compressedBytes: 'compressed', uncompressedBytes: 'uncompressed', peakBytes: 'peak storage', budgetBytes: 'storage.budget', totalMs: 'total time',
};

const TOTAL_KEYS = ['states', 'counties', 'tiles', 'items', 'itemsMadeTwice', 'compressedBytes', 'uncompressedBytes', 'peakBytes', 'budgetBytes', 'totalMs'] as const;

export function diffEstimates(before: PlanEstimate, after: PlanEstimate): PlanDiff {
  const was = new Map(before.states.map((s) => [s.fips, s]));
  const now = new Map(after.states.map((s) => [s.fips, s]));
  const changed: PlanDiff['changed'] = [];
  const moved: PlanDiff['moved'] = [];
  for (const s of after.states) {
    const old = was.get(s.fips);
    if (!old) continue;
    if (old.position !== s.position) moved.push({ fips: s.fips, from: old.position, to: s.position });
    if (old.items !== s.items || old.peakBytes !== s.peakBytes || old.startMs !== s.startMs || old.endMs !== s.endMs || old.counties !== s.counties) {
      changed.push({ fips: s.fips, postal: s.postal, before: old, after: s });
    }
  }
  return {
    old: { file: before.plan.file, name: before.plan.name },
    new: { file: after.plan.file, name: after.plan.name },
    added: after.states.filter((s) => !was.has(s.fips)).map((s) => s.fips),
    removed: before.states.filter((s) => !now.has(s.fips)).map((s) => s.fips),
    moved,
    totals: TOTAL_KEYS.map((key) => ({ key, before: before.totals[key], after: after.totals[key] })),
    changed,
    refused: { before: before.refused?.message ?? null, after: after.refused?.message ?? null },
  };
}

export function diffText(diff: PlanDiff, before: PlanEstimate, after: PlanEstimate): string {
  const name = (e: PlanEstimate, fips: string) => `${fips} ${[...e.states].find((s) => s.fips === fips)?.postal ?? ''}`.trim();
  const out = [`Plan diff ${diff.old.file} -> ${diff.new.file}`, ''];
  out.push(`States added: ${diff.added.length ? diff.added.map((f) => name(after, f)).join(', ') : 'none'}`);
  out.push(`States removed: ${diff.removed.length ? diff.removed.map((f) => name(before, f)).join(', ') : 'none'}`);
  out.push(`States reordered: ${diff.moved.length ? diff.moved.map((m) => `${name(after, m.fips)} ${m.from + 1} -> ${m.to + 1}`).join(', ') : 'none'}`);
  out.push('');
  const fmt = (key: string, v: number) => (key.endsWith('Bytes') ? formatBytes(v) : key.endsWith('Ms') ? formatDuration(v) : v.toLocaleString('en-US'));
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
      out.push(`  ${c.fips} ${c.postal}  items ${c.before.items.toLocaleString('en-US')} -> ${c.after.items.toLocaleString('en-US')}, peak ${formatBytes(c.before.peakBytes)} -> ${formatBytes(c.after.peakBytes)}, window ${clock(c.before.startMs)}-${clock(c.before.endMs)} -> ${clock(c.after.startMs)}-${clock(c.after.endMs)}`);
    }
  }
  if (diff.refused.before !== diff.refused.after) {
    out.push('', `Refused before: ${diff.refused.before ?? 'no'}`, `Refused after: ${diff.refused.after ?? 'no'}`);
  }
  return out.join('\n') + '\n';
}
