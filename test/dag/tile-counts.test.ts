/** Item counts per tile from layers, most trusted first, over the plan's estimate. */
import { describe, expect, it } from 'vitest';
import { layeredTileIndex } from '../../src/dag/tile-counts.js';
import { planOf } from './builders.js';

describe('layered tile index', () => {
  const plan = planOf({ estimates: '{ acquisitions_per_tile: 7 }' });
  const stored = { counts: new Map([['A', 30], ['B', 31]]), source: 'the stored index of IL' };
  const listed = { counts: new Map([['B', 99], ['C', 12]]), source: 'a listing of the catalog azure://s2 (2 tiles)' };

  it('takes each tile from the first layer that knows it, else the estimate, and names the places', () => {
    const index = layeredTileIndex(plan, [stored, undefined, listed], ['A', 'B', 'C', 'D']);
    expect(['A', 'B', 'C', 'D'].map((t) => index.itemsOf(t))).toEqual([30, 31, 12, 7]);
    expect(index).toMatchObject({
      estimated: false,
      source: 'from the stored index of IL, then a listing of the catalog azure://s2 (2 tiles); other tiles estimated (estimates.acquisitions_per_tile = 7)',
    });
  });

  it('says nothing of the estimate when the layers cover every tile needed', () => {
    expect(layeredTileIndex(plan, [stored, listed], ['A', 'C']).source).toBe('from the stored index of IL, then a listing of the catalog azure://s2 (2 tiles)');
  });

  it('is the estimate itself when no layer knows any tile', () => {
    const index = layeredTileIndex(plan, [undefined, { counts: new Map(), source: 'an empty listing' }], ['A']);
    expect(index).toMatchObject({ estimated: true, source: 'estimated (estimates.acquisitions_per_tile = 7)' });
    expect(index.itemsOf('A')).toBe(7);
  });
});
