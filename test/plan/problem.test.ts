import { describe, expect, it } from 'vitest';
import { formatProblem, summarizeProblems, type Problem } from '../../src/plan/problem.js';

const LINES = ['version: 1', 'processing:', '  batch_sise: 100', '', 'rollout:'];

function problem(fields: Partial<Problem> = {}): Problem {
  return {
    file: 'plans/x.yaml', line: 3, column: 3, length: 10, severity: 'error', code: 'UNKNOWN_KEY',
    message: 'unknown key "batch_sise" in processing', hint: 'did you mean "batch_size"?', ...fields,
  };
}

describe('formatProblem', () => {
  it('prints the place, the line before, the line, a caret under exactly the problem, and the fix', () => {
    expect(formatProblem(problem(), LINES)).toBe([
      'plans/x.yaml:3:3  error  unknown key "batch_sise" in processing',
      '   2 | processing:',
      '   3 |   batch_sise: 100',
      '     |   ^^^^^^^^^^',
      '   did you mean "batch_size"?',
    ].join('\n'));
  });

  it('pads line numbers to the widest of the two, and skips a blank line before', () => {
    const lines = Array.from({ length: 12 }, (_, i) => `k${i + 1}: v`);
    lines[8] = '   ';
    expect(formatProblem(problem({ line: 10, column: 1, length: 3, hint: undefined }), lines)).toBe([
      'plans/x.yaml:10:1  error  unknown key "batch_sise" in processing',
      '   10 | k10: v',
      '      | ^^^',
    ].join('\n'));
    expect(formatProblem(problem({ line: 11, column: 2, length: 2, hint: undefined, severity: 'warning' }), lines)).toBe([
      'plans/x.yaml:11:2  warning  unknown key "batch_sise" in processing',
      '   10 | k10: v',
      '   11 | k11: v',
      '      |  ^^',
    ].join('\n'));
  });

  it('stops the caret at the end of the line, and draws at least one', () => {
    expect(formatProblem(problem({ line: 5, column: 1, length: 50, hint: undefined }), LINES).split('\n').at(-1)).toBe('     | ^^^^^^^^');
    expect(formatProblem(problem({ line: 5, column: 9, length: 0, hint: undefined }), LINES).split('\n').at(-1)).toBe('     |         ^');
    expect(formatProblem(problem({ line: 1, column: 1, length: 1, hint: undefined }), LINES)).toBe([
      'plans/x.yaml:1:1  error  unknown key "batch_sise" in processing',
      '   1 | version: 1',
      '     | ^',
    ].join('\n'));
  });

  it('prints only the place and message when the problem has no line, or the text is not at hand', () => {
    expect(formatProblem(problem({ line: 0, column: 0, hint: 'create it' }), LINES)).toBe('plans/x.yaml  error  unknown key "batch_sise" in processing\n   create it');
    expect(formatProblem(problem({ hint: undefined }), undefined)).toBe('plans/x.yaml:3:3  error  unknown key "batch_sise" in processing');
    expect(formatProblem(problem({ line: 9, hint: undefined }), LINES)).toBe('plans/x.yaml:9:3  error  unknown key "batch_sise" in processing');
  });
});

describe('summarizeProblems', () => {
  it('counts errors and warnings, singular and plural', () => {
    expect(summarizeProblems([], 'x.yaml')).toBe('x.yaml: valid');
    expect(summarizeProblems([problem()], 'x.yaml')).toBe('1 error, 0 warnings in x.yaml');
    expect(summarizeProblems([problem({ severity: 'warning' })], 'x.yaml')).toBe('0 errors, 1 warning in x.yaml');
    expect(summarizeProblems([problem(), problem(), problem({ severity: 'warning' }), problem({ severity: 'warning' })], 'x.yaml')).toBe('2 errors, 2 warnings in x.yaml');
  });
});
