/** Issue 13 items 5-7: `plan --diff` names every edited key, its effect, what must rerun, and downloads. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRun } from '../../src/dag/dry-run.js';
import { readStoredWork } from '../../src/dag/stored-work.js';
import { migrate } from '../../src/db/migrations.js';
import { openStore } from '../../src/db/open-store.js';
import { upsertParcelOutputs } from '../../src/db/parcel-outputs-repository.js';
import { markStateIndexComplete, upsertCountyItems } from '../../src/db/tile-index-repository.js';
import { parsePlan } from '../../src/plan/parse-plan.js';
import type { Plan } from '../../src/plan/plan.js';
import { diffEstimates, diffText } from '../../src/report/plan-diff.js';
import { keyName, planEdits } from '../../src/report/plan-edits.js';
import { indexFingerprint } from '../../src/tiles/stored-state-index.js';
import { planOf, toyGeography } from '../dag/builders.js';
import { runBiomass } from '../support/cli.js';
import { useFreshDatabase } from '../support/postgres.js';
import { TEST_POOL } from '../db/backends.js';

const db = useFreshDatabase();
const dir = mkdtempSync(path.join(tmpdir(), 'biomass-plan-diff-'));
const illinois = readFileSync('plans/illinois.yaml', 'utf8');

function illinoisWith(name: string, ...edits: Array<[string, string]>): string {
  let text = illinois;
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('plan --diff: edited keys', () => {
  it('names the plan keys as written', () => {
    expect(keyName('processing.batchSize')).toBe('processing.batch_size');
    expect(keyName('tiles.bands')).toBe('sources.tiles.bands');
    expect(keyName('storage.budgetBytes')).toBe('storage.budget');
    expect(keyName('estimates.downloadBytesPerSecond')).toBe('estimates.download_rate');
    expect(keyName('storage.tileSize.compressedBytes')).toBe('storage.tile_size.compressed');
  });

  it('shows processing.batch_size and sources.tiles.bands edits, each with its effect (item 5)', async () => {
    const edited = illinoisWith('bands.yaml', ['batch_size: 100', 'batch_size: 200'], ['bands: [B04, B08, SCL]', 'bands: [B04, B08, B11, SCL]']);
    const result = await runBiomass(['plan', edited, '--diff', 'plans/illinois.yaml'], { env: {} });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  processing.batch_size: 100 -> 200\n     estimates: no effect on estimates\n     reruns: nothing reruns');
    expect(result.stdout).toContain('  sources.tiles.bands: [B04, B08, SCL] -> [B04, B08, B11, SCL]\n     estimates: no effect on estimates\n' +
      '     reruns: re-index and re-preprocess the states\' tiles, then recompute their counties\' outputs (stored runs not read: ${DATABASE_URL} is unset)');
  });

  it('measures each of several edits alone', async () => {
    const edited = illinoisWith('two-edits.yaml', ['parallel_jobs: 8', 'parallel_jobs: 4'], ['states: ["17"]', 'states: ["17", "18"]']);
    const result = await runBiomass(['plan', edited, '--diff', 'plans/illinois.yaml'], { env: {} });
    const jobs = result.stdout.split('\n').findIndex((l) => l.startsWith('  preprocess.parallel_jobs: 8 -> 4'));
    expect(jobs).toBeGreaterThan(0);
    // Fewer jobs alone changes time, not the number of states.
    expect(result.stdout.split('\n')[jobs + 1]).toMatch(/^ {5}estimates: .*total time \S+ \S+ -> /);
    expect(result.stdout.split('\n')[jobs + 1]).not.toContain('states 1 -> 2');
    expect(result.stdout).toMatch(/ {2}rollout\.states: \[17\] -> \[17, 18\]\n {5}estimates: states 1 -> 2, /);
  });

  it('adds a downloaded row: a new state downloads less than it reads when tiles are kept from a neighbour (item 7)', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A', 'BORDER'] }, { fips: '18001', tiles: ['BORDER', 'C'] }]);
    const before = dryRun(planOf({ states: ['17'] }), geo).estimate;
    const after = dryRun(planOf({ states: ['17', '18'] }), geo).estimate;
    const diff = diffEstimates(before, after);
    expect(diff.totals.find((t) => t.key === 'compressedBytes')).toEqual({ key: 'compressedBytes', before: 5e9, after: 10e9 });
    expect(diff.totals.find((t) => t.key === 'downloadedBytes')).toEqual({ key: 'downloadedBytes', before: 5e9, after: 7.5e9 });
    const text = diffText(diff, before, after);
    expect(text).toMatch(/\ndownloaded\s+5 GB\s+7\.5 GB\s+\+2\.5 GB\n/);
    expect(text).toMatch(/\nitems downloaded\s+20\s+30\s+\+10\n/);
  });
});

describe('plan --diff: what must rerun (item 6)', () => {
  function plansOf(database: string): { old: Plan; edits: Record<string, Plan> } {
    const base = illinois.replace('url: ${DATABASE_URL}', `url: "${database}"`).replace('uri: azure://sentinel2-l2', 'uri: "estimated:"')
      .replace('connection: ${AZURE_STORAGE_CONNECTION_STRING}', '');
    const parse = (text: string) => parsePlan(path.join(dir, 'p.yaml'), text, { env: {}, machineChecks: 'skip' }).plan!;
    return {
      old: parse(base),
      edits: {
        bands: parse(base.replace('bands: [B04, B08, SCL]', 'bands: [B04, B08, B11, SCL]')),
        coverage: parse(base.replace('county_order: largest-first }', 'county_order: largest-first, coverage: fractional }')),
        budget: parse(base.replace('budget: 1.5TB', 'budget: 1TB')),
      },
    };
  }

  it('says which stored states and counties an edit invalidates, and that a budget change reruns nothing', async () => {
    const { old, edits } = plansOf(db.url);
    const store = await openStore(old.database.url, old.database.embeddedDir, TEST_POOL);
    try {
      await migrate(store, 'state');
      await upsertCountyItems(store, { planName: old.name, stateFips: '17', countyFips: '17113' }, [
        { itemId: '16TCK/2024-06-01', mgrsTile: '16TCK', acquiredOn: '2024-06-01', bandUris: {}, priority: 1 },
      ]);
      await markStateIndexComplete(store, old.name, '17', indexFingerprint(old));
      await upsertParcelOutputs(store, { planName: old.name, runId: 'r1', attempt: 1 }, ['17113', '17019'].map((county, i) => ({
        parcelId: `p${i}`, configHash: 'c1', countyFips: county, modelVersion: 'm1', status: 'ok' as const, areaM2: 1, pixelCount: 1,
        clearPixelCount: 1, clearAcquisitions: 1, ndvi: 0.5, biomassDensity: 1, biomassTotal: 1,
      })));
    } finally {
      await store.close();
    }
    const geo = toyGeography([{ fips: '17113', tiles: ['16TCK'] }]);
    const reruns = async (edited: Plan) => {
      const diff = diffEstimates(dryRun(old, geo).estimate, dryRun(edited, geo).estimate, {
        edits: planEdits(old, edited), stored: await readStoredWork(edited), fingerprint: indexFingerprint(edited),
      });
      return diff.edits.map((e) => `${e.key}: ${e.reruns}`);
    };
    expect(await reruns(edits.bands!)).toEqual([
      'sources.tiles.bands: re-index 17 (stored index made from other tiles, bands or season); recompute 2 counties with stored outputs (17019, 17113); then re-preprocess their tiles',
    ]);
    expect(await reruns(edits.coverage!)).toEqual([
      'processing.coverage: recompute the counties\' outputs; the tile index and converted tiles stay: 2 counties have stored outputs (17019, 17113)',
    ]);
    expect(await reruns(edits.budget!)).toEqual(['storage.budget: nothing reruns']);
  });

  it('with nothing stored, says what kind of rerun each edit implies', async () => {
    const { old, edits } = plansOf(`${db.url.replace(/\/[^/]*$/, '')}/postgres`);
    const stored = await readStoredWork(edits.coverage!);
    expect(stored).toMatchObject({ indexed: [], outputs: new Map() });
    const geo = toyGeography([{ fips: '17113', tiles: ['16TCK'] }]);
    const diff = diffEstimates(dryRun(old, geo).estimate, dryRun(edits.coverage!, geo).estimate, { edits: planEdits(old, edits.coverage!), stored });
    expect(diff.edits[0]!.reruns).toBe('recompute the counties\' outputs; the tile index and converted tiles stay; nothing is stored yet for plan illinois-2024');
  });
});

describe('plan --diff: secrets', () => {
  it('never prints a value that carries a password', () => {
    const before = planOf();
    const after = structuredClone(before);
    after.parcels.uri = 'PG:host=db user=app password=hunter22';
    const [edit] = planEdits(before, after);
    expect(edit).toMatchObject({ key: 'sources.parcels.uri', after: '(changed, not shown)', rerun: 'outputs' });
    expect(JSON.stringify(edit)).not.toContain('hunter22');
  });
});
