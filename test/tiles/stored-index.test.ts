import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/dag/compile.js';
import type { IndexNode } from '../../src/dag/dag.js';
import { NODE_KINDS } from '../../src/dag/kinds/node-kinds.js';
import { getStateIndex, listIndexedCounties, listStateItems } from '../../src/db/tile-index-repository.js';
import type { Store } from '../../src/db/store.js';
import { loadGeography, type Geography } from '../../src/geo/geography.js';
import { parsePlan } from '../../src/plan/parse-plan.js';
import type { Plan } from '../../src/plan/plan.js';
import { indexStateIntoStore } from '../../src/tiles/stored-state-index.js';
import { backends } from '../db/backends.js';
import { planText } from '../support/plan-text.js';
import { useFreshDatabase } from '../support/postgres.js';

const db = useFreshDatabase();

// McLean and its neighbours DeWitt and Logan share tiles, so items are deduplicated across counties.
const COUNTIES = ['17113', '17039', '17107'];

function planNamed(name: string): Plan {
  const text = planText({ name, rollout: `  counties: [${COUNTIES.map((c) => `"${c}"`).join(', ')}]\n` });
  const { plan, problems } = parsePlan('/plans/t.yaml', text, { env: {}, machineChecks: 'skip' });
  if (!plan) throw new Error(JSON.stringify(problems));
  return plan;
}

describe.each(backends(db))('the index step stored on $name', (backend) => {
  let store: Store;
  let geography: Geography;
  beforeAll(async () => {
    store = await backend.open();
    geography = await loadGeography();
  });
  afterAll(async () => {
    await store.close();
  });

  it('stores every county, then resumes an interrupted run to the same rows, never duplicating them', async () => {
    const clean = await indexStateIntoStore({ plan: planNamed(`clean-${backend.name}`), db: store, geography, state: '17' });
    expect(clean.complete).toBe(true);
    expect(clean.resumed).toEqual([]);
    const cleanRows = await listStateItems(store, `clean-${backend.name}`, '17');
    expect(cleanRows).toHaveLength(clean.items.length);
    expect(new Set(cleanRows.map((r) => r.itemId)).size).toBe(cleanRows.length);

    // Interrupt after the first county is stored.
    const plan = planNamed(`resume-${backend.name}`);
    const stop = new AbortController();
    const interrupted = indexStateIntoStore({
      plan, db: store, geography, state: '17', signal: stop.signal,
      onProgress: (done) => { if (done === 1) stop.abort(new Error('interrupted by the test')); },
    });
    await expect(interrupted).rejects.toThrow();
    expect(await listIndexedCounties(store, plan.name, '17')).toEqual([COUNTIES[0]]);
    expect(await getStateIndex(store, plan.name, '17')).toBeUndefined();

    const resumed = await indexStateIntoStore({ plan, db: store, geography, state: '17' });
    expect(resumed.resumed).toEqual([COUNTIES[0]]);
    expect(resumed.skipped).toEqual([COUNTIES[0]]);
    expect(resumed.counties.map((c) => c.countyFips)).toEqual(COUNTIES);
    expect(resumed.counties).toEqual(clean.counties);
    expect(resumed.complete).toBe(true);
    // The whole state is reported, the resumed county included, exactly as a clean run.
    expect(resumed.items).toEqual(clean.items);
    expect(resumed.tiles).toEqual(clean.tiles);

    const strip = (rows: typeof cleanRows) => rows.map(({ itemId, mgrsTile, acquiredOn, counties, usageCount, priority }) => ({ itemId, mgrsTile, acquiredOn, counties, usageCount, priority }));
    const resumedRows = await listStateItems(store, plan.name, '17');
    expect(strip(resumedRows)).toEqual(strip(cleanRows));

    // A third run lists nothing again and changes no row.
    const again = await indexStateIntoStore({ plan, db: store, geography, state: '17' });
    expect(again.resumed).toEqual(COUNTIES);
    expect(again.skipped).toEqual(COUNTIES);
    expect(again.counties).toEqual(clean.counties);
    expect(strip(await listStateItems(store, plan.name, '17'))).toEqual(strip(cleanRows));
    expect((await getStateIndex(store, plan.name, '17'))?.itemCount).toBe(cleanRows.length);
  });

  it('marks the state complete only when every county the plan names is stored, not when some are', async () => {
    const plan = planNamed(`partial-${backend.name}`);
    const first = await indexStateIntoStore({ plan, db: store, geography, state: '17', counties: [COUNTIES[0]!] });
    expect(first.complete).toBe(false);
    expect(await getStateIndex(store, plan.name, '17')).toBeUndefined();
    const second = await indexStateIntoStore({ plan, db: store, geography, state: '17', counties: [COUNTIES[1]!] });
    expect(second.complete).toBe(false);
    expect(await getStateIndex(store, plan.name, '17')).toBeUndefined();
    expect(await listIndexedCounties(store, plan.name, '17')).toEqual([COUNTIES[0], COUNTIES[1]].sort());
    const last = await indexStateIntoStore({ plan, db: store, geography, state: '17', counties: [COUNTIES[2]!] });
    expect(last.complete).toBe(true);
    expect(await getStateIndex(store, plan.name, '17')).toMatchObject({ countyCount: COUNTIES.length });
  });

  it('is what the DAG\'s index:<state> node runs', async () => {
    const plan = planNamed(`node-${backend.name}`);
    const node = compile(plan, geography).byId.get('index:17') as IndexNode;
    await NODE_KINDS.index.run(node, { plan, signal: new AbortController().signal, stores: { db: store, geography } });
    expect(await listIndexedCounties(store, plan.name, '17')).toEqual([...COUNTIES].sort());
    expect((await getStateIndex(store, plan.name, '17'))?.countyCount).toBe(COUNTIES.length);
  });

  it('rebuilds a stored index made from another season instead of resuming it', async () => {
    const plan = planNamed(`season-${backend.name}`);
    const first = await indexStateIntoStore({ plan, db: store, geography, state: '17' });
    expect(first.rebuilt).toBe(false);
    const shorter = { ...plan, season: { start: '2024-06-01', end: '2024-06-30' } };
    const second = await indexStateIntoStore({ plan: shorter, db: store, geography, state: '17' });
    expect(second.rebuilt).toBe(true);
    expect(second.resumed).toEqual([]);
    expect(second.items.length).toBeLessThan(first.items.length);
    const rows = await listStateItems(store, plan.name, '17');
    expect(rows).toHaveLength(second.items.length);
    expect(rows.every((r) => r.acquiredOn >= '2024-06-01' && r.acquiredOn <= '2024-06-30')).toBe(true);
    // Indexing again with the same settings resumes it.
    const third = await indexStateIntoStore({ plan: shorter, db: store, geography, state: '17' });
    expect([third.rebuilt, third.resumed]).toEqual([false, COUNTIES]);
  });

  it('stores the final priority of each tile: the sum of the shares of the counties it covers', async () => {
    // Indexes under a name of its own, so that it holds alone and in any order.
    const plan = planNamed(`priority-${backend.name}`);
    const result = await indexStateIntoStore({ plan, db: store, geography, state: '17' });
    const rows = await listStateItems(store, plan.name, '17');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toHaveLength(result.items.length);
    // Tiles shared by two or more of the counties carry the sum, not one county's share.
    expect(rows.some((r) => r.counties.length > 1)).toBe(true);
    for (const row of rows) {
      const expected = row.counties.reduce((sum, fips) => {
        const cover = geography.coverOfCounty(fips);
        const overlap = cover.tiles.find((t) => t.tileId === row.mgrsTile)?.overlapKm2 ?? 0;
        return sum + overlap / cover.areaKm2;
      }, 0);
      expect(row.priority).toBeCloseTo(expected, 2);
    }
    // Listed most important first.
    expect(rows.map((r) => r.priority)).toEqual([...rows.map((r) => r.priority)].sort((a, b) => b - a));
  });
});
