import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dag/compile.js';
import type { CountyNode, PreprocessNode } from '../../src/dag/dag.js';
import { dryRun } from '../../src/dag/dry-run.js';
import { throughputOf } from '../../src/dag/compile-inputs.js';
import { kindOf, NODE_KINDS } from '../../src/dag/kinds/node-kinds.js';
import { planOf, tiles, toyGeography } from './builders.js';

describe('compile', () => {
  it('matches the seed storage table: 1,200 items x 250 MB = 300 GB, x 750 MB = 900 GB, peak 1.2 TB', () => {
    // 40 MGRS tiles x 30 acquisitions = 1,200 tile items, one county per tile.
    const geo = toyGeography(tiles(40).map((t, i) => ({ fips: `17${String(i + 1).padStart(3, '0')}`, tiles: [t] })));
    const plan = planOf({ estimates: '{ acquisitions_per_tile: 30 }' });
    const { estimate } = dryRun(plan, geo);
    const il = estimate.states[0]!;
    expect(il.items).toBe(1200);
    expect(il.compressedBytes).toBe(300e9);
    expect(il.uncompressedBytes).toBe(900e9);
    expect(il.seedPeakBytes).toBe(1.2e12);
    expect(estimate.totals.seedPeakBytes).toBe(1.2e12);
    // The scheduled peak frees converted tiles after their county and originals after conversion.
    expect(il.peakBytes).toBeLessThan(il.seedPeakBytes);
    expect(estimate.totals.peakBytes).toBeLessThanOrEqual(plan.storage.budgetBytes);
  });

  it('makes one node per step and a county depends only on its index and its own tiles', () => {
    const geo = toyGeography([
      { fips: '17001', tiles: ['A', 'B'] },
      { fips: '17003', tiles: ['B', 'C'] },
    ]);
    const dag = compile(planOf(), geo);
    // 10 items per tile: two groups of items (6 + 4), each one preprocess node.
    expect(dag.nodes.map((n) => n.id).sort()).toEqual([
      'cleanup:17', 'cleanup:A', 'cleanup:B', 'cleanup:C', 'county:17001', 'county:17003', 'index:17',
      'preprocess:A/0', 'preprocess:A/1', 'preprocess:B/0', 'preprocess:B/1', 'preprocess:C/0', 'preprocess:C/1', 'verify:17',
    ]);
    expect(dag.byId.get('county:17001')!.deps.sort()).toEqual(['index:17', 'preprocess:A/0', 'preprocess:A/1', 'preprocess:B/0', 'preprocess:B/1']);
    expect(dag.byId.get('county:17003')!.deps.sort()).toEqual(['index:17', 'preprocess:B/0', 'preprocess:B/1', 'preprocess:C/0', 'preprocess:C/1']);
    expect(dag.byId.get('verify:17')!.deps.sort()).toEqual(['county:17001', 'county:17003']);
    expect(dag.byId.get('cleanup:17')!.deps).toContain('verify:17');
    // A tile is deleted after its last reader, not before.
    expect(dag.byId.get('cleanup:B')!.deps.sort()).toEqual(['county:17001', 'county:17003']);
    expect(dag.byId.get('cleanup:A')!.deps).toEqual(['county:17001']);
  });

  it('preprocesses a border tile once for consecutive states and frees it after its last user', () => {
    const geo = toyGeography([
      { fips: '17001', tiles: ['A', 'BORDER'] },
      { fips: '18001', tiles: ['BORDER', 'C'] },
    ]);
    const dag = compile(planOf({ states: ['17', '18'] }), geo);
    const border = dag.nodes.filter((n): n is PreprocessNode => n.kind === 'preprocess' && n.tileId === 'BORDER');
    expect(border.map((n) => n.id)).toEqual(['preprocess:BORDER/0', 'preprocess:BORDER/1']);
    expect(border[0]!.users).toEqual(['17', '18']);
    expect(dag.byId.get('county:18001')!.deps).toContain('preprocess:BORDER/1');
    expect(dag.byId.get('cleanup:BORDER')!.deps.sort()).toEqual(['county:17001', 'county:18001']);
    expect(dag.states[1]!.tilesReused).toBe(1);
  });

  it('makes a tile again when the states that need it are not consecutive, and geographic order avoids it', () => {
    const geo = toyGeography([
      { fips: '17001', tiles: ['SHARED'], at: [-89, 40] },
      { fips: '19001', tiles: ['FAR'], at: [-70, 40] },
      { fips: '18001', tiles: ['SHARED'], at: [-88, 40] },
    ]);
    const plan = planOf({ states: ['17', '19', '18'] });
    const dag = compile(plan, geo);
    const copies = dag.nodes.filter((n): n is PreprocessNode => n.kind === 'preprocess' && n.tileId === 'SHARED');
    expect(copies.map((c) => c.id)).toEqual(['preprocess:SHARED/0', 'preprocess:SHARED/1', 'preprocess:SHARED#2/0', 'preprocess:SHARED#2/1']);
    expect(copies[2]!.making).toBe(2);

    const geographic = compile(plan, geo, {}, 'geographic');
    expect(geographic.states.map((s) => s.fips)).toEqual(['17', '18', '19']);
    expect(geographic.nodes.filter((n) => n.kind === 'preprocess' && n.tileId === 'SHARED')).toHaveLength(2);

    const { estimate } = dryRun(plan, geo);
    expect(estimate.orders.find((o) => o.order === 'plan')!.itemsMadeTwice).toBe(10);
    expect(estimate.orders.find((o) => o.order === 'geographic')!.itemsMadeTwice).toBe(0);
    expect(estimate.warnings.map((w) => w.code)).toContain('TILES_MADE_TWICE');
  });

  it('orders largest-first by parcels when the parcel source counted them, else by area', () => {
    const geo = toyGeography([
      { fips: '17001', tiles: ['A'], areaKm2: 100 },
      { fips: '18001', tiles: ['B'], areaKm2: 5000 },
    ]);
    const plan = planOf({ rollout: '{ states: ["17", "18"], order: largest-first }' });
    expect(compile(plan, geo).states.map((s) => s.fips)).toEqual(['18', '17']);
    const parcels = { countOf: (f: string) => (f === '17001' ? 90_000 : 10), source: 'test counts' };
    const counted = compile(plan, geo, { parcels });
    expect(counted.states.map((s) => s.fips)).toEqual(['17', '18']);
    expect((counted.byId.get('county:17001') as CountyNode).parcelsEstimated).toBe(false);
  });

  it('is pure: the same inputs give the same DAG', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A', 'B'] }, { fips: '17003', tiles: ['B'] }]);
    const plan = planOf();
    const strip = (d: ReturnType<typeof compile>) => JSON.stringify(d.nodes);
    expect(strip(compile(plan, geo))).toBe(strip(compile(plan, geo)));
  });

  it('skips preprocessing when the plan says preprocess: never (counties read the originals)', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A'] }]);
    const plan = planOf();
    plan.tiles.preprocess = 'never';
    const dag = compile(plan, geo);
    expect(dag.nodes.some((n) => n.kind === 'preprocess')).toBe(false);
    expect(dag.byId.get('county:17001')!.deps).toEqual(['index:17']);
  });
});

describe('node kinds', () => {
  it('registers one module per kind, whose estimate is what compile gives each node of that kind', () => {
    expect(Object.keys(NODE_KINDS).sort()).toEqual(['cleanup', 'county', 'index', 'preprocess', 'verify']);
    const geo = toyGeography([{ fips: '17001', tiles: ['A', 'B'] }, { fips: '17003', tiles: ['B'] }]);
    const plan = planOf();
    const dag = compile(plan, geo);
    const context = { plan, throughput: throughputOf(plan) };
    const seen = new Set<string>();
    for (const node of dag.nodes) {
      const kind = kindOf(node);
      expect(kind).toBe(NODE_KINDS[node.kind]);
      expect(kind.kind).toBe(node.kind);
      expect(kind.estimate(node, context)).toEqual({ durationMs: node.durationMs, claims: node.claims });
      expect(Number.isFinite(node.durationMs) && node.durationMs > 0).toBe(true);
      seen.add(node.kind);
    }
    expect([...seen].sort()).toEqual(Object.keys(NODE_KINDS).sort());
    // Kinds that differ estimate differently: a county's work is not a cleanup's.
    expect(dag.byId.get('county:17001')!.claims).not.toEqual(dag.byId.get('cleanup:A')!.claims);
  });

  it('a preprocess node holds its converted items until its cleanup and one original while converting', () => {
    const geo = toyGeography([{ fips: '17001', tiles: ['A'] }]);
    const dag = compile(planOf(), geo);
    const claims = dag.byId.get('preprocess:A/0')!.claims.filter((c) => c.resource === 'disk');
    expect(claims).toEqual([
      { resource: 'disk', amount: 250e6 },
      { resource: 'disk', amount: 6 * 750e6, until: ['cleanup:A'] },
    ]);
    expect(dag.byId.get('preprocess:A/1')!.claims.find((c) => c.until)).toEqual({ resource: 'disk', amount: 4 * 750e6, until: ['cleanup:A'] });
  });
});
