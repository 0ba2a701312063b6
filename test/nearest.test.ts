import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from '../src/nearest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0], ['', 'abc', 3], ['abc', '', 3], ['kitten', 'sitting', 3], ['batch_sise', 'batch_size', 1],
    ['abc', 'acb', 2], ['flaw', 'lawn', 2], ['same', 'same', 0],
  ])('%s -> %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('nearest', () => {
  it('suggests within a third of the word length (rounded up), not more', () => {
    // 6 letters: up to ceil(6/3) = 2 edits; 3 edits (half the word) is no longer a typo.
    expect(nearest('abcdef', ['abcdxy'])).toEqual(['abcdxy']);
    expect(nearest('abcdef', ['abcxyz'])).toEqual([]);
    // 9 letters: 3 edits, not 4 or 5.
    expect(nearest('abcdefghi', ['abcdefxyz'])).toEqual(['abcdefxyz']);
    expect(nearest('abcdefghi', ['abcdewxyz'])).toEqual([]);
    // 7 letters: ceil(7/3) = 3.
    expect(nearest('abcdefg', ['abcdxyz'])).toEqual(['abcdxyz']);
    expect(nearest('abcdefg', ['abcwxyz'])).toEqual([]);
  });

  it('allows one edit even for a short word', () => {
    expect(nearest('ab', ['xb'])).toEqual(['xb']);
    expect(nearest('ab', ['xy'])).toEqual([]);
    expect(nearest('', ['x', 'xy'])).toEqual(['x']);
  });

  it('orders by distance, then alphabetically, ignores case, and keeps at most `limit`', () => {
    expect(nearest('storag', ['strage', 'storage', 'Storage2', 'sources'])).toEqual(['storage', 'Storage2']);
    expect(nearest('MAXX', ['max', 'mix', 'min'], 5)).toEqual(['max', 'mix']);
    expect(nearest('cab', ['cbb', 'caa', 'cac', 'cad'], 3)).toEqual(['caa', 'cac', 'cad']);
    expect(nearest('cab', ['cab'], 0)).toEqual([]);
  });
});
