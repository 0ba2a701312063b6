/**
 * The examples in docs/dry-run.md run here (issue 13 item 12): every indented block that starts
 * with `$ biomass` is run in-process; each line shown must appear in the output (stdout, then
 * stderr), in order; `...` stands for lines left out; `(exit N)` is the exit code. A doc that
 * no longer matches the code fails this test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runBiomass } from './support/cli.js';

interface Example {
  argv: string[];
  expected: string[];
  exit: number | undefined;
  line: number;
}

/** The `$ biomass ...` blocks of a Markdown file (4-space indented), with what they should print. */
function examplesOf(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^ {4}\$ biomass (.+)$/.exec(lines[i]!);
    if (!head) continue;
    const example: Example = { argv: head[1]!.trim().split(/\s+/), expected: [], exit: undefined, line: i + 1 };
    for (i++; i < lines.length && lines[i]!.startsWith('    '); i++) {
      const text = lines[i]!.slice(4);
      const exit = /^\(exit (\d+)\)$/.exec(text);
      if (exit) example.exit = Number(exit[1]);
      else if (text !== '...') example.expected.push(text);
    }
    out.push(example);
  }
  return out;
}

describe('docs/dry-run.md examples', () => {
  const examples = examplesOf(readFileSync('docs/dry-run.md', 'utf8'));

  it('has examples with output to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const e of examples) expect(e.expected.length, `docs/dry-run.md:${e.line}`).toBeGreaterThan(0);
  });

  it.each(examples.map((e) => [`docs/dry-run.md:${e.line} biomass ${e.argv.join(' ')}`, e] as const))('%s', async (_name, example) => {
    const result = await runBiomass(example.argv, { env: {} });
    const printed = (result.stdout + result.stderr).split('\n').map((l) => l.trimEnd());
    let at = 0;
    for (const want of example.expected) {
      const found = printed.indexOf(want.trimEnd(), at);
      expect(found, `docs/dry-run.md:${example.line}: not printed (in this order):\n${want}\n--- output ---\n${printed.join('\n')}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    if (example.exit !== undefined) expect(result.code).toBe(example.exit);
  }, 300_000);
});

describe('the examples checker', () => {
  it('reads commands, expected lines and the exit code, and skips "..."', () => {
    const md = 'Text\n\n    $ biomass plan a.yaml --json\n    first\n    ...\n    last\n    (exit 2)\n\nMore\n';
    expect(examplesOf(md)).toEqual([{ argv: ['plan', 'a.yaml', '--json'], expected: ['first', 'last'], exit: 2, line: 3 }]);
  });
});

describe('docs/users-plan-answers.md', () => {
  it('says what "original" means: source blobs never touched, local downloads temporary (issue 13 item 13)', () => {
    const text = readFileSync('docs/users-plan-answers.md', 'utf8').replace(/\s+/g, ' ');
    expect(text).not.toMatch(/- Never delete compressed originals;/);
    expect(text).toContain('the *source blobs* (the Azure container or tile folder `sources.tiles.uri` names) are never modified or deleted');
    expect(text).toContain('The *local downloads* of those originals under `storage.dir` are temporary');
  });
});
