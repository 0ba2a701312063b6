/** The dry run as a terminal summary: one line of scope, a table per state, totals, sources, warnings. */
import { formatBytes, formatDuration } from '../plan/units.js';
import type { PlanEstimate } from '../dag/plan-estimate.js';
import { bytesAgainst, bytesWithBinary, duration, UNITS_NOTE } from './display-units.js';

export function estimateText(estimate: PlanEstimate): string {
  const { totals, inputs } = estimate;
  const n = (v: number) => v.toLocaleString('en-US');
  const plural = (v: number, word: string) => `${n(v)} ${word}${v === 1 ? '' : 's'}`;
  const out: string[] = [];
  out.push(
    `Plan ${estimate.plan.name}: ${plural(totals.states, 'state')}, ${plural(totals.counties, 'county').replace('countys', 'counties')}, ` +
      `${n(totals.tiles)} MGRS tiles, ${n(totals.distinctItems)} distinct tile items, ${n(totals.itemsMade)} downloaded ` +
      `(${inputs.tileItems.estimated ? 'estimated' : 'listed'}: ${n(inputs.tileItems.perTile)} dates/tile)`,
    '',
  );
  const header = ['state', 'counties', 'tiles', 'items', 'compressed', 'uncompressed', 'seed peak', 'peak', 'preprocess time', 'county time', 'window'];
  const rows = estimate.states.map((s) => [
    `${s.fips} ${s.postal}`, n(s.counties), tilesCell(s.tiles, s.tilesReused, s.tilesNotKept), n(s.items),
    formatBytes(s.compressedBytes), formatBytes(s.uncompressedBytes), formatBytes(s.seedPeakBytes),
    s.needBytes !== undefined ? `${formatBytes(s.needBytes)} !` : bytesAgainst(s.peakBytes, totals.budgetBytes),
    duration(s.preprocessMs), duration(s.countiesMs), `${clock(s.startMs)} - ${clock(s.endMs)}`,
  ]);
  out.push(...table(header, rows, [false, true, true, true, true, true, true, true, true, true, false]), '');
  if (totals.distinctItems !== totals.items) {
    out.push(`Per state, items and peaks count a tile read by two states in both (${n(totals.items)} items summed per state).`);
  }

  const budget = formatBytes(totals.budgetBytes);
  out.push(
    `Peak storage ${bytesAgainst(totals.peakBytes, totals.budgetBytes)} of ${budget} budget (min_free ${formatBytes(totals.minFreeBytes)}); ` +
      `the seed's model (every item of a state, original + converted, at once) needs ${formatBytes(totals.seedPeakBytes)}.`,
    `Downloaded ${formatBytes(totals.downloadedBytes)} (${n(totals.itemsMade)} items${totals.itemsMadeTwice > 0 ? `, ${n(totals.itemsMadeTwice)} of them a second time` : ''}).  Total ${duration(totals.totalMs)}.`,
    `Critical path: ${pathText(totals.criticalPath.map((p) => p.label))}.`,
  );
  if (estimate.orders.length > 1) {
    out.push(`Orders: ${estimate.orders.map((o) => `${o.order}${o.chosen ? ' (this plan)' : ''} ${n(o.itemsMadeTwice)} items made twice, peak ${bytesAgainst(o.peakBytes, totals.budgetBytes)}, ${duration(o.totalMs)}`).join('; ')}.`);
  }
  if (estimate.cost) {
    const c = estimate.cost;
    out.push(`Cost: storage ${c.storageGbMonths} GB-months = ${money(c.storage, c.currency)}, egress ${c.egressGb} GB = ${money(c.egress, c.currency)}, total ${money(c.total, c.currency)}.`);
  }
  const t = inputs.throughput;
  out.push(
    'Where the numbers come from:',
    `  tile items   ${inputs.tileItems.source}`,
    `  tile sizes   from the ${inputs.tileSizes.source}`,
    `  throughput   ${formatBytes(t.downloadBytesPerSecond.value)}/s from ${t.downloadBytesPerSecond.source}; ` +
      `${formatDuration(t.preprocessTimeMs.value)}/item from ${t.preprocessTimeMs.source}; ` +
      `${n(t.parcelRate.value)} parcels/s/batch from ${t.parcelRate.source}`,
    `  parcels      ${inputs.parcels.source}`,
    `  database     ${inputs.database}`,
    `  free space   ${inputs.freeSpace.bytes === null ? '' : `${bytesWithBinary(inputs.freeSpace.bytes)} free; `}${inputs.freeSpace.source}`,
    UNITS_NOTE,
  );
  if (inputs.preprocess === 'when-needed') out.push('Preprocessing assumed needed for every tile (preprocess: when-needed; the streamability probe runs with `biomass run`).');
  if (totals.scheduledWithBytes > totals.budgetBytes) {
    out.push(`The schedule above was simulated with ${formatBytes(totals.scheduledWithBytes)} of storage, the least that lets it finish.`);
  }
  for (const w of estimate.warnings) {
    out.push(`warning  ${w.message}`);
    if (w.hint) out.push(`   ${w.hint}`);
  }
  return out.join('\n') + '\n';
}

/** The refusal as the CLI prints it on stderr (UX.md: say what, say the fix). */
export function refusalText(estimate: PlanEstimate): string {
  if (!estimate.refused) return '';
  return `Plan refused: ${estimate.refused.message}.\n   ${estimate.refused.hint}.\n`;
}

/** "34", "19 (8 kept)": tiles kept from the previous state, and tiles shared with the next but not kept. */
function tilesCell(tiles: number, kept: number, notKept: number): string {
  const notes = [kept > 0 ? `${kept} kept` : '', notKept > 0 ? `${notKept} not kept` : ''].filter(Boolean);
  return notes.length > 0 ? `${tiles.toLocaleString('en-US')} (${notes.join(', ')})` : tiles.toLocaleString('en-US');
}

/** Elapsed time as a schedule clock: "4:50", "3d 04:10". */
export function clock(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = String(minutes % 60).padStart(2, '0');
  return days > 0 ? `${days}d ${String(h).padStart(2, '0')}:${m}` : `${h}:${m}`;
}

function pathText(labels: string[]): string {
  if (labels.length <= 8) return labels.join(' -> ');
  return `${labels.slice(0, 3).join(' -> ')} -> ... ${labels.length - 6} more ... -> ${labels.slice(-3).join(' -> ')}`;
}

function money(value: number, currency: string): string {
  return `${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
}

function table(header: string[], rows: string[][], right: boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
