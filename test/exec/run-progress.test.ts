// The progress model behind the terminal view: counts per state and stage, and an ETA
// weighted by parcels, fed with run events and a clock the test moves (no timing assumed).
import { describe, expect, it } from 'vitest';
import type { CountyNode, Dag, DagNode } from '../../src/dag/dag.js';
import { stageTitle } from '../../src/exec/listr-view.js';
import { RunProgress } from '../../src/exec/run-progress.js';

function county(fips: string, parcels: number): CountyNode {
  return {
    id: `county:${fips}`, kind: 'county', state: '17', label: fips, deps: [], priority: 0, durationMs: 0, claims: [],
    fips, name: fips, areaKm2: 1, parcels, parcelsEstimated: false, tiles: [],
  };
}

function dagOf(nodes: DagNode[]): Dag {
  return {
    nodes, byId: new Map(nodes.map((n) => [n.id, n])), itemsPerTile: 0, capacities: {},
    states: [{ fips: '17', postal: 'IL', name: 'Illinois', position: 0, counties: nodes.length, areaKm2: 1, parcels: 0, parcelsEstimated: false, tiles: [], tilesReused: 0, tilesNotKept: 0 }],
  };
}

describe('run progress', () => {
  it('weights the ETA by parcels: a big county left is more time than a small one', () => {
    const big = county('17031', 9_000);
    const small = county('17001', 1_000);
    let now = 0;
    const progress = new RunProgress(dagOf([small, big]), () => now);
    progress.apply({ type: 'node-start', node: small, attempt: 1 });
    now = 10_000;
    progress.apply({ type: 'node-end', node: small, end: 'succeeded', durationMs: 10_000 });
    const stage = progress.get('17', 'counties')!;
    expect(stage.unitsDone).toBe(1_000);
    expect(progress.rate(stage)).toBe(100);
    // 9,000 parcels left at 100 parcels/s: 90 s, not "one county of two at 10 s each".
    expect(progress.etaMs(stage)).toBe(90_000);
    progress.apply({ type: 'node-start', node: big, attempt: 1 });
    progress.apply({ type: 'node-progress', node: big, done: 4_500, total: 9_000 });
    now = 20_000;
    expect(Math.round(progress.etaMs(stage)!)).toBe(16_364); // 4,500 left at 5,500 parcels in 20 s
    expect(stageTitle(dagOf([small, big]), progress, stage)).toBe('17 IL  counties    1/2 counties  5,500/10,000 parcels  275 parcels/s  ETA 16s  1 running');
  });

  it('counts nodes done before (skipped) without letting them speed up the rate, and failures apart', () => {
    const a = county('17001', 100);
    const b = county('17003', 300);
    const c = county('17005', 600);
    let now = 0;
    const progress = new RunProgress(dagOf([a, b, c]), () => now);
    progress.apply({ type: 'node-end', node: a, end: 'done-before' });
    progress.apply({ type: 'node-start', node: b, attempt: 1 });
    now = 3_000;
    progress.apply({ type: 'node-end', node: b, end: 'failed', error: 'boom' });
    const stage = progress.get('17', 'counties')!;
    expect(stage.unitsDone).toBe(100);
    expect(progress.rate(stage)).toBeNull();
    expect(stage.failed).toEqual([{ id: 'county:17003', label: '17003', error: 'boom' }]);
    expect(progress.complete(stage)).toBe(false);
    progress.apply({ type: 'node-end', node: c, end: 'skipped', error: 'not run' });
    expect(progress.complete(stage)).toBe(true);
  });
});
