import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { PlanEstimate } from '../src/dag/plan-estimate.js';
import { loadGeography } from '../src/geo/geography.js';
import { generateScenes } from '../src/tiles/scene-generator.js';
import { openTileStore } from '../src/tiles/open-tile-store.js';
import { runBiomass } from './support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-plan-'));
const illinois = readFileSync('plans/illinois.yaml', 'utf8');
/** A copy of plans/illinois.yaml with some text replaced, written into the temp folder. */
function illinoisWith(name: string, from: string | RegExp, to: string): string {
  const file = path.join(dir, name);
  const text = illinois.replace(from, to);
  expect(text).not.toBe(illinois);
  writeFileSync(file, text);
  return file;
}

describe('biomass plan', () => {
  it('prints the per-state table and totals for Illinois, offline and without credentials', async () => {
    const result = await runBiomass(['plan', 'plans/illinois.yaml'], { env: {} });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Plan illinois-2024: 1 state, 102 counties, 34 MGRS tiles, 1,224 distinct tile items, 1,224 downloaded \(estimated: 36 dates\/tile\)/);
    expect(result.stdout).toMatch(/state\s+counties\s+tiles\s+items\s+compressed\s+uncompressed\s+seed peak\s+peak\s+preprocess time\s+county time\s+window/);
    expect(result.stdout).toMatch(/17 IL\s+102\s+34\s+1,224\s+306 GB\s+918 GB\s+1\.22 TB\s+\d+ GB/);
    expect(result.stdout).toMatch(/Peak storage \d+ GB of 1\.5 TB budget \(min_free 100 GB\)/);
    expect(result.stdout).toMatch(/Total \d+h \d+m/);
    expect(result.stdout).toContain('Critical path: 17 IL index -> ');
    expect(result.stdout).toContain('  database     not read (${DATABASE_URL} is unset); throughput from plan defaults');
    expect(result.stdout).toContain('  throughput   200 MB/s from plan (estimates.download_rate)');
  });

  it('--json for plans/us.yaml validates against schemas/plan-estimate.schema.json', async () => {
    const result = await runBiomass(['plan', 'plans/us.yaml', '--json'], { env: {} });
    const estimate = JSON.parse(result.stdout) as PlanEstimate;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync('schemas/plan-estimate.schema.json', 'utf8')));
    expect(validate(estimate), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(estimate.totals.states).toBe(51);
    expect(estimate.totals.counties).toBe(3142);
    expect(estimate.order.states[0]).toBe('48');
    expect(estimate.orders.map((o) => o.order)).toEqual(['plan', 'largest-first', 'geographic']);
    // us.yaml's 2.5 TB budget is sized for Alaska's Yukon-Koyukuk (80 MGRS tiles at once).
    expect(result.code).toBe(0);
    expect(estimate.refused ?? null).toBeNull();
    expect(estimate.totals.peakBytes).toBeLessThanOrEqual(estimate.totals.budgetBytes);
    for (const s of estimate.states) expect(s.peakBytes).toBeLessThanOrEqual(estimate.totals.budgetBytes);
  });

  it('exits 2 when the budget is below one state\'s peak, with the state, its peak and the fix', async () => {
    const small = illinoisWith('small.yaml', 'budget: 1.5TB', 'budget: 100GB');
    const result = await runBiomass(['plan', small], { env: {}, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Plan refused: state 17 \(IL\) needs a peak of \d+ GB but storage\.budget is 100 GB; IL stalls holding [\d.]+ GB .*; county \d{5} [A-Za-z .]+ alone reads \d+ MGRS tiles/);
    expect(result.stderr).toMatch(/raise storage\.budget to \d+ GB/);
    expect(result.stdout).toContain('17 IL'); // the table is still printed, like terraform plan before its error
  });

  it('never writes to storage.dir or the embedded database', async () => {
    const storage = path.join(dir, 'never-created', 'preprocessing');
    const file = illinoisWith('dirs.yaml', 'dir: /tmp/preprocessing', `dir: ${storage}`);
    const result = await runBiomass(['plan', file, '--json'], { env: {}, cwd: dir });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(dir, 'never-created'))).toBe(false);
    expect(existsSync(path.join(dir, '.biomass'))).toBe(false);
    const estimate = JSON.parse(result.stdout) as PlanEstimate;
    expect(estimate.inputs.freeSpace.source).toMatch(/storage\.dir does not exist yet/);
  });

  it('--dot and --mermaid print the DAG', async () => {
    const dot = await runBiomass(['plan', 'plans/demo.yaml', '--dot'], { env: {} });
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph "demo-mclean" \{/);
    expect(dot.stdout).toContain('"index:17" -> "county:17113";');
    expect(dot.stdout).toContain('"county:17113" -> "verify:17";');
    const mermaid = await runBiomass(['plan', 'plans/demo.yaml', '--mermaid'], { env: {} });
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
    expect(mermaid.stdout).toContain('verify_17 --> cleanup_17');
  });

  it('--diff OLD NEW says what the edit changes', async () => {
    const edited = illinoisWith('two.yaml', 'states: ["17"]', 'states: ["18", "17"]');
    const result = await runBiomass(['plan', '--diff', 'plans/illinois.yaml', edited], { env: {} });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('States added: 18 IN');
    expect(result.stdout).toContain('States removed: none');
    expect(result.stdout).toContain('States reordered: 17 IL 1 -> 2');
    expect(result.stdout).toMatch(/states\s+1\s+2\s+\+1/);
  });

  it('--diff still refuses (exit 2) an edit whose budget cannot hold a state', async () => {
    const edited = illinoisWith('diff-small.yaml', 'budget: 1.5TB', 'budget: 100GB');
    const result = await runBiomass(['plan', '--diff', 'plans/illinois.yaml', edited], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Plan refused: state 17 \(IL\) needs a peak of/);
  });

  it('refuses an invalid plan with exit 2 and the problems at file:line:col', async () => {
    const bad = illinoisWith('bad.yaml', 'parallel_jobs: 8', 'parallel_jobz: 8');
    const result = await runBiomass(['plan', bad], { env: {}, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:\d+:\d+\s+error\s+unknown key "parallel_jobz"/);
    expect(result.stderr).toContain('did you mean "parallel_jobs"?');
    expect(result.stderr).toMatch(/1 error, \d+ warnings? in bad\.yaml: nothing was done\n$/);
    expect(result.stderr.match(/unknown key "parallel_jobz"/g)).toHaveLength(1);
  });
});

describe('biomass plan --catalog', () => {
  it('counts the items the catalog lists, instead of estimating them, and writes nothing', async () => {
    const folder = path.join(dir, 'catalog');
    const season = { start: '2024-06-01', end: '2024-06-10' };
    const written = await generateScenes({
      geography: await loadGeography(), counties: ['17113'], season, layout: 'simple', pixelSize: 1830,
      store: openTileStore({ uri: pathToFileURL(path.join(folder, 'tiles')).href, season }),
    });
    expect(written).toHaveLength(4 * 2);
    const file = path.join(folder, 'plans', 'p.yaml');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, readFileSync('plans/demo.yaml', 'utf8')
      .replace('file://../.biomass/demo/tiles', 'file://../tiles')
      .replace('season: { start: 2024-06-01, end: 2024-07-15 }', 'season: { start: 2024-06-01, end: 2024-06-30 }'));

    const estimated = JSON.parse((await runBiomass(['plan', file, '--json'], { cwd: dir })).stdout) as PlanEstimate;
    expect(estimated.inputs.tileItems.estimated).toBe(true);
    expect(estimated.totals.items).toBe(4 * 6); // 30 days / 5-day revisit

    const result = await runBiomass(['plan', file, '--json', '--catalog'], { cwd: dir });
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as PlanEstimate;
    expect(listed.inputs.tileItems).toMatchObject({ estimated: false, source: expect.stringMatching(/^from a listing of the catalog file:\/\/.*\(4 tiles\)/) });
    expect(listed.totals.items).toBe(written.length);
    expect(existsSync(path.join(folder, '.biomass'))).toBe(false);
  });

  it('refuses --catalog for a plan that names no catalog', async () => {
    const result = await runBiomass(['plan', 'plans/us.yaml', '--catalog'], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/sources\.tiles\.connection comes from \$\{AZURE_STORAGE_CONNECTION_STRING\}, which is not set/);
    const estimatedOnly = illinoisWith('estimated.yaml', /uri: azure:\/\/sentinel2-l2/, 'uri: "estimated:"');
    const refused = await runBiomass(['plan', estimatedOnly, '--catalog'], { env: {}, cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--catalog: .* reads no catalog \(sources\.tiles\.uri is estimated:\)/);
  });
});
