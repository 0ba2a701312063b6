/**
 * Nesting deep enough to overflow the YAML parser's stack: the parser reports the overflow
 * once per level it unwinds through, and how many levels that is depends on where the stack
 * ran out (the JIT's frame sizes, so the load of the machine). The plan gets one problem
 * whatever that count, at the first of the parser's reports.
 */
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/plan/yaml-source.js';

/** Nesting depths from well below to far above where the parser's stack runs out. */
function depths(): number[] {
  const out: number[] = [];
  for (let n = 1_000; n <= 8_000; n = Math.round(n * 1.03)) out.push(n);
  return out;
}

describe('a plan that overflows the YAML parser', () => {
  it('is one PLAN_TOO_DEEP problem at each depth, however many overflows the parser reports', () => {
    let overflowed = 0;
    for (const n of depths()) {
      const text = `version: 1\ndeep: ${'['.repeat(n)}${']'.repeat(n)}\n`;
      const raw = parseDocument(text, { prettyErrors: false }).errors.filter((e) => /call stack/i.test(e.message));
      const problems = new YamlSource('deep.yaml', text).syntaxProblems();
      expect(problems, `nesting ${n}`).toHaveLength(1);
      expect(problems[0], `nesting ${n}`).toMatchObject({ code: 'PLAN_TOO_DEEP', file: 'deep.yaml', line: 2 });
      if (raw.length > 0) overflowed += 1;
    }
    // The deepest nesting overflows the parser on any machine: the case this test is about was met.
    expect(overflowed).toBeGreaterThan(0);
  });
});
