import { describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/plan/yaml-source.js';

const TEXT = [
  'version: 1', // 1
  'sources:', // 2
  '  tiles: { uri: "file://x", bands: [B04, B08] }', // 3
  'rollout:', // 4
  '  states:', // 5
  '    - "17"', // 6
  '    - IL', // 7
  '  empty:', // 8
  'name: a-long-plan-name', // 9
].join('\n');

describe('YamlSource.locate', () => {
  const source = new YamlSource('x.yaml', TEXT);

  it('points at a value, or at its key when asked, with the length to underline', () => {
    expect(source.locate(['name'])).toEqual({ line: 9, column: 7, length: 16 });
    expect(source.locate(['name'], { key: true })).toEqual({ line: 9, column: 1, length: 4 });
    expect(source.locate(['sources', 'tiles', 'uri'])).toEqual({ line: 3, column: 17, length: 10 });
    expect(source.locate(['sources', 'tiles', 'uri'], { key: true })).toEqual({ line: 3, column: 12, length: 3 });
  });

  it('walks into lists by index', () => {
    expect(source.locate(['rollout', 'states', 1])).toEqual({ line: 7, column: 7, length: 2 });
    expect(source.locate(['rollout', 'states', 0])).toEqual({ line: 6, column: 7, length: 4 });
    expect(source.locate(['sources', 'tiles', 'bands', 1])).toEqual({ line: 3, column: 42, length: 3 });
  });

  it('falls back to the nearest existing parent, and to the empty value of a key without one', () => {
    expect(source.locate(['rollout', 'states', 5])).toEqual(source.locate(['rollout', 'states']));
    expect(source.locate(['rollout', 'states', 'x'])).toEqual(source.locate(['rollout', 'states']));
    expect(source.locate(['rollout', 'missing'])).toEqual(source.locate(['rollout']));
    expect(source.locate(['version', 'deeper'])).toEqual({ line: 1, column: 10, length: 1 });
    // A key without a value: its (empty) value just after the colon.
    expect(source.locate(['rollout', 'empty'])).toEqual({ line: 8, column: 9, length: 1 });
  });

  it('points at the first character of an empty file', () => {
    expect(new YamlSource('e.yaml', '').locate(['name'])).toEqual({ line: 1, column: 1, length: 1 });
  });

  it('keeps the lines, also of a file with Windows line ends', () => {
    expect(new YamlSource('w.yaml', 'a: 1\r\nb: 2\r\n').lines).toEqual(['a: 1', 'b: 2', '']);
  });
});

describe('YamlSource.syntaxProblems', () => {
  it('gives the first line of the parser\'s message, where the parser stopped (an unclosed quote: at the end)', () => {
    const [problem] = new YamlSource('x.yaml', 'a: 1\nb: "open\n').syntaxProblems();
    expect(problem).toMatchObject({ file: 'x.yaml', line: 3, severity: 'error', code: 'YAML_SYNTAX' });
    expect(problem!.message).not.toContain('\n');
    expect(problem!.hint).toBe('fix the YAML syntax here (indentation with spaces, a ":" after each key, quotes closed)');
    expect(problem!.length).toBeGreaterThanOrEqual(1);
  });

  it('names a duplicate key at its second occurrence', () => {
    expect(new YamlSource('x.yaml', 'a: 1\nb: 2\na: 3\n').syntaxProblems()).toEqual([{
      file: 'x.yaml', line: 3, column: 1, length: 1, severity: 'error', code: 'DUPLICATE_KEY',
      message: 'this key appears twice in the same mapping', hint: 'keep one of the two entries; YAML would silently use only one of them',
    }]);
    expect(new YamlSource('x.yaml', 'a: 1\nb: 2\n').syntaxProblems()).toEqual([]);
  });

  it('reads the value, following aliases', () => {
    expect(new YamlSource('x.yaml', 'a: &x [1, 2]\nb: *x\n').value()).toEqual({ a: [1, 2], b: [1, 2] });
    expect(new YamlSource('x.yaml', '').value()).toBeNull();
  });
});
