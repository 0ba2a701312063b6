/**
 * `biomass plan --report FILE.html`: one self-contained page (inline CSS and SVG, no
 * scripts, nothing fetched): the US map coloured by rollout order and by peak storage, a
 * Gantt chart of the simulated schedule, the storage curve against the budget, the table.
 */
import type { Geometry } from 'geojson';
import { formatBytes } from '../plan/units.js';
import { bytesAgainst, duration, UNITS_NOTE } from './display-units.js';
import type { DryRun } from '../dag/dry-run.js';
import { clock, estimateText } from './estimate-text.js';
import type { PlanEstimate } from '../dag/plan-estimate.js';
import { escapeXml, usMapSvg, type MapShape } from './us-map-svg.js';

/** The page; `outlines` are lon/lat state outlines by FIPS (states outside the plan are drawn grey). */
export function estimateReport(run: DryRun, outlines: ReadonlyMap<string, Geometry>): string {
  const { estimate } = run;
  const inPlan = new Map(estimate.states.map((s) => [s.fips, s]));
  const count = Math.max(1, estimate.states.length - 1);
  const maxPeak = Math.max(estimate.totals.budgetBytes, ...estimate.states.map((s) => s.needBytes ?? s.peakBytes));
  const shapes = (fill: (fips: string) => string, title: (fips: string) => string): MapShape[] =>
    [...outlines].map(([fips, geometry]) => (inPlan.has(fips) ? { fips, geometry, fill: fill(fips), title: title(fips) } : { fips, geometry, title: `${fips} (not in this plan)` }));
  const describe = (fips: string) => {
    const s = inPlan.get(fips)!;
    return `${s.fips} ${s.postal} ${s.name}: #${s.position + 1}, peak ${formatBytes(s.needBytes ?? s.peakBytes)}, ${clock(s.startMs)} - ${clock(s.endMs)}`;
  };
  const orderMap = usMapSvg(shapes((f) => ramp(inPlan.get(f)!.position / count, 210), describe), { id: 'map-order', label: 'States coloured by rollout order' });
  const peakMap = usMapSvg(
    shapes((f) => {
      const s = inPlan.get(f)!;
      const peak = s.needBytes ?? s.peakBytes;
      return peak > estimate.totals.budgetBytes ? '#c0392b' : ramp(peak / maxPeak, 25);
    }, describe),
    { id: 'map-peak', label: 'States coloured by peak storage' },
  );
  const title = `biomass plan: ${estimate.plan.name}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.maps{display:flex;gap:16px;flex-wrap:wrap}.maps figure{flex:1 1 500px;margin:0}
svg.map{width:100%;height:auto;background:#f7fbff;border:1px solid #ddd}
svg.map path{stroke:#fff;stroke-width:0.6}
.refused{background:#fdecea;border:1px solid #c0392b;padding:8px 12px}
.warning{background:#fff8e1;border:1px solid #e0b000;padding:6px 12px;margin:6px 0}
pre{background:#f6f6f6;padding:12px;overflow-x:auto;font-size:12px}
.legend{font-size:12px;color:#555}
</style></head><body>
<h1>${escapeXml(title)}</h1>
<p>${escapeXml(estimate.plan.file)}: ${estimate.totals.states} states, ${estimate.totals.counties.toLocaleString('en-US')} counties, ${estimate.totals.tiles.toLocaleString('en-US')} MGRS tiles, ${estimate.totals.distinctItems.toLocaleString('en-US')} distinct tile items, ${estimate.totals.itemsMade.toLocaleString('en-US')} downloaded. Peak ${bytesAgainst(estimate.totals.peakBytes, estimate.totals.budgetBytes)} of ${formatBytes(estimate.totals.budgetBytes)} budget; total ${duration(estimate.totals.totalMs)}. ${escapeXml(UNITS_NOTE)}</p>
${estimate.refused ? `<p class="refused"><strong>Plan refused:</strong> ${escapeXml(estimate.refused.message)}.<br>${escapeXml(estimate.refused.hint)}.</p>` : ''}
${estimate.warnings.map((w) => `<p class="warning">${escapeXml(w.message)}${w.hint ? `<br><em>${escapeXml(w.hint)}</em>` : ''}</p>`).join('\n')}
<h2>Rollout order and peak storage</h2>
<div class="maps"><figure>${orderMap}<figcaption class="legend">Rollout order: light = first, dark = last (order: ${estimate.order.strategy}).</figcaption></figure>
<figure>${peakMap}<figcaption class="legend">Peak storage of each state: light = little, dark = near ${formatBytes(maxPeak)}; red = above the budget.</figcaption></figure></div>
<h2>Simulated schedule</h2>
${ganttSvg(estimate)}
<p class="legend">Per state: the whole window (light), preprocessing (dark blue), county processing (green).</p>
<h2>Storage over time</h2>
${storageSvg(run, estimate)}
<p class="legend">Bytes under storage.dir in the simulated schedule (blue); storage.budget (red dashed)${estimate.totals.scheduledWithBytes > estimate.totals.budgetBytes ? '; the schedule was simulated with the least budget that lets it finish (grey dashed)' : ''}.</p>
<h2>Summary</h2>
<pre>${escapeXml(estimateText(estimate))}</pre>
</body></html>
`;
}

/** A colour from light to dark along one hue; t in [0, 1]. */
function ramp(t: number, hue: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  return `hsl(${hue}, 70%, ${Math.round(88 - clamped * 58)}%)`;
}

function ganttSvg(estimate: PlanEstimate): string {
  const row = 16;
  const left = 70;
  const width = 1100;
  const total = Math.max(1, estimate.totals.totalMs);
  const plot = width - left - 10;
  const x = (ms: number) => left + (ms / total) * plot;
  const height = estimate.states.length * row + 30;
  const bars = estimate.states.map((s, i) => {
    const y = i * row + 4;
    const prepEnd = s.startMs + s.preprocessMs;
    return `<g class="gantt-row"><text x="4" y="${y + 11}" font-size="11">${escapeXml(`${s.fips} ${s.postal}`)}</text>` +
      `<rect x="${x(s.startMs).toFixed(1)}" y="${y}" width="${Math.max(1, x(s.endMs) - x(s.startMs)).toFixed(1)}" height="${row - 4}" fill="#dbe9f6"><title>${escapeXml(`${s.postal}: ${clock(s.startMs)} - ${clock(s.endMs)}`)}</title></rect>` +
      (s.preprocessMs > 0 ? `<rect x="${x(s.startMs).toFixed(1)}" y="${y + 2}" width="${Math.max(1, x(prepEnd) - x(s.startMs)).toFixed(1)}" height="${(row - 8) / 2}" fill="#2c6fb0"><title>preprocess ${duration(s.preprocessMs)}</title></rect>` : '') +
      `<rect x="${x(s.endMs - s.countiesMs).toFixed(1)}" y="${y + 2 + (row - 8) / 2}" width="${Math.max(1, x(s.endMs) - x(s.endMs - s.countiesMs)).toFixed(1)}" height="${(row - 8) / 2}" fill="#3a9d5d"><title>counties ${duration(s.countiesMs)}</title></rect></g>`;
  });
  const ticks = axisTicks(total).map((t) => `<g><line x1="${x(t)}" x2="${x(t)}" y1="0" y2="${height - 24}" stroke="#eee"/><text x="${x(t)}" y="${height - 8}" font-size="10" text-anchor="middle">${clock(t)}</text></g>`);
  return `<svg class="gantt" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">${ticks.join('')}${bars.join('')}</svg>`;
}

function storageSvg(run: DryRun, estimate: PlanEstimate): string {
  const width = 1100;
  const height = 260;
  const [left, top, bottom] = [70, 10, 30];
  const total = Math.max(1, estimate.totals.totalMs);
  const yMax = Math.max(estimate.totals.budgetBytes, estimate.totals.scheduledWithBytes, estimate.totals.peakBytes) * 1.1;
  const x = (ms: number) => left + (ms / total) * (width - left - 10);
  const y = (bytes: number) => top + (1 - bytes / yMax) * (height - top - bottom);
  const points = stepPoints(run.schedule.storageCurve, total, width).map(([t, b]) => `${x(t).toFixed(1)},${y(b).toFixed(1)}`).join(' ');
  const line = (bytes: number, colour: string, label: string) =>
    `<line x1="${left}" x2="${width - 10}" y1="${y(bytes)}" y2="${y(bytes)}" stroke="${colour}" stroke-dasharray="6 4"/><text x="${width - 12}" y="${y(bytes) - 4}" font-size="11" text-anchor="end" fill="${colour}">${escapeXml(label)}</text>`;
  const ticks = axisTicks(total).map((t) => `<text x="${x(t)}" y="${height - 10}" font-size="10" text-anchor="middle">${clock(t)}</text>`);
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${left - 6}" y="${y(f * yMax) + 4}" font-size="10" text-anchor="end">${formatBytes(f * yMax)}</text>`);
  return `<svg class="storage" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">${ticks.join('')}${yTicks.join('')}` +
    `<polyline fill="none" stroke="#2c6fb0" stroke-width="1.5" points="${points}"/>` +
    line(estimate.totals.budgetBytes, '#c0392b', `budget ${formatBytes(estimate.totals.budgetBytes)}`) +
    (estimate.totals.scheduledWithBytes > estimate.totals.budgetBytes ? line(estimate.totals.scheduledWithBytes, '#777', `simulated with ${formatBytes(estimate.totals.scheduledWithBytes)}`) : '') +
    '</svg>';
}

/** The curve as steps, at most about two points per pixel column, keeping each column's highest value. */
function stepPoints(curve: Array<[number, number]>, total: number, width: number): Array<[number, number]> {
  const columns = width * 2;
  const out: Array<[number, number]> = [];
  let column = -1;
  let prev = 0;
  for (const [t, bytes] of curve) {
    const c = Math.floor((t / total) * columns);
    if (c === column && out.length > 0) {
      const last = out[out.length - 1]!;
      last[1] = Math.max(last[1], bytes);
      prev = bytes;
      continue;
    }
    column = c;
    out.push([t, prev], [t, bytes]);
    prev = bytes;
  }
  out.push([total, prev]);
  return out;
}

function axisTicks(total: number): number[] {
  const hour = 3_600_000;
  const steps = [hour, 2 * hour, 6 * hour, 12 * hour, 24 * hour, 48 * hour, 7 * 24 * hour, 14 * 24 * hour, 30 * 24 * hour];
  const step = steps.find((s) => total / s <= 12) ?? steps[steps.length - 1]!;
  const out: number[] = [];
  for (let t = 0; t <= total; t += step) out.push(t);
  return out;
}
